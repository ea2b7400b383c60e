import Crypto
import Foundation

/// Posts parsed and linted by earlier runs, so that a plan when nothing changed does not parse again
/// (issue 8: a warm plan of 100,000 posts in at most 1 s).
///
/// One file under the git folder (`.git/octopost/cache/posts.bin`: never committed, never in the working
/// tree), holding for every post file its path, its blob id, the media files its lint looked at (with
/// what it saw) and what `PostSnapshot.load` made of it: the parsed post, its `content_sha256` and its
/// lint errors per target, or the errors that kept it from parsing.
///
/// An entry is used only for the same path and the same blob id (the same bytes), when every media file
/// it looked at is still seen the same way at the commit; the whole file only when it was written by the
/// same cache format, the same octopost build, for the same config bytes and time-zone data (the
/// fingerprint). Anything else (missing, truncated, corrupt, another version) is ignored and rebuilt:
/// the cache can always be deleted, and never changes what a plan decides. Written atomically
/// (temporary file, rename) and not fsynced: a torn file fails its checksum and is rebuilt.
public struct PostCache: Sendable {
    /// Raise when the encoding or what is cached changes.
    public static let formatVersion: UInt32 = 1
    /// Relative to the git folder.
    public static let defaultPath = "octopost/cache/posts.bin"

    public struct Entry: Sendable, Equatable {
        /// The result, moved out (no copy of the parsed post).
        consuming func takeResult() -> Result { result }

        public var path: String
        public var blobID: String
        /// Every media path the lint of this post inspected, with what it saw.
        public var media: [String: MediaInspection]
        public var result: Result

        public init(path: String, blobID: String, media: [String: MediaInspection], result: Result) {
            self.path = path
            self.blobID = blobID
            self.media = media
            self.result = result
        }
    }

    public enum Result: Sendable, Equatable {
        case post(PlannedPost)
        /// The errors that kept the file from being a post.
        case unparsed([Diagnostic])
    }

    public let fileSystem: any FileSystem
    public let path: String
    /// SHA-256 of the format version, the build id, the config's bytes and the time-zone data version.
    public let fingerprint: [UInt8]

    /// - Parameters:
    ///   - fileSystem: rooted at the git folder (the live one: `LocalFileSystem(root: gitDirectory)`).
    ///   - configBytes: the bytes of the config the posts are linted with.
    ///   - buildID: names the octopost build (its rules); a cache of another build is ignored.
    public init(fileSystem: any FileSystem, path: String = PostCache.defaultPath, configBytes: [UInt8],
                buildID: String) {
        self.fileSystem = fileSystem
        self.path = path
        var hasher = SHA256()
        var parts = ByteWriter()
        parts.uint(UInt64(Self.formatVersion))
        parts.string(buildID)
        parts.string(TimeZone.timeZoneDataVersion)
        parts.bytes(configBytes)
        hasher.update(data: parts.data)
        self.fingerprint = Array(hasher.finalize())
    }

    static let magic: [UInt8] = Array("octopost-post-cache\n".utf8)
    static let chunkSize = 512

    /// The cached entries, sorted by path; empty when there is no usable cache (never an error).
    public func load() -> [Entry] {
        guard let bytes = try? fileSystem.read(path) else { return [] }
        guard let chunks = Self.chunks(bytes, fingerprint: fingerprint) else { return [] }
        let decoded = ParallelMap.map(chunks) { range -> [Entry]? in
            bytes.withUnsafeBufferPointer { all in
                var reader = ByteReader(UnsafeBufferPointer(rebasing: all[range]))
                var entries: [Entry] = []
                do {
                    let count = try reader.count()
                    entries.reserveCapacity(count)
                    for _ in 0..<count { entries.append(try reader.entry()) }
                } catch { return nil }
                return reader.atEnd ? entries : nil
            }
        }
        var out: [Entry] = []
        out.reserveCapacity(decoded.reduce(0) { $0 + ($1?.count ?? 0) })
        for chunk in decoded {
            guard let chunk else { return [] }
            out += chunk
        }
        // Written sorted by path, one entry per path; anything else is not this cache's.
        for i in out.indices.dropFirst() where !(out[i - 1].path < out[i].path) { return [] }
        return out
    }

    /// Replaces the cache with `entries`. Returns false when it could not be written (the next run parses
    /// again; never an error).
    @discardableResult
    public func save(_ entries: [Entry]) -> Bool {
        let bytes = Self.encode(entries, fingerprint: fingerprint)
        do { try fileSystem.writeAtomically(bytes, to: path) } catch { return false }
        return true
    }

    /// Layout: magic, fingerprint (32 bytes), chunk count, then per chunk its length and checksum, then the
    /// chunks (entry count, entries). Chunks decode in parallel.
    static func encode(_ entries: [Entry], fingerprint: [UInt8]) -> [UInt8] {
        let sorted = entries.sorted { $0.path < $1.path }
        var bodies: [[UInt8]] = []
        var start = 0
        while start < sorted.count {
            let end = min(start + chunkSize, sorted.count)
            var w = ByteWriter()
            w.uint(UInt64(end - start))
            for entry in sorted[start..<end] { w.entry(entry) }
            bodies.append(w.data)
            start = end
        }
        var out = ByteWriter()
        out.data += magic
        out.data += fingerprint
        out.uint(UInt64(bodies.count))
        for body in bodies {
            out.uint(UInt64(body.count))
            out.uint(checksum(body[...]))
        }
        for body in bodies { out.data += body }
        return out.data
    }

    /// The byte ranges of the chunks, checked (header, fingerprint, lengths, checksums); nil when unusable.
    static func chunks(_ bytes: [UInt8], fingerprint: [UInt8]) -> [Range<Int>]? {
        let head = magic.count + fingerprint.count
        guard bytes.count >= head, bytes[0..<magic.count].elementsEqual(magic),
              bytes[magic.count..<head].elementsEqual(fingerprint) else { return nil }
        return bytes.withUnsafeBufferPointer { all -> [Range<Int>]? in
            var reader = ByteReader(UnsafeBufferPointer(rebasing: all[head...]))
            guard let count = try? reader.count() else { return nil }
            var table: [(Int, UInt64)] = []
            for _ in 0..<count {
                guard let length = try? reader.count(), let sum = try? reader.uint() else { return nil }
                table.append((length, sum))
            }
            var offset = head + reader.offset
            var ranges: [Range<Int>] = []
            for (length, _) in table {
                guard length <= bytes.count - offset else { return nil }
                ranges.append(offset..<offset + length)
                offset += length
            }
            guard offset == bytes.count else { return nil }
            let sums = ParallelMap.map(ranges) { checksum(bytes[$0]) }
            return zip(sums, table).allSatisfy { $0 == $1.1 } ? ranges : nil
        }
    }

    /// A fast 64-bit checksum (FNV-1a over 8-byte words): catches a torn or damaged file, not an attacker
    /// (who could write the cache could write the repository).
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x0000_0100_0000_01b3
            }
            for i in (words * 8)..<raw.count { h = (h ^ UInt64(raw[i])) &* 0x0000_0100_0000_01b3 }
        }
        return h ^ UInt64(bytes.count)
    }
}

/// Records what a post's lint asked the media inspector, for `PostCache.Entry.media`.
final class RecordingMediaInspector: MediaInspector, @unchecked Sendable {
    let base: any MediaInspector
    private let lock = NSLock()
    private var seen: [String: MediaInspection] = [:]

    init(base: any MediaInspector) { self.base = base }

    func inspect(_ repoRelativePath: String) -> MediaInspection {
        let result = base.inspect(repoRelativePath)
        lock.withLock { seen[repoRelativePath] = result }
        return result
    }

    var inspected: [String: MediaInspection] { lock.withLock { seen } }
}

// MARK: - Encoding

struct CacheDecodingError: Error {}

struct ByteWriter {
    var data: [UInt8] = []

    mutating func uint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            data.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        data.append(UInt8(v))
    }
    mutating func int(_ value: Int) { uint(UInt64(bitPattern: Int64(value)) << 1 ^ UInt64(bitPattern: Int64(value) >> 63)) }
    mutating func bool(_ value: Bool) { data.append(value ? 1 : 0) }
    mutating func bytes(_ value: [UInt8]) {
        uint(UInt64(value.count))
        data += value
    }
    mutating func string(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            uint(UInt64(utf8.count))
            data.append(contentsOf: utf8)
        }
    }
    mutating func optional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        if let value {
            data.append(1)
            write(&self, value)
        } else {
            data.append(0)
        }
    }
    mutating func array<T>(_ values: [T], _ write: (inout ByteWriter, T) -> Void) {
        uint(UInt64(values.count))
        for v in values { write(&self, v) }
    }

    mutating func location(_ l: SourceLocation) {
        int(l.line)
        int(l.column)
    }
    mutating func locatedString(_ l: Located<String>) {
        string(l.value)
        location(l.location)
    }
    mutating func target(_ t: PlatformTarget) {
        string(t.platform.rawValue)
        optional(t.account) { $0.string($1) }
    }
    mutating func mediaItem(_ m: MediaItem) {
        locatedString(m.url)
        optional(m.altText) { $0.locatedString($1) }
    }
    mutating func option(_ v: OptionValue) {
        switch v {
        case .string(let s): data.append(0); string(s)
        case .bool(let b): data.append(1); bool(b)
        case .int(let i): data.append(2); int(i)
        case .list(let l): data.append(3); array(l) { $0.string($1) }
        }
    }
    mutating func inspection(_ m: MediaInspection) {
        switch m {
        case .file(let size, let head): data.append(0); int(size); bytes(head)
        case .missing: data.append(1)
        case .notAFile: data.append(2)
        case .unreadable: data.append(4)
        case .symlink(let at): data.append(5); string(at)
        case .invalidPath(let why): data.append(6); string(why)
        }
    }
    mutating func diagnostic(_ d: Diagnostic) {
        string(d.file)
        int(d.line)
        int(d.column)
        bool(d.severity == .error)
        string(d.rule.rawValue)
        optional(d.platform) { $0.string($1) }
        string(d.message)
    }

    mutating func post(_ p: Post) {
        string(p.source)
        string(p.id)
        optional(p.idLocation) { $0.location($1) }
        array(p.platforms) { w, t in w.target(t.value); w.location(t.location) }
        optional(p.scheduledFor) { w, s in
            w.uint(s.value.instant.timeIntervalSinceReferenceDate.bitPattern)
            w.string(s.value.raw)
            w.bool(s.value.hadOffset)
            w.location(s.location)
        }
        bool(p.draft)
        array(p.media.images) { $0.mediaItem($1) }
        optional(p.media.video) { w, v in
            w.locatedString(v.url)
            w.optional(v.thumbnailURL) { $0.locatedString($1) }
        }
        optional(p.media.location) { $0.location($1) }
        array(p.segments) { w, s in
            w.locatedString(s.content)
            w.array(s.media) { $0.mediaItem($1) }
            w.location(s.location)
        }
        array(p.labels) { $0.string($1) }
        optional(p.title) { $0.locatedString($1) }
        optional(p.contentWarning) { $0.locatedString($1) }
        array(p.options.sorted { $0.key.rawValue < $1.key.rawValue }) { w, platform in
            w.string(platform.key.rawValue)
            w.array(platform.value.sorted { $0.key < $1.key }) { w, option in
                w.string(option.key)
                w.option(option.value.value)
                w.location(option.value.location)
            }
        }
        string(p.content)
        location(p.contentLocation)
        location(p.platformsLocation)
    }

    mutating func entry(_ e: PostCache.Entry) {
        string(e.path)
        string(e.blobID)
        array(e.media.sorted { $0.key < $1.key }) { w, m in w.string(m.key); w.inspection(m.value) }
        switch e.result {
        case .post(let planned):
            data.append(0)
            post(planned.post)
            string(planned.contentSHA256)
            array(planned.lintErrors.sorted { $0.key < $1.key }) { w, e in w.target(e.key); w.string(e.value) }
        case .unparsed(let diagnostics):
            data.append(1)
            array(diagnostics) { $0.diagnostic($1) }
        }
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and throws on bad input (never traps).
struct ByteReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    var atEnd: Bool { offset == buffer.count }

    mutating func byte() throws(CacheDecodingError) -> UInt8 {
        guard offset < buffer.count else { throw CacheDecodingError() }
        defer { offset += 1 }
        return buffer[offset]
    }
    mutating func uint() throws(CacheDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw CacheDecodingError() }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
    mutating func int() throws(CacheDecodingError) -> Int {
        let u = try uint()
        return Int(Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
    }
    /// A length or count: never more than the bytes left (each element takes at least one byte).
    mutating func count() throws(CacheDecodingError) -> Int {
        let n = try uint()
        guard n <= UInt64(buffer.count - offset) else { throw CacheDecodingError() }
        return Int(n)
    }
    mutating func bool() throws(CacheDecodingError) -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        default: throw CacheDecodingError()
        }
    }
    mutating func bytes() throws(CacheDecodingError) -> [UInt8] {
        let n = try count()
        defer { offset += n }
        return Array(UnsafeBufferPointer(rebasing: buffer[offset..<offset + n]))
    }
    mutating func string() throws(CacheDecodingError) -> String {
        let n = try count()
        defer { offset += n }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[offset..<offset + n]), as: UTF8.self)
    }
    mutating func optional<T>(_ read: (inout ByteReader) throws(CacheDecodingError) -> T) throws(CacheDecodingError) -> T? {
        try bool() ? try read(&self) : nil
    }
    mutating func array<T>(_ read: (inout ByteReader) throws(CacheDecodingError) -> T) throws(CacheDecodingError) -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }

    mutating func location() throws(CacheDecodingError) -> SourceLocation {
        SourceLocation(line: try int(), column: try int())
    }
    mutating func locatedString() throws(CacheDecodingError) -> Located<String> {
        let value = try string()
        return Located(value, at: try location())
    }
    mutating func platform() throws(CacheDecodingError) -> Platform {
        guard let p = Platform(rawValue: try string()) else { throw CacheDecodingError() }
        return p
    }
    mutating func target() throws(CacheDecodingError) -> PlatformTarget {
        let platform = try platform()
        return PlatformTarget(platform: platform, account: try optional { r throws(CacheDecodingError) in try r.string() })
    }
    mutating func mediaItem() throws(CacheDecodingError) -> MediaItem {
        let url = try locatedString()
        return MediaItem(url: url, altText: try optional { r throws(CacheDecodingError) in try r.locatedString() })
    }
    mutating func option() throws(CacheDecodingError) -> OptionValue {
        switch try byte() {
        case 0: .string(try string())
        case 1: .bool(try bool())
        case 2: .int(try int())
        case 3: .list(try array { r throws(CacheDecodingError) in try r.string() })
        default: throw CacheDecodingError()
        }
    }
    mutating func inspection() throws(CacheDecodingError) -> MediaInspection {
        switch try byte() {
        case 0:
            let size = try int()
            return .file(size: size, head: try bytes())
        case 1: return .missing
        case 2: return .notAFile
        case 4: return .unreadable
        case 5: return .symlink(at: try string())
        case 6: return .invalidPath(try string())
        default: throw CacheDecodingError()
        }
    }
    mutating func diagnostic() throws(CacheDecodingError) -> Diagnostic {
        let file = try string()
        let line = try int(), column = try int()
        let severity: Severity = try bool() ? .error : .warning
        guard let rule = LintRule(rawValue: try string()) else { throw CacheDecodingError() }
        let platform = try optional { r throws(CacheDecodingError) in try r.string() }
        return Diagnostic(file: file, location: SourceLocation(line: line, column: column), severity: severity,
                          rule: rule, platform: platform, message: try string())
    }

    mutating func post() throws(CacheDecodingError) -> Post {
        let source = try string()
        let id = try string()
        let idLocation = try optional { r throws(CacheDecodingError) in try r.location() }
        let platforms = try array { r throws(CacheDecodingError) in
            let t = try r.target()
            return Located(t, at: try r.location())
        }
        let scheduled = try optional { r throws(CacheDecodingError) -> Located<Schedule> in
            let instant = Date(timeIntervalSinceReferenceDate: Double(bitPattern: try r.uint()))
            let raw = try r.string()
            let hadOffset = try r.bool()
            return Located(Schedule(instant: instant, raw: raw, hadOffset: hadOffset), at: try r.location())
        }
        let draft = try bool()
        let images = try array { r throws(CacheDecodingError) in try r.mediaItem() }
        let video = try optional { r throws(CacheDecodingError) -> VideoItem in
            let url = try r.locatedString()
            return VideoItem(url: url, thumbnailURL: try r.optional { r throws(CacheDecodingError) in try r.locatedString() })
        }
        let mediaLocation = try optional { r throws(CacheDecodingError) in try r.location() }
        let segments = try array { r throws(CacheDecodingError) -> Segment in
            let content = try r.locatedString()
            let media = try r.array { r throws(CacheDecodingError) in try r.mediaItem() }
            return Segment(content: content, media: media, location: try r.location())
        }
        let labels = try array { r throws(CacheDecodingError) in try r.string() }
        let title = try optional { r throws(CacheDecodingError) in try r.locatedString() }
        let contentWarning = try optional { r throws(CacheDecodingError) in try r.locatedString() }
        var options: [Platform: [String: Located<OptionValue>]] = [:]
        for _ in 0..<(try count()) {
            let platform = try platform()
            var values: [String: Located<OptionValue>] = [:]
            for _ in 0..<(try count()) {
                let key = try string()
                let value = try option()
                values[key] = Located(value, at: try location())
            }
            options[platform] = values
        }
        let content = try string()
        let contentLocation = try location()
        let platformsLocation = try location()
        return Post(source: source, id: id, idLocation: idLocation, platforms: platforms, scheduledFor: scheduled,
                    draft: draft, media: Media(images: images, video: video, location: mediaLocation), segments: segments,
                    labels: labels, title: title, contentWarning: contentWarning, options: options, content: content,
                    contentLocation: contentLocation, platformsLocation: platformsLocation)
    }

    mutating func entry() throws(CacheDecodingError) -> PostCache.Entry {
        let path = try string()
        let blobID = try string()
        var media: [String: MediaInspection] = [:]
        for _ in 0..<(try count()) {
            let key = try string()
            media[key] = try inspection()
        }
        let result: PostCache.Result
        switch try byte() {
        case 0:
            let post = try post()
            let sha = try string()
            var lintErrors: [PlatformTarget: String] = [:]
            for _ in 0..<(try count()) {
                let target = try target()
                lintErrors[target] = try string()
            }
            result = .post(PlannedPost(post: post, contentSHA256: sha, lintErrors: lintErrors))
        case 1:
            result = .unparsed(try array { r throws(CacheDecodingError) in try r.diagnostic() })
        default:
            throw CacheDecodingError()
        }
        return PostCache.Entry(path: path, blobID: blobID, media: media, result: result)
    }
}
