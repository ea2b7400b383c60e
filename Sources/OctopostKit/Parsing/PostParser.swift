import Foundation
import Yams

/// A post file read into the model, with every problem found on the way.
public struct ParsedPost: Sendable {
    public var post: Post?
    public var diagnostics: [Diagnostic]
}

/// Reads a post file's bytes into a `Post`. Each field rule of SPEC §2 is checked here, with the
/// line and column of the offending value; platform rules are the linter's.
public struct PostParser: Sendable {
    public static let fields = ["id", "platforms", "scheduled_for", "draft", "media", "segments", "labels", "title",
                                "content_warning", "options"]
    public static let maxSegments = 24
    public static let maxSegmentCharacters = 5000
    public static let maxImages = 4

    /// The content folder, relative to the repository root (ids derive from paths under it).
    public var contentDirectory: String
    public var timeZone: TimeZone?

    public init(contentDirectory: String = "content", timeZone: TimeZone? = nil) {
        self.contentDirectory = contentDirectory
        self.timeZone = timeZone
    }

    /// The id a post at `path` gets without an explicit `id:`.
    public func derivedID(for path: String) -> String {
        var p = path
        let prefix = contentDirectory.hasSuffix("/") ? contentDirectory : contentDirectory + "/"
        if p.hasPrefix(prefix) { p.removeFirst(prefix.count) }
        if p.hasSuffix(".md") { p.removeLast(3) }
        return p
    }

    public func parse(bytes: [UInt8], path: String) -> ParsedPost {
        let split: SplitPost
        switch FrontMatterSplitter.split(bytes) {
        case .success(let s): split = s
        case .failure(let error):
            return ParsedPost(post: nil, diagnostics: [
                Diagnostic(file: path, location: SourceLocation(line: error.line, column: 1), rule: error.rule,
                           message: error.message),
            ])
        }
        var walker = Walker(path: path, lineOffset: split.yamlFirstLine - 1, timeZone: timeZone)
        let root: Node?
        do {
            root = try Walker.compose(split.yaml)
        } catch {
            return ParsedPost(post: nil, diagnostics: [walker.yamlDiagnostic(error)])
        }
        let contentLocation = SourceLocation(line: split.bodyFirstLine, column: 1)
        guard let root, let mapping = root.mapping else {
            let what = root == nil ? "the front matter is empty" : "the front matter must be a map of fields"
            return ParsedPost(post: nil, diagnostics: [
                Diagnostic(file: path, location: SourceLocation(line: split.yamlFirstLine, column: 1),
                           rule: .frontMatter, message: "\(what); 'platforms' is required"),
            ])
        }
        var post = Post(source: path, id: derivedID(for: path), platforms: [], content: split.body,
                        contentLocation: contentLocation,
                        platformsLocation: SourceLocation(line: split.yamlFirstLine, column: 1))
        var sawPlatforms = false
        var sawID = false
        for (keyNode, value) in mapping {
            let keyLoc = walker.location(keyNode)
            guard let key = keyNode.scalar?.string else {
                walker.error(keyLoc, .frontMatter, "a field name must be a plain word")
                continue
            }
            switch key {
            case "id":
                sawID = true
                guard let id = walker.string(value, field: "id") else { continue }
                if let problem = PostID.problem(id.value) {
                    walker.error(id.location, .id, "id '\(id.value)' \(problem)")
                } else {
                    post.id = id.value
                    post.idLocation = id.location
                }
            case "platforms":
                sawPlatforms = true
                post.platformsLocation = keyLoc
                post.platforms = walker.platforms(value, keyLocation: keyLoc)
            case "scheduled_for":
                post.scheduledFor = walker.schedule(value)
            case "draft":
                if let b = walker.bool(value, field: "draft") { post.draft = b }
            case "media":
                post.media = walker.media(value)
            case "segments":
                post.segments = walker.segments(value)
            case "labels":
                post.labels = walker.stringList(value, field: "labels").map(\.value)
            case "title":
                post.title = walker.string(value, field: "title")
            case "content_warning":
                post.contentWarning = walker.string(value, field: "content_warning")
            case "options":
                post.options = walker.options(value)
            default:
                walker.error(keyLoc, .unknownKey,
                             "unknown field '\(key)'\(Suggest.hint(for: key, in: Self.fields))")
            }
        }
        if !sawID, let problem = PostID.problem(post.id) {
            // The id comes from the path: the error is the file's (SPEC §2; issue 7).
            walker.error(SourceLocation(line: 1, column: 1), .id,
                         "this file's path gives the id '\(post.id)', which \(problem): rename the file or set 'id:'")
        }
        if !sawPlatforms {
            walker.error(SourceLocation(line: split.yamlFirstLine, column: 1), .required,
                         "'platforms' is required: the list of platforms to publish to, e.g. [bluesky, mastodon]")
        }
        if post.content.isEmpty && post.media.isEmpty && post.segments.isEmpty {
            walker.error(contentLocation, .empty, "the post has no text and no media")
        }
        return ParsedPost(post: post, diagnostics: walker.diagnostics)
    }
}

/// Rules for post ids: they name ledger files, so they are repository paths (`RepoPath`, checked there)
/// of safe characters, with no hidden part (a hidden ledger file is skipped by every listing of the ledger).
public enum PostID {
    public static func problem(_ id: String) -> String? {
        if let problem = folderProblem(id) { return problem }
        if let hidden = RepoPath.split(id).first(where: { RepoPath.isHidden($0) }) {
            return "has a part starting with '.' ('\(hidden)'): hidden names are not posts, and the ledger skips hidden files"
        }
        return nil
    }

    /// The rules a post id shares with the content and ledger folders of `octopost.yaml` (which may be
    /// hidden, such as `.octopost/ledger`).
    public static func folderProblem(_ id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if id.utf8.count > 200 { return "is longer than 200 bytes" }
        let ok = id.unicodeScalars.allSatisfy { s in
            (s.value >= 0x61 && s.value <= 0x7A) || (s.value >= 0x41 && s.value <= 0x5A)
                || (s.value >= 0x30 && s.value <= 0x39) || s == "-" || s == "_" || s == "." || s == "/"
        }
        if !ok { return "may only use letters, digits, '-', '_', '.' and '/'" }
        if id.hasSuffix("/") { return "must not end with '/'" }
        return RepoPath.problem(id)
    }
}

/// Walks the YAML node tree, turning values into model types and collecting located diagnostics.
struct Walker {
    let path: String
    let lineOffset: Int
    let timeZone: TimeZone?
    var diagnostics: [Diagnostic] = []

    init(path: String, lineOffset: Int, timeZone: TimeZone?) {
        self.path = path
        self.lineOffset = lineOffset
        self.timeZone = timeZone
    }

    /// libyaml through Yams with the basic resolver: values are read from their text here, so YAML 1.1
    /// type guessing (and its regular expressions) is skipped, and the encoding is given rather than
    /// looked up in the environment for every file.
    /// Aliases are bounded first (`YAMLBounds`): none in a mapping key, and at most `aliasBudget` nodes
    /// added by them where the whole tree is walked.
    static func compose(_ yaml: String, aliasBudget: Int? = nil) throws -> Node? {
        if let violation = YAMLBounds.check(yaml, aliasBudget: aliasBudget) { throw violation }
        return try Yams.compose(yaml: yaml, .basic, .default, .utf8)
    }

    /// YAML 1.1 booleans as Yams reads them: true/yes/on, false/no/off, any case.
    static func plainBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    func location(_ node: Node) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(line: lineOffset + 1, column: 1) }
        return SourceLocation(line: mark.line + lineOffset, column: mark.column)
    }

    mutating func error(_ at: SourceLocation, _ rule: LintRule, _ message: String, platform: String? = nil) {
        diagnostics.append(Diagnostic(file: path, location: at, severity: .error, rule: rule, platform: platform,
                                      message: message))
    }

    mutating func warning(_ at: SourceLocation, _ rule: LintRule, _ message: String, platform: String? = nil) {
        diagnostics.append(Diagnostic(file: path, location: at, severity: .warning, rule: rule, platform: platform,
                                      message: message))
    }

    /// `what`: the text that failed, in the user's words ("the front matter", "octopost.yaml").
    func yamlDiagnostic(_ error: any Error, what: String = "the front matter") -> Diagnostic {
        var line = lineOffset + 1
        var column = 1
        var message = "\(what) is not valid YAML"
        if let bounds = error as? YAMLBounds.Violation {
            return Diagnostic(file: path, location: SourceLocation(line: bounds.line + lineOffset, column: bounds.column),
                              rule: .yaml, message: bounds.message)
        }
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                line = mark.line + lineOffset
                column = mark.column
                message += ": " + problem + (context.map { " " + $0.text } ?? "")
            case .reader(let problem, _, _, _):
                message += ": " + problem
            case .duplicatedKeysInMapping(let duplicates, let context):
                message = "a field is written twice: " + duplicates.joined(separator: ", ")
                line = context.mark.line + lineOffset
                column = context.mark.column
            default:
                message += ": \(yaml)"
            }
        }
        return Diagnostic(file: path, location: SourceLocation(line: line, column: column), rule: .yaml,
                          message: message)
    }

    func isNull(_ node: Node) -> Bool {
        guard let s = node.scalar else { return false }
        return s.style == .plain && (s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null"
            || s.string == "NULL")
    }

    static func typeName(_ node: Node) -> String {
        switch node {
        case .mapping: "a map"
        case .sequence: "a list"
        case .scalar: "a single value"
        case .alias: "an alias"
        }
    }

    mutating func string(_ node: Node, field: String) -> Located<String>? {
        if isNull(node) { return nil }
        guard let s = node.scalar else {
            error(location(node), .type, "'\(field)' must be text, not \(Self.typeName(node))")
            return nil
        }
        return Located(s.string, at: location(node))
    }

    mutating func bool(_ node: Node, field: String) -> Bool? {
        if let s = node.scalar, s.style == .plain, let b = Self.plainBool(s.string) { return b }
        error(location(node), .type, "'\(field)' must be true or false")
        return nil
    }

    mutating func stringList(_ node: Node, field: String) -> [Located<String>] {
        if isNull(node) { return [] }
        guard let seq = node.sequence else {
            error(location(node), .type, "'\(field)' must be a list, e.g. [a, b]")
            return []
        }
        var out: [Located<String>] = []
        for item in seq {
            guard let s = item.scalar, !isNull(item) else {
                error(location(item), .type, "each item of '\(field)' must be text")
                continue
            }
            out.append(Located(s.string, at: location(item)))
        }
        return out
    }

    mutating func platforms(_ node: Node, keyLocation: SourceLocation) -> [Located<PlatformTarget>] {
        guard let seq = node.sequence else {
            error(isNull(node) ? keyLocation : location(node), .type,
                  "'platforms' must be a non-empty list, e.g. [bluesky, mastodon]")
            return []
        }
        if seq.count == 0 {
            error(location(node), .required, "'platforms' is empty: name at least one platform")
        }
        var out: [Located<PlatformTarget>] = []
        var seen = Set<PlatformTarget>()
        let names = Platform.allCases.map(\.rawValue)
        for item in seq {
            let loc = location(item)
            guard let s = item.scalar?.string, !isNull(item) else {
                error(loc, .type, "each platform must be a name such as 'bluesky' or 'mastodon:work'")
                continue
            }
            switch PlatformTarget.parse(s) {
            case .success(let target):
                if seen.insert(target).inserted {
                    out.append(Located(target, at: loc))
                } else {
                    error(loc, .duplicatePlatform, "'\(s)' is listed twice")
                }
            case .failure(.unknownPlatform(let name)):
                error(loc, .platform, "unknown platform '\(name)'\(Suggest.hint(for: name, in: names))"
                    + "; platforms are " + names.joined(separator: ", "))
            case .failure(.invalidAccount(let account)):
                error(loc, .platform, "account '\(account)' in '\(s)' may only use a-z, 0-9 and _")
            }
        }
        return out
    }

    mutating func schedule(_ node: Node) -> Located<Schedule>? {
        if isNull(node) { return nil }
        let loc = location(node)
        guard let raw = node.scalar?.string else {
            error(loc, .type, "'scheduled_for' must be a time such as 2026-04-10T09:00:00Z")
            return nil
        }
        do {
            let fields = try Timestamp.parseFields(raw)
            if fields.offsetSeconds == nil && timeZone == nil {
                error(loc, .timezone,
                      "scheduled_for '\(raw)' has no offset and octopost.yaml names no timezone: "
                          + "add an offset (Z or +02:00) or set 'timezone' in octopost.yaml")
                return nil
            }
            let resolved = try Timestamp.resolve(raw, timeZone: timeZone)
            if resolved.ambiguous, let zone = timeZone {
                warning(loc, .ambiguousTime,
                        "scheduled_for '\(raw)' happens twice in \(zone.identifier) (clocks go back); "
                            + "using the first, \(Timestamp.format(resolved.instant)); add an offset to choose")
            }
            return Located(Schedule(instant: resolved.instant, raw: raw, hadOffset: resolved.hadOffset), at: loc)
        } catch {
            self.error(loc, .scheduledFor, "scheduled_for: \(error.description)")
            return nil
        }
    }

    mutating func mediaItem(_ node: Node, field: String, allowBare: Bool) -> MediaItem? {
        let loc = location(node)
        if allowBare, let s = node.scalar, !isNull(node) {
            return MediaItem(url: Located(s.string, at: loc))
        }
        guard let map = node.mapping else {
            error(loc, .type, "each item of '\(field)' must be a map with 'url' and 'alt_text'")
            return nil
        }
        var url: Located<String>?
        var alt: Located<String>?
        for (k, v) in map {
            let key = k.scalar?.string ?? ""
            switch key {
            case "url": url = string(v, field: "\(field).url")
            case "alt_text": alt = string(v, field: "\(field).alt_text")
            default:
                error(location(k), .unknownKey,
                      "unknown field '\(key)' in \(field)\(Suggest.hint(for: key, in: ["url", "alt_text"]))")
            }
        }
        guard let url, !url.value.isEmpty else {
            error(loc, .required, "each item of '\(field)' needs a 'url'")
            return nil
        }
        return MediaItem(url: url, altText: alt)
    }

    mutating func media(_ node: Node) -> Media {
        if isNull(node) { return Media() }
        let loc = location(node)
        guard let map = node.mapping else {
            error(loc, .type, "'media' must be a map with 'images' or 'video'")
            return Media()
        }
        var media = Media(location: loc)
        var imagesLoc: SourceLocation?
        for (k, v) in map {
            let key = k.scalar?.string ?? ""
            switch key {
            case "images":
                imagesLoc = location(k)
                if isNull(v) { continue }
                guard let seq = v.sequence else {
                    error(location(v), .type, "'media.images' must be a list of {url, alt_text}")
                    continue
                }
                if seq.count > PostParser.maxImages {
                    error(location(v), .mediaCount,
                          "'media.images' has \(seq.count) images; at most \(PostParser.maxImages)")
                }
                for item in seq.prefix(PostParser.maxImages + 1) {
                    if let m = mediaItem(item, field: "media.images", allowBare: false) { media.images.append(m) }
                }
            case "video":
                if isNull(v) { continue }
                guard let vm = v.mapping else {
                    error(location(v), .type, "'media.video' must be a map with 'url' and 'thumbnail_url'")
                    continue
                }
                var url: Located<String>?
                var thumb: Located<String>?
                for (vk, vv) in vm {
                    let vkey = vk.scalar?.string ?? ""
                    switch vkey {
                    case "url": url = string(vv, field: "media.video.url")
                    case "thumbnail_url": thumb = string(vv, field: "media.video.thumbnail_url")
                    default:
                        error(location(vk), .unknownKey, "unknown field '\(vkey)' in media.video"
                            + Suggest.hint(for: vkey, in: ["url", "thumbnail_url"]))
                    }
                }
                if let url, !url.value.isEmpty {
                    media.video = VideoItem(url: url, thumbnailURL: thumb)
                } else {
                    error(location(v), .required, "'media.video' needs a 'url'")
                }
            default:
                error(location(k), .unknownKey,
                      "unknown field '\(key)' in media\(Suggest.hint(for: key, in: ["images", "video"]))")
            }
        }
        if !media.images.isEmpty, media.video != nil {
            error(imagesLoc ?? loc, .mediaMix, "'media' has both images and a video: a post carries one or the other")
        }
        return media
    }

    mutating func segments(_ node: Node) -> [Segment] {
        if isNull(node) { return [] }
        guard let seq = node.sequence else {
            error(location(node), .type, "'segments' must be a list of {content, media_urls}")
            return []
        }
        if seq.count > PostParser.maxSegments {
            error(location(node), .segmentCount,
                  "'segments' has \(seq.count) items; a thread takes at most \(PostParser.maxSegments)")
        }
        var out: [Segment] = []
        for item in seq.prefix(PostParser.maxSegments + 1) {
            let loc = location(item)
            guard let map = item.mapping else {
                error(loc, .type, "each segment must be a map with 'content' (and optional 'media_urls')")
                continue
            }
            var content: Located<String>?
            var media: [MediaItem] = []
            for (k, v) in map {
                let key = k.scalar?.string ?? ""
                switch key {
                case "content":
                    if let c = string(v, field: "segments.content") {
                        content = Located(Self.trimBlankLines(c.value), at: c.location)
                    }
                case "media_urls":
                    if isNull(v) { continue }
                    guard let ms = v.sequence else {
                        error(location(v), .type, "'media_urls' must be a list of paths or {url, alt_text}")
                        continue
                    }
                    if ms.count > PostParser.maxImages {
                        error(location(v), .mediaCount,
                              "'media_urls' has \(ms.count) items; at most \(PostParser.maxImages) images or 1 video")
                    }
                    for m in ms.prefix(PostParser.maxImages + 1) {
                        if let mi = mediaItem(m, field: "media_urls", allowBare: true) { media.append(mi) }
                    }
                default:
                    error(location(k), .unknownKey, "unknown field '\(key)' in a segment"
                        + Suggest.hint(for: key, in: ["content", "media_urls"]))
                }
            }
            guard let content else {
                if media.isEmpty { error(loc, .required, "each segment needs 'content'") }
                out.append(Segment(content: Located("", at: loc), media: media, location: loc))
                continue
            }
            let chars = content.value.count
            if chars > PostParser.maxSegmentCharacters {
                error(content.location, .segmentLength,
                      "segment has \(chars) characters; at most \(PostParser.maxSegmentCharacters)")
            }
            out.append(Segment(content: content, media: media, location: loc))
        }
        return out
    }

    mutating func options(_ node: Node) -> [Platform: [String: Located<OptionValue>]] {
        if isNull(node) { return [:] }
        guard let map = node.mapping else {
            error(location(node), .type, "'options' must be a map keyed by platform, e.g. {mastodon: {visibility: unlisted}}")
            return [:]
        }
        var out: [Platform: [String: Located<OptionValue>]] = [:]
        let names = Platform.allCases.map(\.rawValue)
        for (k, v) in map {
            let name = k.scalar?.string ?? ""
            guard let platform = Platform(rawValue: name) else {
                error(location(k), .unknownOption,
                      "options for unknown platform '\(name)'\(Suggest.hint(for: name, in: names))")
                continue
            }
            if isNull(v) { continue }
            guard let pm = v.mapping else {
                error(location(v), .type, "'options.\(name)' must be a map of settings")
                continue
            }
            let specs = platform.optionSpecs
            var values: [String: Located<OptionValue>] = [:]
            for (ok, ov) in pm {
                let key = ok.scalar?.string ?? ""
                let loc = location(ov)
                guard let spec = specs.first(where: { $0.key == key }) else {
                    let accepted = specs.map(\.key)
                    error(location(ok), .unknownOption,
                          "\(platform.rawValue) has no option '\(key)'\(Suggest.hint(for: key, in: accepted)); "
                              + "accepted: " + accepted.joined(separator: ", "), platform: platform.rawValue)
                    continue
                }
                if let value = optionValue(ov, spec: spec, platform: platform, at: loc) {
                    values[key] = Located(value, at: loc)
                }
            }
            out[platform] = values
        }
        return out
    }

    mutating func optionValue(_ node: Node, spec: OptionSpec, platform: Platform, at loc: SourceLocation) -> OptionValue? {
        let field = "options.\(platform.rawValue).\(spec.key)"
        switch spec.kind {
        case .string:
            return string(node, field: field).map { .string($0.value) }
        case .bool:
            return bool(node, field: field).map { .bool($0) }
        case .int(let range):
            guard let s = node.scalar, s.style == .plain, let i = Int(s.string) else {
                error(loc, .type, "'\(field)' must be a whole number", platform: platform.rawValue)
                return nil
            }
            guard range.contains(i) else {
                error(loc, .optionValue, "'\(field)' must be between \(range.lowerBound) and \(range.upperBound)",
                      platform: platform.rawValue)
                return nil
            }
            return .int(i)
        case .oneOf(let allowed):
            guard let s = string(node, field: field) else { return nil }
            guard allowed.contains(s.value) else {
                error(loc, .optionValue, "'\(field)' is '\(s.value)'\(Suggest.hint(for: s.value, in: allowed)); "
                    + "one of " + allowed.joined(separator: ", "), platform: platform.rawValue)
                return nil
            }
            return .string(s.value)
        case .stringList(let maxCount):
            let list = stringList(node, field: field)
            if list.count > maxCount {
                error(loc, .optionValue, "'\(field)' has \(list.count) items; at most \(maxCount)",
                      platform: platform.rawValue)
            }
            return .list(list.map(\.value))
        }
    }

    static func trimBlankLines(_ s: String) -> String {
        var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        while let f = lines.first, f.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeFirst() }
        while let l = lines.last, l.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
