import ArgumentParser
import Foundation
import OctopostKit

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Print each platform's counted length and limit for a text.",
        discussion: "Counts as each platform does: X weighted length, Bluesky graphemes and bytes, Mastodon with URLs as 23, and so on.")

    @Option(name: .customLong("platform"), parsing: .singleValue,
            help: "A platform to count for (repeatable or comma-separated; default: all twelve).")
    var platforms: [String] = []

    @Flag(name: .customLong("with-media"), help: "Count as a post that carries media (Telegram caption limit).")
    var withMedia = false

    @Option(name: .customLong("format"), help: "text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("mastodon-limit"), help: "The Mastodon instance's max_characters (default 500).")
    var mastodonLimit: Int = 500

    @Argument(help: "The text, or - (or nothing) to read standard input.")
    var text: String?

    func validate() throws {
        for name in selectedNames where Platform(rawValue: name) == nil {
            throw ValidationError("unknown platform '\(name)'\(Suggest.hint(for: name, in: Platform.allCases.map(\.rawValue)))")
        }
        if mastodonLimit < 1 { throw ValidationError("--mastodon-limit must be positive") }
    }

    var selectedNames: [String] {
        platforms.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    struct Row: Encodable {
        var platform: String
        var length: Int
        var limit: Int
        var valid: Bool
        var unit: String
        var measures: [Measure]
        var problems: [String]
    }

    func run() throws {
        var input: String
        if let text, text != "-" {
            input = text
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let s = String(data: data, encoding: .utf8) else {
                throw CommandFailure("standard input is not valid UTF-8")
            }
            input = s
            if input.hasSuffix("\n") { input.removeLast() }
        }
        let names = selectedNames
        let selected = names.isEmpty ? Platform.allCases : names.compactMap(Platform.init(rawValue:))
        let context = CountContext(hasMedia: withMedia, mastodonLimit: mastodonLimit)
        let rows = selected.map { p in
            let c = Counters.count(input, on: p, context: context)
            return Row(platform: p.rawValue, length: c.length, limit: c.limit, valid: c.isValid,
                       unit: c.measures.first?.unit ?? "characters", measures: c.measures, problems: c.problems)
        }
        switch format {
        case .json:
            Console.out(JSONOutput.string(rows))
        case .text:
            let width = rows.map(\.platform.count).max() ?? 8
            for r in rows {
                let pad = String(repeating: " ", count: width - r.platform.count)
                var line = "\(r.platform)\(pad)  \(r.length)/\(r.limit) \(r.unit)"
                for m in r.measures.dropFirst() { line += ", \(m.value)/\(m.limit) \(m.unit)" }
                line += r.valid ? "  ok" : "  too long"
                if let first = r.measures.first, first.value < first.minimum { line = line.replacingOccurrences(of: "too long", with: "empty") }
                for p in r.problems { line += " (\(p))" }
                Console.out(line)
            }
        }
    }
}
