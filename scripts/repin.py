#!/usr/bin/env python3
"""Re-derives each Package.resolved pin's revision from its version tag, keeping every version as it is.

    python3 scripts/repin.py [--check] [PACKAGE_DIR]

Why: Package.resolved is committed so that a release tag pins the library versions it was tested with.
The development machines resolve packages from a local mirror whose commit ids are not GitHub's, and
SwiftPM refuses a pin whose revision the repository does not have ("Couldn't check out revision").
A pin's version is what was tested; its revision is the version tag's commit on whichever host the
build resolves from. So before a build on another host (GitHub's runners: release.yml, the action's
source build, the from-source templates) this rewrites each versioned pin's revision to what
`git ls-remote LOCATION refs/tags/VERSION` says there (the peeled commit of an annotated tag). Versions,
branch pins and revision-only pins are never changed. On the host the file was made on it changes
nothing. --check changes nothing and exits 1 when a revision differs.
"""
import json
import subprocess
import sys
from pathlib import Path


def tag_commit(location: str, version: str) -> str | None:
    out = subprocess.run(
        ["git", "ls-remote", "--tags", location, f"refs/tags/{version}", f"refs/tags/{version}^{{}}"],
        capture_output=True, text=True, timeout=120,
    )
    if out.returncode != 0:
        raise SystemExit(f"repin: git ls-remote {location} failed: {out.stderr.strip().splitlines()[-1:]}")
    refs = dict(reversed(line.split("\t", 1)) for line in out.stdout.splitlines() if "\t" in line)
    return refs.get(f"refs/tags/{version}^{{}}") or refs.get(f"refs/tags/{version}")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    path = Path(rest[0] if rest else ".") / "Package.resolved"
    if not path.exists():
        print(f"repin: {path} does not exist", file=sys.stderr)
        return 2
    text = path.read_text()
    resolved = json.loads(text)
    changed = []
    for pin in resolved.get("pins", []):
        state = pin.get("state", {})
        version, revision = state.get("version"), state.get("revision")
        if not version or pin.get("kind") != "remoteSourceControl":
            continue
        commit = tag_commit(pin["location"], version)
        if commit is None:
            print(f"repin: {pin['location']} has no tag {version}: the pinned version cannot be built here",
                  file=sys.stderr)
            return 1
        if commit != revision:
            changed.append((pin["identity"], version, revision, commit))
            # Replace the one string in place, so the file keeps SwiftPM's own formatting.
            text = text.replace(f'"revision" : "{revision}"', f'"revision" : "{commit}"', 1)
    for identity, version, old, new in changed:
        print(f"repin: {identity} {version}: {old[:12]} -> {new[:12]}")
    if check:
        return 1 if changed else 0
    if changed:
        json.loads(text)  # still valid JSON
        path.write_text(text)
    print(f"repin: {len(changed)} of {len(resolved.get('pins', []))} pins re-derived from their version tags")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
