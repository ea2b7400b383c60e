import Foundation

// The planner's reasons in the user's words: `plan` and `sync` print them as they are (string interpolation
// uses these descriptions), so none of them may read as a Swift value.

extension SkippedPost.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unreadableLedger:
            "its ledger file cannot be read, so what was already sent is unknown and nothing is sent; "
                + "fix the file or restore it from git history"
        case .duplicateID(let sources):
            "the files " + Self.list(sources) + " all have this id; give each post its own 'id' (or rename a file)"
        }
    }

    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }
}

extension Transition.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .firstSeen: "first seen"
        case .stale: "scheduled more than stale_after before octopost first saw it"
        case .edited: "the post was edited after it failed"
        case .lint(let message): "breaks the platform's rules: \(message)"
        case .leaseExpired: "a run stopped without a result and the platform offers no safe way to resend"
        case .threadComplete: "every part of the thread is already posted"
        }
    }
}

extension RecoveryMode: CustomStringConvertible {
    public var description: String {
        switch self {
        case .idempotent(let window):
            "resent with the same idempotency key, which the platform keeps for \(Int(window / 60)) minutes"
        case .deterministicKey: "resent under the same record key, so it cannot post twice"
        case .lookup: "looks for the post on the account before sending"
        }
    }
}
