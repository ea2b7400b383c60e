import ArgumentParser
import Foundation
import OctopostKit
#if canImport(Glibc)
import Glibc
#endif

/// The only place that reads the process environment, the clock and the terminal.
struct LiveEnvironment: Sendable {
    let variables: [String: String]

    init(variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
    }

    /// `--now`, else `OCTOPOST_NOW`, else the wall clock.
    func now(_ options: GlobalOptions) throws -> Date {
        let text = options.now ?? variables["OCTOPOST_NOW"]
        guard let text, !text.isEmpty else { return Date() }
        do {
            let resolved = try Timestamp.resolve(text, timeZone: nil)
            return resolved.instant
        } catch {
            throw CommandFailure("\(options.now != nil ? "--now" : "OCTOPOST_NOW") \(error.description)")
        }
    }

    /// Colour only on a terminal and never with NO_COLOR.
    var useColor: Bool { isatty(STDOUT_FILENO) == 1 && variables["NO_COLOR"] == nil }
}

/// Writing to the terminal.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
