#!/usr/bin/env bash
# Installs what octopost's tests need beyond the Swift toolchain.
#   - libgit2-dev (Debian/Ubuntu) for the OctopostGit module, when apt-get is available and we are root
#   - Python packages for scripts/validate_schemas.py (run by SchemaValidationTests):
#     check-jsonschema (brings jsonschema), PyYAML, and rfc3339-validator (jsonschema's date-time format check)
set -euo pipefail

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && ! dpkg -s libgit2-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev
fi

python3 -m pip install --quiet --disable-pip-version-check check-jsonschema pyyaml rfc3339-validator
python3 -c 'import jsonschema, yaml, rfc3339_validator; print("schema validation tools: ok")'
