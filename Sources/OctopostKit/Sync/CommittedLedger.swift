import Foundation

/// The ledger a run plans from: the one committed at the commit it plans from (one source of truth),
/// with the working tree consulted only for what a killed run left there.
///
/// Sync writes the ledger in two ways, and a run can be killed between any two steps:
/// - a claim commit (plan changes, claims, and results it recovered) is committed first and then written
///   to the working tree, so a kill in between leaves the file one commit behind: as it was at the parent
///   commit, or that commit plus the results the claim commit recovered (it *lags*: restored from HEAD);
/// - results are written to the working tree first, then committed, so a kill in between leaves
///   *results* on disk: entries that were `publishing` in the commit, changed the way a run changes them.
///
/// Any other difference (a deleted file, a hand edit, a file git does not hold) is not octopost's: that
/// post is skipped and named, with how to fix it, and never read as "nothing was published yet".
public struct CommittedLedger: Sendable {
    /// Records by id, as the run must plan from them.
    public var records: [String: LedgerRecord] = [:]
    /// Why some posts' ledger files cannot be used, one message each, naming the file and the fix.
    public var problems: [String] = []
    /// Ids whose posts must be skipped: the committed file cannot be read, or the working tree differs
    /// from it in a way no run writes.
    public var unusableIDs: Set<String> = []
    /// Results a killed run wrote and never committed: planned from, and committed by the next commit.
    public var recovered: Set<String> = []
    /// Files one commit behind (a run was killed between its commit and writing the file): the committed
    /// bytes, to write back.
    public var lagging: [String: [UInt8]] = [:]

    public init() {}

    /// Reads the ledger folder at `commit` (and at its parent, for lagging files) and the working tree.
    ///
    /// `expecting`: the ids of the posts about to be planned. One without a file is checked too, so that a
    /// symbolic link on the way to where its file would be written (`ledger/2026 -> /elsewhere`) makes that
    /// post unusable (skipped, reported) instead of failing the claim of every post.
    public static func load(git: any GitRepository, commit: String, store: LedgerStore,
                            expecting: some Sequence<String> = [String]()) throws(SyncError) -> CommittedLedger {
        let dir = store.directory
        func ids(_ paths: [String]) -> Set<String> { Set(paths.compactMap(LedgerStore.id(ofFile:))) }
        // One walk of the committed ledger folder; each file is then read by its blob id. Looking every
        // id's path up from the commit's root instead parses the big folders on the way once per id:
        // quadratic in the number of posts.
        let tree: [RepoTreeEntry]
        do { tree = try git.listTree(under: dir, at: commit) } catch { throw .git(error) }
        let committedIDs = ids(tree.filter { $0.kind != .submodule }.map { e in
            e.path.hasPrefix(dir + "/") ? String(e.path.dropFirst(dir.count + 1)) : e.path
        })
        // Keyed as git reads a path (`./a//b` is `a/b`).
        func key(_ path: String) -> String {
            // Already in that form unless a part is empty or ".".
            var plain = true
            var part = 0  // bytes of the current part; -1: the part so far is "."
            for byte in path.utf8 {
                if byte == UInt8(ascii: "/") {
                    if part <= 0 { plain = false; break }
                    part = 0
                } else {
                    part = byte == UInt8(ascii: ".") && part == 0 ? -1 : (part < 0 ? 2 : part + 1)
                }
            }
            if part <= 0 { plain = false }
            return plain ? path : path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        }
        let blobs = Dictionary(tree.filter { $0.kind != .submodule }.map { (key($0.path), $0) }, uniquingKeysWith: { a, _ in a })
        // Paths a file lookup fails on (a folder or a submodule where a file would be): read by path as
        // before, so the same error stops the run.
        var odd = Set(tree.filter { $0.kind == .submodule }.map { key($0.path) })
        for e in tree {
            var folder = key(e.path)[...]
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                if !odd.insert(String(folder)).inserted { break }
            }
        }
        let diskIDs: Set<String>
        do { diskIDs = ids(try store.fileSystem.list(under: dir)) } catch {
            throw .ledger("\(dir): \(error.reason)")
        }
        let parent = try? git.resolveCommit(commit + "^")
        var out = CommittedLedger()
        let allIDs = committedIDs.union(diskIDs).union(expecting).sorted()
        // The working tree's files, each folder opened once (not one walk from the root per id).
        let disk = store.fileSystem.readMany(allIDs.map { store.path(for: $0) })
        for (id, read) in zip(allIDs, disk) {
            let path = store.path(for: id)
            let committed: [UInt8]?
            do {
                if let blob = blobs[key(path)] {
                    committed = try git.readBlob(blob, at: commit)
                } else {
                    committed = odd.contains(key(path)) ? try git.readFile(path, at: commit) : nil
                }
            } catch { throw .git(error) }
            let onDisk: [UInt8]?
            switch read {
            case .success(let bytes): onDisk = bytes
            case .failure(let error):
                out.refuse(id, "\(path): \(error.reason)")
                continue
            }
            // The parent's version matters only for a file that differs (is it one commit behind?).
            let previous: [UInt8]?? = committed == onDisk ? nil : parent.map { p in (try? git.readFile(path, at: p)) ?? nil }
            out.add(id: id, path: path, committed: committed, onDisk: onDisk, previous: previous)
        }
        return out
    }

    /// Decides one file. `previous`: the file at the commit's parent (`.some(nil)`: absent there; nil: no parent).
    mutating func add(id: String, path: String, committed: [UInt8]?, onDisk: [UInt8]?, previous: [UInt8]??) {
        let head: LedgerRecord?
        do { head = try committed.map { bytes throws(LedgerError) in try Self.decode(bytes, id: id, path: path) } } catch {
            refuse(id, error.description)
            return
        }
        if committed == onDisk {
            if let head { records[id] = head }
            return
        }
        guard let head, let committed else {
            refuse(id, "\(path) is not committed: octopost plans from the committed ledger and does not know this "
                + "file; commit it deliberately (git add \(path)) or remove it")
            return
        }
        let fix = "restore it with `git checkout -- \(path)`, or commit the change deliberately"
        var disk: LedgerRecord?
        var unreadable: String?
        if let onDisk {
            do { disk = try Self.decode(onDisk, id: id, path: path) } catch { unreadable = error.description }
        }
        // Results a run wrote after the committed claim and was stopped before committing.
        let difference = disk.map { Self.unexplained(from: head, to: $0) }
        if let disk, difference == .some(nil) {
            records[id] = disk
            recovered.insert(id)
            return
        }
        // One commit behind: the run that made the last commit (a claim, which holds whatever the file had)
        // was stopped before writing it; the file is the previous commit's, or that one's results.
        if let previous {
            let behind = previous == onDisk || {
                guard let previous, let disk, let before = try? Self.decode(previous, id: id, path: path) else { return false }
                return Self.unexplained(from: before, to: disk) == nil
            }()
            if behind {
                records[id] = head
                lagging[id] = committed
                return
            }
        }
        if onDisk == nil {
            refuse(id, "\(path) is deleted in the working tree but committed (the last commit says what was "
                + "published): restore it with `git checkout -- \(path)`, or commit the deletion deliberately "
                + "(`git rm \(path)`: the post is then published again)")
        } else if let unreadable {
            refuse(id, "\(path) differs from the committed file and cannot be read (\(unreadable)); \(fix)")
        } else {
            refuse(id, "\(path) differs from the committed file in a way no sync run writes ("
                + ((difference ?? nil) ?? "changed") + "): octopost plans from the committed ledger; \(fix)")
        }
    }

    mutating func refuse(_ id: String, _ message: String) {
        problems.append(message)
        unusableIDs.insert(id)
    }

    static func decode(_ bytes: [UInt8], id: String, path: String) throws(LedgerError) -> LedgerRecord {
        let record = try LedgerRecord.decode(bytes, file: path)
        guard record.id == id else { throw .idMismatch(file: path, expected: id, found: record.id) }
        return record
    }

    /// Nil when every difference between the committed record and the one on disk is something a run
    /// writes after its claim commit; otherwise the first difference that is not, in words.
    ///
    /// A run's results: the record's `id`, `source` and `content_sha256` unchanged, the same entries, and
    /// every entry that changed was `publishing` for a run in the commit and is now a state that run writes:
    /// `published`, `failed`, `retrying` or `unknown`; still `publishing` for the same run (a thread part
    /// recorded, a renewed lease) or for no run (an answer lost in flight); or given back as it was before
    /// the claim (stopped before sending: `attempts` one less, not held by that run). Thread parts already
    /// recorded are never dropped, `attempts` never goes down otherwise, and `published_at` never changes.
    public static func unexplained(from head: LedgerRecord, to disk: LedgerRecord) -> String? {
        if disk.source != head.source { return "source: '\(head.source)' committed, '\(disk.source)' here" }
        if disk.contentSHA256 != head.contentSHA256 { return "content_sha256 changed" }
        if let p = head.publishedAt, disk.publishedAt != p { return "published_at changed" }
        let keys = Set(head.platformResults.keys)
        if let extra = Set(disk.platformResults.keys).subtracting(keys).sorted().first {
            return "platform_results.\(extra) is not in the committed file"
        }
        if let missing = keys.subtracting(disk.platformResults.keys).sorted().first {
            return "platform_results.\(missing) is missing"
        }
        for key in keys.sorted() {
            guard let was = head.platformResults[key], let now = disk.platformResults[key], was != now else { continue }
            let field = "platform_results.\(key)"
            guard was.status == .publishing, let run = was.runID else {
                return "\(field): \(was.status.rawValue) in the last commit, \(now.status.rawValue) here"
            }
            let kept = was.segments ?? []
            guard (now.segments ?? []).starts(with: kept) else { return "\(field).segments: posted parts dropped" }
            let givenBack = now.runID != run && now.attempts == was.attempts - 1
                && [.pending, .retrying, .publishing].contains(now.status)
            if givenBack { continue }
            if now.attempts < was.attempts { return "\(field).attempts went down" }
            switch now.status {
            case .published:
                if now.postID == nil { return "\(field): published without a post_id" }
            case .failed, .retrying, .unknown:
                break
            case .publishing:
                if let r = now.runID, r != run { return "\(field): claimed by another run without a commit" }
            case .pending, .expired:
                return "\(field): publishing in the last commit, \(now.status.rawValue) here"
            }
        }
        return nil
    }
}
