import Foundation

/// The result of linting a set of post files.
public struct LintReport: Sendable {
    public var files: Int
    public var diagnostics: [Diagnostic]
    /// Posts that parsed (possibly with findings), in input order.
    public var posts: [Post]

    public var errors: Int { diagnostics.errorCount }
    public var warnings: Int { diagnostics.warningCount }
}

/// Parses and checks posts. Files are independent, so they are linted in parallel.
public struct Linter: Sendable {
    public var context: LintContext
    public var rules: [any PostRule]
    public var parser: PostParser

    public static let defaultRules: [any PostRule] = [LengthRule(), TitleRule(), MediaRule(), OptionsRule()]

    public init(config: Config, media: any MediaInspector, rules: [any PostRule] = Linter.defaultRules) {
        self.context = LintContext(config: config, media: media)
        self.rules = rules
        self.parser = PostParser(contentDirectory: config.contentDirectory, timeZone: config.timeZone)
    }

    /// Parses and checks one file's bytes.
    public func lint(bytes: [UInt8], path: String) -> ParsedPost {
        var parsed = parser.parse(bytes: bytes, path: path)
        if let post = parsed.post {
            for rule in rules { parsed.diagnostics += rule.check(post, in: context) }
        }
        return parsed
    }

    /// Reads, parses and checks every path, then the rules across files (duplicate ids).
    public func lint(paths: [String], reader: any PostFileReader) -> LintReport {
        let results = ParallelMap.map(paths) { path -> ParsedPost in
            switch reader.read(path) {
            case .success(let bytes): return lint(bytes: bytes, path: path)
            case .failure(let problem):
                let rule: LintRule = switch problem {
                case .tooLarge: .fileSize
                case .symlink, .invalidPath: .path
                default: .file
                }
                return ParsedPost(post: nil, diagnostics: [Diagnostic(file: path, rule: rule, message: problem.message)])
            }
        }
        var diagnostics = results.flatMap(\.diagnostics)
        let posts = results.compactMap(\.post)
        diagnostics += DuplicateIDRule.check(posts)
        return LintReport(files: paths.count, diagnostics: diagnostics, posts: posts)
    }
}

/// Two posts may not share an id: the ledger keys results by it.
public enum DuplicateIDRule {
    public static func check(_ posts: [Post]) -> [Diagnostic] {
        var byID: [String: [Post]] = [:]
        for post in posts { byID[post.id, default: []].append(post) }
        var out: [Diagnostic] = []
        for (id, group) in byID where group.count > 1 {
            let sorted = group.sorted { $0.source < $1.source }
            for post in sorted {
                let others = sorted.filter { $0.source != post.source }.map(\.source).joined(separator: ", ")
                out.append(Diagnostic(file: post.source, location: post.idLocation ?? .start, rule: .duplicateID,
                                      message: "id '\(id)' is also used by \(others)"))
            }
        }
        return out
    }
}

/// Order-preserving parallel map over both cores, in chunks.
public enum ParallelMap {
    public static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let n = items.count
        if n < 64 { return items.map(transform) }
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunks = min(n, workers * 8)
        let box = ResultBox<R>(count: n)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * n / chunks, hi = (c + 1) * n / chunks
            var local: [R] = []
            local.reserveCapacity(hi - lo)
            for i in lo..<hi { local.append(transform(items[i])) }
            box.store(local, at: lo)
        }
        return box.values()
    }

    final class ResultBox<R>: @unchecked Sendable {
        private var slots: [R?]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func store(_ values: [R], at start: Int) {
            lock.lock()
            for (k, v) in values.enumerated() { slots[start + k] = v }
            lock.unlock()
        }
        func values() -> [R] { slots.map { $0! } }
    }
}
