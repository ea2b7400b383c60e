import ArgumentParser
import Foundation
import OctopostKit

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count", abstract: "Print each platform's counted length and limit for a text.")

    @Option(name: .customLong("platform"), help: "A platform to count for (repeatable; default: all twelve).")
    var platforms: [String] = []

    @Flag(name: .customLong("with-media"), help: "Count as a post that carries media (captions).")
    var withMedia = false

    @Argument(help: "The text, or - for standard input.")
    var text: String = "-"

    func run() throws {
        let input = text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
        for p in Platform.allCases where platforms.isEmpty || platforms.contains(p.rawValue) {
            let c = Counters.count(input, on: p, context: CountContext(hasMedia: withMedia))
            print("\(p.rawValue): \(c.length)/\(c.limit)")
        }
    }
}
