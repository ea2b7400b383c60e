#!/usr/bin/env bash
# Where does `octopost lint` spend its time? Generates a content repository, runs the release binary
# under `perf record -g` (or, without perf, `valgrind --tool=callgrind`) and prints the top entries.
#
#   scripts/bench/profile_lint.sh            # POSTS=10000 with perf, 1000 with callgrind
#
# Needs .build/release/octopost (scripts/bench/bench_lint.sh builds it). KEEP=1 keeps the temp dir
# (repository and perf.data / callgrind.out) for further digging.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="$ROOT/.build/release/octopost"
[ -x "$BIN" ] || { echo "profile: $BIN not found: run swift build -c release --product octopost" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/octopost-profile.XXXXXX")"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "profile: kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

if command -v perf >/dev/null 2>&1 && perf record -o /dev/null -q true >/dev/null 2>&1; then
  POSTS="${POSTS:-10000}"
  python3 "$HERE/generate_posts.py" "$POSTS" "$WORK/repo"
  "$BIN" lint --repo "$WORK/repo" --format json >/dev/null 2>&1 || true   # warm the page cache
  perf record -q -F 999 -g -o "$WORK/perf.data" "$BIN" lint --repo "$WORK/repo" --format json >/dev/null 2>&1 || true
  echo "== inclusive (children), top 45 =="
  perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
    | grep '%' | head -45 | cut -c1-170
  echo "== self, top 25 =="
  perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
    | grep '%' | head -25 | cut -c1-170
else
  POSTS="${POSTS:-1000}"
  python3 "$HERE/generate_posts.py" "$POSTS" "$WORK/repo"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
    "$BIN" lint --repo "$WORK/repo" --format json >/dev/null 2>"$WORK/valgrind.err" || true
  callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null | head -40 | cut -c1-170
fi
