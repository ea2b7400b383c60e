/// What `octopost --version` prints: the release version and the commit it was built from.
///
/// A build from source says `0.0.0-dev`. `scripts/release.sh VERSION` writes the release's values into
/// this file for its build and puts the file back afterwards, so the committed file always holds these.
enum BuildInfo {
    static let version = "0.0.0-dev"
    static let commit = "unknown"

    /// `1.2.0 (commit 0123456789ab)`: ArgumentParser prints it for `--version`.
    static var versionLine: String { "\(version) (commit \(commit))" }
}
