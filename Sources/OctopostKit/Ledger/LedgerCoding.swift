import Foundation

/// A ledger file that cannot be used. Every case names the file; none is ever a crash.
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not JSON (or not a JSON object).
    case invalidJSON(file: String, detail: String)
    /// The JSON does not describe a ledger record: `field` is a dotted path such as
    /// `platform_results.mastodon.status`.
    case invalidRecord(file: String, field: String, detail: String)
    /// The record's `id` is not the one its path says.
    case idMismatch(file: String, expected: String, found: String)
    /// Reading, listing or writing failed.
    case io(file: String, detail: String)

    public var file: String {
        switch self {
        case .invalidJSON(let f, _), .invalidRecord(let f, _, _), .idMismatch(let f, _, _), .io(let f, _): f
        }
    }

    public var description: String {
        let fix = "; fix the file or restore it from git history (git log -p -- \(file))"
        switch self {
        case .invalidJSON(let f, let d): return "\(f): not a valid ledger file: \(d)\(fix)"
        case .invalidRecord(let f, let field, let d):
            return "\(f): \(field.isEmpty ? "" : field + ": ")\(d)\(fix)"
        case .idMismatch(let f, let expected, let found):
            return "\(f): the record's id is '\(found)' but its path says '\(expected)'\(fix)"
        case .io(let f, let d): return "\(f): \(d)"
        }
    }
}

/// Reading and writing `ledger/<id>.json`.
enum LedgerCoding {
    static func decode(_ bytes: [UInt8], file: String) throws(LedgerError) -> LedgerRecord {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let data = Data(body)
        let tree: JSONValue
        do { tree = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .invalidJSON(file: file, detail: body.allSatisfy(isSpace) ? "the file is empty" : jsonDetail(error))
        }
        guard case .object = tree else {
            throw .invalidJSON(file: file, detail: "expected a JSON object at the top level")
        }
        let record: LedgerRecord
        do { record = try JSONDecoder().decode(LedgerRecord.self, from: data) } catch let error as DecodingError {
            throw recordError(error, tree: tree, file: file)
        } catch {
            throw .invalidJSON(file: file, detail: String(describing: error))
        }
        try validate(record, file: file)
        return record
    }

    static func encode(_ record: LedgerRecord) -> [UInt8] {
        Array(CanonicalJSON.render(record.jsonValue).utf8)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private static func jsonDetail(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let ctx) = error {
            if let underlying = ctx.underlyingError {
                let text = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
                    ?? String(describing: underlying)
                return "invalid JSON (\(text))"
            }
            return "invalid JSON (\(ctx.debugDescription))"
        }
        return "invalid JSON"
    }

    private static func recordError(_ error: DecodingError, tree: JSONValue, file: String) -> LedgerError {
        func path(_ keys: [any CodingKey]) -> [String] {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        }
        func dotted(_ parts: [String]) -> String {
            parts.reduce("") { acc, p in p.hasPrefix("[") || acc.isEmpty ? acc + p : acc + "." + p }
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return .invalidRecord(file: file, field: dotted(path(ctx.codingPath)), detail: "missing key '\(key.stringValue)'")
        case .valueNotFound(_, let ctx):
            return .invalidRecord(file: file, field: dotted(path(ctx.codingPath)), detail: "null where a value is required")
        case .typeMismatch(let type, let ctx):
            let parts = path(ctx.codingPath)
            let found = value(at: parts, in: tree).map(describe) ?? "something else"
            return .invalidRecord(file: file, field: dotted(parts), detail: "expected \(typeName(type)), found \(found)")
        case .dataCorrupted(let ctx):
            let parts = path(ctx.codingPath)
            let found = value(at: parts, in: tree)
            let last = parts.last ?? ""
            let allowed: [String]? = switch last {
            case "status" where parts.count == 1: PostStatus.allCases.map(\.rawValue)
            case "status": EntryStatus.allCases.map(\.rawValue)
            case "error_kind": ["transient", "permanent"]
            default: nil
            }
            if let allowed, case .string(let s)? = found {
                return .invalidRecord(file: file, field: dotted(parts),
                                      detail: "unknown value '\(s)' (expected one of \(allowed.joined(separator: ", ")))")
            }
            return .invalidRecord(file: file, field: dotted(parts), detail: ctx.debugDescription)
        @unknown default:
            return .invalidRecord(file: file, field: "", detail: String(describing: error))
        }
    }

    private static func value(at parts: [String], in tree: JSONValue) -> JSONValue? {
        var node = tree
        for p in parts {
            if p.hasPrefix("["), let i = Int(p.dropFirst().dropLast()), case .array(let a) = node, a.indices.contains(i) {
                node = a[i]
            } else if case .object(let o) = node, let next = o[p] {
                node = next
            } else {
                return nil
            }
        }
        return node
    }

    private static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .int(let i): "the number \(i)"
        case .double(let d): "the number \(d)"
        case .string(let s): "the string \"\(s)\""
        case .array: "a list"
        case .object: "an object"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [SegmentResult].Type, is [Any].Type: "a list"
        default: "an object"
        }
    }

    private static func validate(_ r: LedgerRecord, file: String) throws(LedgerError) {
        if let problem = PostID.problem(r.id) {
            throw .invalidRecord(file: file, field: "id", detail: "'\(r.id)' \(problem)")
        }
        if let p = r.publishedAt { try timestamp(p, "published_at", file) }
        try timestamp(r.updatedAt, "updated_at", file)
        for (key, entry) in r.platformResults {
            if case .failure = PlatformTarget.parse(key) {
                throw .invalidRecord(file: file, field: "platform_results.\(key)",
                                     detail: "'\(key)' is not a platform target (NAME or NAME:ACCOUNT)")
            }
            let base = "platform_results.\(key)."
            if entry.attempts < 0 { throw .invalidRecord(file: file, field: base + "attempts", detail: "must not be negative") }
            if let r = entry.retries, r < 0 { throw .invalidRecord(file: file, field: base + "retries", detail: "must not be negative") }
            if let h = entry.contentSHA256, !isSHA256Hex(h) {
                throw .invalidRecord(file: file, field: base + "content_sha256", detail: "must be 64 lower-case hex digits")
            }
            for (name, value) in [("next_attempt_at", entry.nextAttemptAt), ("lease_until", entry.leaseUntil),
                                  ("first_attempt_at", entry.firstAttemptAt), ("published_at", entry.publishedAt)] {
                if let value { try timestamp(value, base + name, file) }
            }
        }
    }

    private static func isSHA256Hex(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func timestamp(_ text: String, _ field: String, _ file: String) throws(LedgerError) {
        do { _ = try Timestamp.resolve(text, timeZone: nil) } catch {
            throw .invalidRecord(file: file, field: field, detail: "'\(text)' is not an RFC 3339 time with an offset")
        }
    }
}

extension SegmentResult {
    var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["post_id": .string(postID)]
        if let postURL { o["post_url"] = .string(postURL) }
        if let cid { o["cid"] = .string(cid) }
        return .object(o)
    }
}

extension PlatformResult {
    var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["status": .string(status.rawValue), "success": .bool(success), "attempts": .int(attempts)]
        func put(_ key: String, _ value: String?) { if let value { o[key] = .string(value) } }
        put("post_id", postID)
        put("post_url", postURL)
        if let segments { o["segments"] = .array(segments.map(\.jsonValue)) }
        put("error", error)
        put("error_kind", errorKind?.rawValue)
        put("next_attempt_at", nextAttemptAt)
        put("run_id", runID)
        put("lease_until", leaseUntil)
        put("first_attempt_at", firstAttemptAt)
        put("published_at", publishedAt)
        if let retries { o["retries"] = .int(retries) }
        put("content_sha256", contentSHA256)
        return .object(o)
    }
}

extension LedgerRecord {
    /// The record as the JSON tree written to `ledger/<id>.json`.
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "source": .string(source), "content_sha256": .string(contentSHA256),
            "platform_results": .object(platformResults.mapValues(\.jsonValue)),
            "status": .string(status.rawValue), "updated_at": .string(updatedAt),
        ]
        if let publishedAt { o["published_at"] = .string(publishedAt) }
        return .object(o)
    }
}
