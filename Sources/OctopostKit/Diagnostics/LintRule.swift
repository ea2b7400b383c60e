/// Every rule id a diagnostic can carry: the `[id]` of the text output, `rule` of the JSON output and
/// `ruleId` of SARIF (SPEC §6). The raw values are the contract: renaming one breaks users' CI filters.
///
/// Each rule has a one-line `summary` (SARIF's `shortDescription`, the README's rule table) and a
/// `rationale` (SARIF's `fullDescription`: why octopost refuses or warns). The README's table is
/// checked against this list by `ReadmeTests`; `LintRule.markdownTable` prints it.
public enum LintRule: String, CaseIterable, Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    // The file itself.
    case file
    case fileSize = "file-size"
    case path
    case encoding
    case frontMatter = "front-matter"
    case yaml
    // The fields of the front matter (and of octopost.yaml).
    case type
    case unknownKey = "unknown-key"
    case required
    case empty
    case id
    case platform
    case duplicatePlatform = "duplicate-platform"
    case timezone
    case scheduledFor = "scheduled-for"
    case ambiguousTime = "ambiguous-time"
    case segmentCount = "segment-count"
    case segmentLength = "segment-length"
    case unknownOption = "unknown-option"
    case optionValue = "option-value"
    case unusedOption = "unused-option"
    case secret
    // Each platform's text rules.
    case length
    case links
    case hashtags
    case mentions
    case content
    case advice
    case thread
    case title
    // Media.
    case mediaPath = "media-path"
    case mediaMissing = "media-missing"
    case mediaType = "media-type"
    case mediaSize = "media-size"
    case mediaCount = "media-count"
    case mediaMix = "media-mix"
    case mediaRequired = "media-required"
    case altText = "alt-text"
    // Across files, and `lint --base REF`.
    case duplicateID = "duplicate-id"
    case deletedPublished = "deleted-published"
    case movedPublished = "moved-published"
    case publishedImmutable = "published-immutable"
    case pastSchedule = "past-schedule"

    /// The id itself, so `"\(rule)"` prints `media-path` as every output format does.
    public var description: String { rawValue }

    public static func < (lhs: LintRule, rhs: LintRule) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The rule of a counter's measure that is out of bounds: the text's length in whatever the
    /// platform counts (characters, graphemes, bytes), or one of the other counted quantities.
    public init(measureUnit unit: String) {
        switch unit {
        case "links": self = .links
        case "hashtags": self = .hashtags
        case "mentions": self = .mentions
        default: self = .length
        }
    }

    /// One line: what the rule checks.
    public var summary: String {
        switch self {
        case .file: "A post path holds a regular, readable file."
        case .fileSize: "A post file is at most the maximum size."
        case .path: "A path is inside the repository and is not a symbolic link."
        case .encoding: "A post file and octopost.yaml are UTF-8 text without NUL bytes."
        case .frontMatter: "A post starts with a front matter block between '---' lines."
        case .yaml: "The front matter and octopost.yaml are valid YAML."
        case .type: "Each field has the type it must have."
        case .unknownKey: "Every key is one octopost knows."
        case .required: "Every required field is present."
        case .empty: "A post has text or media."
        case .id: "A post id is a valid, safe name."
        case .platform: "Every platform named is one octopost knows, with a valid account."
        case .duplicatePlatform: "A platform is named at most once in a post."
        case .timezone: "A time zone is a known IANA name."
        case .scheduledFor: "scheduled_for is a valid date and time."
        case .ambiguousTime: "scheduled_for names a time that exists exactly once in its time zone."
        case .segmentCount: "A thread has at most the allowed number of segments."
        case .segmentLength: "A thread segment is at most the segment length octopost accepts."
        case .unknownOption: "Every per-platform option is one that platform has."
        case .optionValue: "Every per-platform option has an allowed value."
        case .unusedOption: "Options are given only for platforms the post targets."
        case .secret: "No secret is written in a committed file."
        case .length: "The text fits the platform's length limit, counted the platform's way."
        case .links: "The text has at most the platform's number of links."
        case .hashtags: "The text has at most the platform's number of hashtags."
        case .mentions: "The text has at most the platform's number of mentions."
        case .content: "The text holds nothing the platform rejects."
        case .advice: "The text avoids what the platform accepts but renders badly."
        case .thread: "Segments go only to platforms that have threads."
        case .title: "A title is present and fits where the platform needs one."
        case .mediaPath: "A media path is a safe, relative path inside the repository."
        case .mediaMissing: "A media file exists and can be read."
        case .mediaType: "A media file is of a type the platform accepts."
        case .mediaSize: "A media file is within the platform's size limit."
        case .mediaCount: "A post has at most the platform's number of media items."
        case .mediaMix: "A post or segment carries images or one video, not both."
        case .mediaRequired: "A post has the media the platform requires."
        case .altText: "Every image has alt text."
        case .duplicateID: "No two posts share an id."
        case .deletedPublished: "Deleting a published post's file is flagged (a warning)."
        case .movedPublished: "A published post's file is not moved or renamed."
        case .publishedImmutable: "A published post's file is not edited."
        case .pastSchedule: "A post changed in the pull request is not scheduled in the past."
        }
    }

    /// Why the rule exists: what would go wrong without it.
    public var rationale: String {
        switch self {
        case .file: "Only regular files are posts; a directory, submodule or device at a post path is a mistake to report, not to skip."
        case .fileSize: "A post is a short text; a large file is media in the wrong place and would slow every run."
        case .path: "octopost never follows links or leaves the repository, so a review sees every byte that is published."
        case .encoding: "Platforms take UTF-8 text; other bytes would be published garbled or refused."
        case .frontMatter: "The front matter says where and when a post goes; without it nothing can be published."
        case .yaml: "A YAML error hides every field after it; it is reported where YAML found it."
        case .type: "A value of the wrong type would be guessed at; octopost refuses instead of guessing."
        case .unknownKey: "A misspelt key would be silently ignored and the post published without it."
        case .required: "A post without a required field cannot be published as written."
        case .empty: "Every platform refuses a post with nothing in it."
        case .id: "The id names the post in the ledger and in paths, so it must be stable and safe."
        case .platform: "A misspelt platform would never be published to."
        case .duplicatePlatform: "The same post would be published twice to one account."
        case .timezone: "A schedule is only meaningful in a known time zone."
        case .scheduledFor: "A post is due at a time; one that cannot be read is never due."
        case .ambiguousTime: "At a daylight-saving change a local time may happen twice or never; the post would go out at a guessed time."
        case .segmentCount: "A thread longer than octopost publishes is a mistake; it is refused whole rather than cut."
        case .segmentLength: "A segment is one post of a thread; text far longer than any platform takes is a mistake, caught before counting."
        case .unknownOption: "A misspelt option would be ignored and the post published without it."
        case .optionValue: "The platform would refuse the value at publish time, after the pull request is merged."
        case .unusedOption: "An option for a platform the post does not target is probably a forgotten target."
        case .secret: "Files are committed and reviewed in public; secrets come from the environment only."
        case .length: "The platform refuses or cuts a text over its limit, and each platform counts differently."
        case .links: "The platform refuses a text with too many links."
        case .hashtags: "The platform refuses a text with too many hashtags."
        case .mentions: "The platform refuses a text with too many mentions."
        case .content: "The platform refuses such a text at publish time; lint says so before the merge."
        case .advice: "The post would be published, but not as the author sees it in the file."
        case .thread: "A platform without threads receives only the body; the segments would silently be lost there."
        case .title: "Platforms that show a title refuse a post without one or over its limit."
        case .mediaPath: "octopost reads media only from inside the repository, never from an absolute path or through a link."
        case .mediaMissing: "A missing file would fail the upload after the merge."
        case .mediaType: "The platform refuses the upload, or the file is not what its name says."
        case .mediaSize: "The platform refuses a file over its limit."
        case .mediaCount: "The platform refuses a post with more media than it allows."
        case .mediaMix: "Platforms take either images or a video in one post; a mix cannot be published as written."
        case .mediaRequired: "Some platforms publish only media (a video, an image); a text alone cannot go there."
        case .altText: "Alt text is how people using screen readers see an image."
        case .duplicateID: "The ledger records each post by id; two posts with one id would be confused."
        case .deletedPublished: "Deleting the file does not delete what is published; the ledger still names it."
        case .movedPublished: "The ledger names a published post by its file; a move loses that link."
        case .publishedImmutable: "A published post is not edited by changing its file; the change would never reach the platform."
        case .pastSchedule: "A time in the past makes the post publish the moment it merges, which is rarely what was meant."
        }
    }

    /// The README's rule table, in the order of `allCases`: `| \`id\` | summary |`.
    public static var markdownTable: String {
        (["| Rule | What it checks |", "| --- | --- |"] + allCases.map { "| `\($0.rawValue)` | \($0.summary) |" })
            .joined(separator: "\n")
    }
}
