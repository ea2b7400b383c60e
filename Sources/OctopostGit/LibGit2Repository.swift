import CLibGit2
import OctopostKit
