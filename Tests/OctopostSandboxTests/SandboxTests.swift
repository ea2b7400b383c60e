import Testing
@testable import OctopostSandbox
