import Foundation

/// Builds one platform's adapter from its context. Throws a permanent error when the target cannot be
/// published to (missing credentials or instance, a platform octopost does not support yet).
public typealias AdapterFactory = @Sendable (AdapterContext) throws(PublishError) -> any PlatformAdapter

/// Which adapter publishes each platform: adding one is a new file plus its line here.
public enum AdapterRegistry {
    /// The factory for a platform; what its adapter lets out is redacted (`RedactingAdapter`). `clock` stamps records (Bluesky `createdAt`), OAuth timestamps and
    /// rate-limit waits; `nonce` makes X's OAuth 1.0a nonces (random in the live environment).
    public static func factory(for platform: Platform, clock: AdapterClock,
                               nonce: @escaping @Sendable () -> String = OAuth1Signer.randomNonce) -> AdapterFactory {
        switch platform {
        case .mastodon: { context throws(PublishError) in RedactingAdapter(try MastodonAdapter(context, clock: clock)) }
        case .bluesky: { context throws(PublishError) in RedactingAdapter(try BlueskyAdapter(context, clock: clock)) }
        case .telegram: { context throws(PublishError) in RedactingAdapter(try TelegramAdapter(context, clock: clock)) }
        case .twitter: { context throws(PublishError) in RedactingAdapter(try XAdapter(context, clock: clock, nonce: nonce)) }
        case .discord: { context throws(PublishError) in RedactingAdapter(try DiscordAdapter(context, clock: clock)) }
        case .linkedin, .threads, .instagram, .facebook, .tiktok, .youtube, .slack:
            { context throws(PublishError) in
                throw PublishError(.permanent, "octopost cannot publish to \(platform.displayName) yet "
                    + "(target \(context.target.key)); remove it from the post's platforms or wait for a release that supports it")
            }
        }
    }

    /// Platforms with a working adapter.
    public static let supported: Set<Platform> = [.mastodon, .bluesky, .telegram, .twitter, .discord]

    /// Builds a target's context from the environment (SPEC §5): its credentials, and its API base from
    /// `OCTOPOST_<NAME>[_<ACCOUNT>]_API_BASE` or the account's instance/service. A bad API base is a
    /// permanent error that names the variable or setting to fix.
    public static func context(for target: PlatformTarget, account: Config.Account?, environment: [String: String],
                               http: any HTTPClient,
                               readMedia: @escaping @Sendable (String) -> [UInt8]? = { _ in nil })
        -> Result<AdapterContext, PublishError> {
        let credentials = Credentials.resolve(target, environment: environment)
        switch APIBase.resolve(target, account: account, environment: environment) {
        case .failure(let error):
            return .failure(PublishError(.permanent, "\(target.key): \(error.description)"))
        case .success(let base):
            return .success(AdapterContext(target: target, account: account, credentials: credentials, http: http,
                                           apiBase: base, readMedia: readMedia))
        }
    }

    /// The recovery modes of a target's adapter, for the planner (`RecoveryCapability`), without building it.
    public static func recoveryModes(_ target: PlatformTarget, environment: [String: String]) -> [RecoveryMode] {
        switch target.platform {
        case .mastodon: [.idempotent(window: RecoveryMode.mastodonWindow), .lookup]
        case .bluesky: [.deterministicKey]
        case .twitter: [.lookup]
        case .discord:
            Credentials.resolve(target, environment: environment).has("WEBHOOK_URL") ? [] : [.lookup]
        default: []
        }
    }
}

/// Builds the "missing credential" error for an adapter.
func missingCredential(_ target: PlatformTarget, _ fields: [String], hint: String) -> PublishError {
    let names = fields.map { Credentials.variableName(target, field: $0) }.joined(separator: ", ")
    return PublishError(.permanent, "\(target.key): missing \(names) (\(hint))")
}
