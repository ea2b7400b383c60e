import ArgumentParser

/// A command that stops, with its exit code (SPEC §6) and the lines that say why. Thrown where the
/// failure is found; printed once, to standard error, by `OctopostEntry.run` (or by `sync --watch`,
/// which reports a failed check and carries on).
///
/// Exit codes: 1 lint errors, or entries that failed in a sync; 2 a usage, configuration or repository
/// error (the default).
struct CommandFailure: Error, Sendable {
    /// The process's exit code.
    let exitCode: Int32
    /// Whole lines for standard error, in order (`error: …`, or located diagnostics); may be empty when
    /// the output already said it (lint findings, a sync's failed entries).
    let lines: [String]

    /// One line, `error: <message>`.
    init(_ message: String, exitCode: Int32 = 2) {
        self.init(lines: ["error: " + message], exitCode: exitCode)
    }

    init(lines: [String], exitCode: Int32 = 2) {
        self.exitCode = exitCode
        self.lines = lines
    }

    /// An exit code and nothing more to say.
    static func exit(_ code: Int32) -> CommandFailure { CommandFailure(lines: [], exitCode: code) }

    /// Writes the lines to standard error.
    func report() {
        for line in lines { Console.error(line) }
    }
}
