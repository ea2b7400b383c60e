/// Splits a post file into its YAML front matter and its body, working on bytes.
/// Accepts CRLF line endings and a UTF-8 byte-order mark.
public struct SplitPost: Sendable {
    /// The YAML text between the `---` lines (line endings as written).
    public var yaml: String
    /// File line number of the first YAML line.
    public var yamlFirstLine: Int
    /// The body, trimmed of leading and trailing blank lines, with LF line endings.
    public var body: String
    /// File line number of the first body line.
    public var bodyFirstLine: Int
}

public enum FrontMatterError: Error, Equatable, Sendable {
    case empty
    case tooLarge(bytes: Int, limit: Int)
    case nulByte(line: Int)
    case invalidUTF8(line: Int)
    case missingFrontMatter
    case unterminated(openedAt: Int)

    public var line: Int {
        switch self {
        case .nulByte(let l), .invalidUTF8(let l): l
        case .unterminated(let l): l
        default: 1
        }
    }

    public var rule: LintRule {
        switch self {
        case .empty, .missingFrontMatter, .unterminated: .frontMatter
        case .tooLarge: .fileSize
        case .nulByte, .invalidUTF8: .encoding
        }
    }

    public var message: String {
        switch self {
        case .empty: "the file is empty: a post starts with a front matter block between '---' lines"
        case .tooLarge(let bytes, let limit):
            "the file is \(bytes) bytes; a post file may be at most \(limit) bytes (put large media under media/)"
        case .nulByte: "the file contains a NUL byte: posts are UTF-8 text"
        case .invalidUTF8: "the file is not valid UTF-8: save it as UTF-8"
        case .missingFrontMatter: "no front matter: a post starts with a line '---', its YAML fields, then '---'"
        case .unterminated: "the front matter opened here is never closed with a '---' line"
        }
    }
}

public enum FrontMatterSplitter {
    /// Largest post file read (posts are text; media live in separate files).
    public static let maxFileSize = 1 << 20

    public static func split(_ input: [UInt8]) -> Result<SplitPost, FrontMatterError> {
        if input.isEmpty { return .failure(.empty) }
        if input.count > maxFileSize { return .failure(.tooLarge(bytes: input.count, limit: maxFileSize)) }
        var start = 0
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { start = 3 }
        if let nul = input[start...].firstIndex(of: 0) { return .failure(.nulByte(line: lineNumber(of: nul, in: input))) }
        if let bad = firstInvalidUTF8(input, from: start) {
            return .failure(.invalidUTF8(line: lineNumber(of: bad, in: input)))
        }
        // Line boundaries: (start, endExcludingNewline)
        var lines: [(Int, Int)] = []
        lines.reserveCapacity(64)
        var lineStart = start
        var i = start
        let n = input.count
        while i < n {
            if input[i] == 0x0A {
                var end = i
                if end > lineStart, input[end - 1] == 0x0D { end -= 1 }
                lines.append((lineStart, end))
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < n {
            var end = n
            if input[end - 1] == 0x0D { end -= 1 }
            lines.append((lineStart, end))
        }
        func isDelimiter(_ line: (Int, Int)) -> Bool {
            var e = line.1
            while e > line.0, input[e - 1] == 0x20 || input[e - 1] == 0x09 { e -= 1 }
            return e - line.0 == 3 && input[line.0] == 0x2D && input[line.0 + 1] == 0x2D && input[line.0 + 2] == 0x2D
        }
        guard let first = lines.first, isDelimiter(first) else {
            if lines.allSatisfy({ $0.0 == $0.1 }) { return .failure(.empty) }
            return .failure(.missingFrontMatter)
        }
        guard let close = lines.indices.dropFirst().first(where: { isDelimiter(lines[$0]) }) else {
            return .failure(.unterminated(openedAt: 1))
        }
        let yamlStart = lines[0].1 < n ? (lines.count > 1 ? lines[1].0 : lines[0].1) : n
        let yamlEnd = lines[close].0
        let yaml = String(decoding: input[min(yamlStart, yamlEnd)..<yamlEnd], as: UTF8.self)

        // Body: skip blank lines at both ends, join with LF.
        var bodyFirst = close + 1
        func isBlank(_ l: (Int, Int)) -> Bool {
            input[l.0..<l.1].allSatisfy { $0 == 0x20 || $0 == 0x09 }
        }
        while bodyFirst < lines.count, isBlank(lines[bodyFirst]) { bodyFirst += 1 }
        var bodyLast = lines.count - 1
        while bodyLast >= bodyFirst, isBlank(lines[bodyLast]) { bodyLast -= 1 }
        var body = ""
        if bodyFirst <= bodyLast {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(lines[bodyLast].1 - lines[bodyFirst].0)
            for k in bodyFirst...bodyLast {
                if k > bodyFirst { bytes.append(0x0A) }
                bytes.append(contentsOf: input[lines[k].0..<lines[k].1])
            }
            body = String(decoding: bytes, as: UTF8.self)
        }
        return .success(SplitPost(yaml: yaml, yamlFirstLine: 2, body: body,
                                  bodyFirstLine: min(bodyFirst, lines.count) + 1))
    }

    static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for k in 0..<min(offset, bytes.count) where bytes[k] == 0x0A { line += 1 }
        return line
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8], from start: Int) -> Int? {
        // Fast path: ASCII runs.
        var i = start
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let len: Int
            var minScalar: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: len = 2; scalar = UInt32(b & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: len = 3; scalar = UInt32(b & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: len = 4; scalar = UInt32(b & 0x07); minScalar = 0x10000
            default: return i
            }
            guard i + len <= n else { return i }
            for k in 1..<len {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            minScalar = 0
            i += len
        }
        return nil
    }
}
