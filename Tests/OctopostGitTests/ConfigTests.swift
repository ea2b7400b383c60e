import Foundation
import OctopostGit
import OctopostKit
import Testing

@Suite struct ConfigTests {
    @Test func extraHeadersFromRepositoryConfig() throws {
        let fx = try GitFixture()
        try fx.makeRepo()
        try fx.git("repo", "remote", "add", "origin", "https://x-access-token:t@github.com/octo/posts.git")
        try fx.git("repo", "remote", "add", "elsewhere", "https://gitlab.example/octo/posts.git")
        try fx.git("repo", "config", "--add", "http.extraheader", "X-Everyone: 1")
        try fx.git("repo", "config", "--add", "http.https://github.com/.extraheader", "AUTHORIZATION: basic abc")
        try fx.git("repo", "config", "--add", "http.https://github.com/octo/.extraheader", "X-Org: octo")
        try fx.git("repo", "config", "--add", "http.https://github.com/other/.extraheader", "X-Org: other")
        try fx.git("repo", "config", "--add", "http.https://github.com/oct.extraheader", "X-Partial: no")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(repo.configuredExtraHeaders(forRemote: "origin") == ["X-Everyone: 1", "AUTHORIZATION: basic abc", "X-Org: octo"])
        #expect(repo.configuredExtraHeaders(forRemote: "elsewhere") == ["X-Everyone: 1"])
        #expect(repo.configuredExtraHeaders(forRemote: "missing") == [])

        // An empty value resets the list gathered so far.
        try fx.git("repo", "config", "--add", "http.extraheader", "")
        try fx.git("repo", "config", "--add", "http.extraheader", "X-After-Reset: 1")
        #expect(repo.configuredExtraHeaders(forRemote: "elsewhere") == ["X-After-Reset: 1"])
    }

    @Test func credentialsNeverDescribeTheirSecrets() {
        let credentials = GitCredentials(token: "ghp_SECRET", extraHeaders: ["Authorization: basic SECRET2", "nocolonSECRET3"])
        for text in ["\(credentials)", String(reflecting: credentials), { var s = ""; dump(credentials, to: &s); return s }()] {
            #expect(!text.contains("SECRET"), "leaked in: \(text)")
            #expect(text.contains("Authorization: ***"))
        }
        #expect(GitCredentials().user == "x-access-token")
    }
}
