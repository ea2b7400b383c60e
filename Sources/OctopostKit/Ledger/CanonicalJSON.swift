import Foundation

/// A JSON document as a value: what the canonical writer renders.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        // Order matters: Foundation refuses a number as Bool and a Bool as a number, and an integral
        // number must stay an integer.
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// The deterministic JSON form octopost writes to the repository (ledger, metrics, inbox; SPEC §3):
/// keys sorted by code point, two-space indentation, `"key": value`, one key or array item per line,
/// `{}` and `[]` for empty containers, `/` and non-ASCII text written as they are, a final newline.
/// Foundation's `prettyPrinted` writes `"key" : value`, so the rendering is done here.
public enum CanonicalJSON {
    /// Renders a value, ending with a newline.
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        out.append("\n")
        return out
    }

    /// Encodes a Codable value through Foundation (so `CodingKeys` and nil-omission apply) and renders it.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let data = try JSONEncoder().encode(value)
        let tree = try JSONDecoder().decode(JSONValue.self, from: data)
        return Array(render(tree).utf8)
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .double(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 { out.append(String(Int(d))) }
            else if d.isFinite { out.append(String(d)) }
            else { out.append("null") }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out.append("[]"); return }
            out.append("[\n")
            for (n, item) in items.enumerated() {
                pad(indent + 1, &out)
                write(item, indent: indent + 1, into: &out)
                out.append(n == items.count - 1 ? "\n" : ",\n")
            }
            pad(indent, &out)
            out.append("]")
        case .object(let members):
            guard !members.isEmpty else { out.append("{}"); return }
            out.append("{\n")
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } }
            for (n, key) in keys.enumerated() {
                pad(indent + 1, &out)
                writeString(key, into: &out)
                out.append(": ")
                write(members[key] ?? .null, indent: indent + 1, into: &out)
                out.append(n == keys.count - 1 ? "\n" : ",\n")
            }
            pad(indent, &out)
            out.append("}")
        }
    }

    private static func pad(_ level: Int, _ out: inout String) {
        out.append(String(repeating: "  ", count: level))
    }

    private static func writeString(_ s: String, into out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }
}
