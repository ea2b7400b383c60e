import ArgumentParser
import Dispatch
import Foundation
import OctopostKit
import OctopostSandbox
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `octopost sandbox`: the five platform emulators on loopback until SIGINT/SIGTERM.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run loopback emulators of X, Bluesky, Mastodon, Discord and Telegram.",
        discussion: """
            Prints `export OCTOPOST_<NAME>_API_BASE=…` and dummy credentials for each platform, then serves \
            until SIGINT or SIGTERM. With --print-env it prints only the exports (and OCTOPOST_SANDBOX_PID) \
            and detaches standard output, so `eval "$(octopost sandbox --print-env &)"` returns at once. \
            Faults and latency can be set at run time: POST /__sandbox/faults on any emulator; \
            GET /__sandbox/posts lists what was posted; POST /__sandbox/reset forgets it.
            """)

    @Option(help: "Port of the first emulator; the others take the next ones (default: ephemeral ports).")
    var port: Int = 0

    @Option(help: "Added before every platform request: 50ms, 1s, … (default 0).")
    var latency: String = "0ms"

    @Flag(name: .customLong("print-env"), help: "Print only the exports, then detach standard output and keep serving.")
    var printEnv = false

    func validate() throws {
        let count = EmulatorServer.supportedPlatforms.count
        if port != 0, !(1...(65_535 - count + 1)).contains(port) {
            throw ValidationError("--port must be between 1 and \(65_535 - count + 1) (or 0 for ephemeral ports)")
        }
        if SandboxDuration.parseSeconds(latency) == nil {
            throw ValidationError("--latency '\(latency)' is not a duration such as 50ms or 1s")
        }
    }

    func run() async throws {
        let seconds = SandboxDuration.parseSeconds(latency) ?? 0
        let waiter = SignalWaiter(signals: [SIGINT, SIGTERM])
        let sandbox: Sandbox
        do {
            sandbox = try await Sandbox.start(firstPort: UInt16(port), configuration: EmulatorConfiguration(latency: seconds))
        } catch {
            throw CommandFailure("\(error)")
        }
        for line in sandbox.exportLines { Console.out(line) }
        if printEnv {
            Console.out("export OCTOPOST_SANDBOX_PID=\(getpid())")
            Self.detachStandardOutput()
        } else {
            Console.error("octopost sandbox: \(sandbox.emulators.count) emulators on 127.0.0.1; Ctrl-C stops them")
        }
        await waiter.wait()
        await sandbox.stop()
    }

    /// Points fd 1 at /dev/null so a `$(…)` capturing it sees end-of-file while the server runs on.
    static func detachStandardOutput() {
        let null = open("/dev/null", O_WRONLY)
        guard null >= 0 else { return }
        dup2(null, STDOUT_FILENO)
        close(null)
    }
}

/// Waits for the first of some signals (their default action is turned off while it lives).
final class SignalWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var fired = false
    private var continuation: CheckedContinuation<Void, Never>?

    init(signals: [Int32]) {
        let queue = DispatchQueue(label: "octopost.sandbox.signals")
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
            sources.append(source)
        }
    }

    private func fire() {
        lock.lock()
        fired = true
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if fired {
                lock.unlock()
                c.resume()
            } else {
                continuation = c
                lock.unlock()
            }
        }
    }
}
