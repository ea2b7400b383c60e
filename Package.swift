// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "octopost",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "octopost", targets: ["octopost"]),
        .library(name: "OctopostKit", targets: ["OctopostKit"]),
    ],
    dependencies: [
        // YAML: libyaml through Yams (bundled), keeping line/column marks for every node.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Command-line parsing: one subcommand a file.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // SHA-256 (content hashes), HMAC-SHA1 (X OAuth 1.0a) and HMAC-SHA256 (webhook signatures).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // The live HTTP client (SwiftNIO): never re-sends a started request (URLSession on Linux does).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // A small async HTTP server for the loopback platform emulators (`octopost sandbox`).
        .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.27.1"),
        // Already in the graph through async-http-client (same lower bound); declared because
        // OctopostHTTP imports NIOCore and NIOHTTP1 itself.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
    ],
    targets: [
        // libgit2 from the system (Debian: libgit2-dev), behind a small shim header.
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // syncfs(2), which Swift's Glibc module does not declare.
        .target(name: "COctopostSys"),
        // The domain: posts, config, counting, lint. Never prints, never reads the clock or the environment.
        .target(
            name: "OctopostKit",
            dependencies: [
                "COctopostSys",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The only module that imports libgit2.
        .target(
            name: "OctopostGit",
            dependencies: ["OctopostKit", "CLibGit2"],
            swiftSettings: strict
        ),
        // The live HTTP client behind OctopostKit's HTTPClient protocol.
        .target(
            name: "OctopostHTTP",
            dependencies: [
                "OctopostKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Loopback emulators of the platforms' APIs, for `octopost sandbox`, `sync --sandbox` and tests.
        .target(
            name: "OctopostSandbox",
            dependencies: [
                "OctopostKit",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            swiftSettings: strict
        ),
        // Subcommands, reporters, the live environment.
        .target(
            name: "OctopostCLI",
            dependencies: [
                "OctopostKit", "OctopostGit", "OctopostSandbox", "OctopostHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "octopost", dependencies: ["OctopostCLI"], swiftSettings: strict),
        .testTarget(
            name: "OctopostKitTests",
            dependencies: ["OctopostKit", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OctopostGitTests",
            dependencies: ["OctopostGit", "OctopostKit"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OctopostSyncTests",
            dependencies: ["OctopostKit", "OctopostGit"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OctopostSandboxTests",
            dependencies: ["OctopostSandbox", "OctopostKit", "OctopostHTTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OctopostCLITests",
            dependencies: ["OctopostKit", "OctopostSandbox"],
            swiftSettings: strict
        ),
    ]
)
