#!/usr/bin/env bash
# The main job with no accounts: sets up the machine, builds octopost, lints the example content, and
# runs a whole sync against the built-in platform emulators on a scratch copy of this repository
# (every non-draft example post is due there). Your checkout is never changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product octopost
bin="$(swift build -c release --show-bin-path)/octopost"

echo "== octopost lint: every example post against every platform's rules"
"$bin" lint

echo
echo "== octopost sync --sandbox: publish the examples to the emulators and commit the ledger"
set +e
"$bin" sync --sandbox
status=$?
set -e
if [ "$status" -eq 1 ]; then
  echo "(exit 1: some entries failed — the examples also target platforms whose adapters are not built yet)"
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
