#!/usr/bin/env bash
# The main job with no accounts: sets up the machine, builds octopost, and runs it over the example
# content in this repository (content/ and octopost.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product octopost
bin="$(swift build -c release --show-bin-path)/octopost"
echo "== octopost lint (every example post, every platform's rules)"
"$bin" lint --repo .
echo "== octopost count"
"$bin" count "Launching octopost today 🚀 https://github.com/octopost/octopost #gitops"
