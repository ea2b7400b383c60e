import OctopostKit
import Testing
@testable import OctopostGit

@Suite struct RedactorTests {
    @Test func removesSecretsAndURLUserInfo() {
        let redact = Redactor(credentials: GitCredentials(token: "s3cr3t", extraHeaders: ["Authorization: Basic QWxhZGRpbg=="]))
        #expect(redact("auth s3cr3t failed") == "auth *** failed")
        #expect(redact("header 'Authorization: Basic QWxhZGRpbg==' is malformed") == "header '***' is malformed")
        #expect(redact("got QWxhZGRpbg== back") == "got *** back")
        #expect(redact("eC1hY2Nlc3MtdG9rZW46czNjcjN0") == "***")  // base64("x-access-token:s3cr3t")
        #expect(Redactor()("cannot reach https://user:pw@host/x.git and http://h/y") == "cannot reach https://***@host/x.git and http://h/y")
    }

    @Test func aTokenCutByTheRemoteIsRedactedToo() {
        let token = "ghp_R8x2Kq9Lm4Vt7Wn3Yb6Hc1Jd5Fg0Sa8Ke2Ti"
        let redact = Redactor(credentials: GitCredentials(token: token))
        #expect(redact("remote: bad token \(token.prefix(16))") == "remote: bad token <redacted>")
        #expect(redact("remote: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0") == "remote: Authorization: Bearer <redacted>")
    }

    @Test func urlMatching() {
        #expect(LibGit2Repository.urlMatches(pattern: "https://GitHub.com/", url: "https://github.com/a/b.git"))
        #expect(LibGit2Repository.urlMatches(pattern: "https://github.com/a", url: "https://tok@github.com/a/b.git"))
        #expect(!LibGit2Repository.urlMatches(pattern: "https://github.com/a", url: "https://github.com/ab/b.git"))
        #expect(!LibGit2Repository.urlMatches(pattern: "http://github.com/", url: "https://github.com/a/b.git"))
        #expect(!LibGit2Repository.urlMatches(pattern: "https://github.com/", url: "/local/path.git"))
    }
}
