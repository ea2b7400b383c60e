import Foundation
import OctopostKit

/// The emulators read requests and write answers with the same JSON value octopost itself uses
/// (`JSONValue`, with its reading helpers), so integers stay exact and there is one JSON type.
public typealias JSON = JSONValue

extension JSONValue {
    /// `.string(s)` or `.null`.
    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
}

/// Reads an `application/x-www-form-urlencoded` body (Mastodon and Telegram accept forms) as JSON:
/// `media_ids[]=1&media_ids[]=2` becomes an array, `poll[options][]` is kept flat by name.
enum FormBody {
    static func parse(_ data: Data) -> JSON {
        let text = String(decoding: data, as: UTF8.self)
        var object: [String: JSON] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            if name.hasSuffix("[]") {
                let key = String(name.dropLast(2))
                var list = object[key]?.array ?? []
                list.append(.string(value))
                object[key] = .array(list)
            } else if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
                // reply_parameters[message_id]=5 → {"reply_parameters": {"message_id": "5"}}
                let key = String(name[..<open])
                let sub = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                var nested = object[key]?.object ?? [:]
                nested[sub] = .string(value)
                object[key] = .object(nested)
            } else {
                object[name] = .string(value)
            }
        }
        return .object(object)
    }

    private static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }
}
