// libyaml as Yams bundles it: its event parser is a state machine (no recursion, nesting capped at 1000),
// so a pass over the events costs what the text costs, whatever the aliases in it.
import CYaml

/// Bounded parsing: a pass over libyaml's events before Yams builds the node tree.
///
/// Yams resolves an alias to a copy of its anchored node, so a few hundred bytes of anchors that each
/// repeat the previous one describe a tree of billions of nodes. Nothing that large is built (copies are
/// shared), but whatever walks the whole tree pays for all of it: Yams hashes every mapping key to find
/// duplicates, and the config's secret scan visits every value. So, before either:
/// - no alias is used in a mapping key, not as the key nor inside one (a key's hash would walk it all);
/// - where the whole tree is walked (`octopost.yaml`), the nodes that aliases add, counted as if written
///   out, stay within a small budget. Posts are read field by field, never walking an alias's content
///   twice, so aliases in their values stay as they are.
/// Each is a located error at the alias that breaks it.
public enum YAMLBounds {
    /// Nodes that aliases may add to `octopost.yaml`, counted as if every alias were written out.
    public static let configAliasBudget = 10_000

    public struct Violation: Error, Equatable, Sendable {
        /// 1-based, within the YAML text given.
        public var line: Int
        public var column: Int
        public var message: String
    }

    /// The first alias that breaks a bound, or nil. Syntax errors are left to the parser proper (nil).
    public static func check(_ yaml: String, aliasBudget: Int? = nil) -> Violation? {
        var bytes = Array(yaml.utf8)
        // A quick exit for the usual file: no '*', no alias.
        guard bytes.contains(UInt8(ascii: "*")) else { return nil }
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count - 1)
            var scan = Scan(budget: aliasBudget)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                let at = (line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    scan.startDocument()
                case YAML_SCALAR_EVENT:
                    scan.leaf(anchor: name(event.data.scalar.anchor))
                case YAML_SEQUENCE_START_EVENT:
                    scan.open(anchor: name(event.data.sequence_start.anchor), mapping: false)
                case YAML_MAPPING_START_EVENT:
                    scan.open(anchor: name(event.data.mapping_start.anchor), mapping: true)
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    scan.close()
                case YAML_ALIAS_EVENT:
                    let alias = name(event.data.alias.anchor) ?? ""
                    if let message = scan.alias(alias) {
                        return Violation(line: at.line, column: at.column, message: message)
                    }
                default:
                    break
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// The open collections and what each anchor stands for, counted in written-out nodes.
    private struct Scan {
        struct Frame {
            var anchor: String?
            var mapping: Bool
            var nextIsKey: Bool
            /// This collection is (part of) a mapping key.
            var inKey: Bool
            var size: Int
        }
        let budget: Int?
        var frames: [Frame] = []
        var sizes: [String: Int] = [:]
        var expanded = 0

        init(budget: Int?) { self.budget = budget }

        mutating func startDocument() {
            frames = []
            sizes = [:]
            expanded = 0
        }

        /// The next node is a mapping key or part of one.
        var atKey: Bool { frames.last.map { $0.inKey || ($0.mapping && $0.nextIsKey) } ?? false }

        /// A finished node of `size` nodes: counted in its parent, and the parent moves on (key, value, key…).
        mutating func finished(size: Int, anchor: String?) {
            if let anchor { sizes[anchor] = size }
            guard !frames.isEmpty else { return }
            frames[frames.count - 1].size = frames[frames.count - 1].size &+ size
            if frames[frames.count - 1].mapping { frames[frames.count - 1].nextIsKey.toggle() }
        }

        mutating func leaf(anchor: String?) { finished(size: 1, anchor: anchor) }

        mutating func open(anchor: String?, mapping: Bool) {
            frames.append(Frame(anchor: anchor, mapping: mapping, nextIsKey: true, inKey: atKey, size: 1))
        }

        mutating func close() {
            guard let frame = frames.popLast() else { return }
            finished(size: frame.size, anchor: frame.anchor)
        }

        mutating func alias(_ anchor: String) -> String? {
            if atKey {
                return "an alias (*\(anchor)) cannot be used in a field name: write the name out"
            }
            let size = sizes[anchor] ?? 1  // an undefined alias is the parser's error to report
            expanded = min(expanded &+ size, Int.max / 2)
            if let budget, expanded > budget {
                return "the aliases up to here (*\(anchor)) repeat more than \(budget) values: "
                    + "write the values out instead of repeating anchors"
            }
            finished(size: size, anchor: nil)
            return nil
        }
    }
}
