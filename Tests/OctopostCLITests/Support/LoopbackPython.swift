import Foundation
import Testing

/// A small Python server on 127.0.0.1 for tests that need a hostile or plain HTTP peer outside the test
/// process: runs `script` with `arguments`, reads the port it prints as its first line, and kills it
/// (SIGKILL: a SIGTERM the test runner's children inherit as ignored would leave it running) when done.
final class LoopbackPython: @unchecked Sendable {
    let process = Process()
    let port: Int

    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    init(script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the loopback server did not start"])
        }
        self.port = port
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
