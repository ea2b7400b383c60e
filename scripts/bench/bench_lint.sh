#!/usr/bin/env bash
# Benchmarks `octopost lint` on a generated content repository against a straightforward Python
# linter of the same rules (scripts/bench/baseline_lint.py), and checks the targets:
#   wall time <= 1.0 s and peak RSS <= 200 MB for 10,000 posts, and >= 5x faster than the baseline.
#
#   scripts/bench/bench_lint.sh            # build (release), generate, measure; exit 1 if a target is missed
#
# Environment: POSTS (default 10000), RUNS (timed octopost runs, default 5), BASELINE_RUNS (default 3),
# SEED (generator seed), SKIP_BUILD=1 (use the existing .build/release/octopost), KEEP=1 (keep the repo).
# Each tool runs once more first, untimed, to warm the page cache. Peak RSS is /usr/bin/time's %M:
# for the Python baseline that is its largest single process (the pool's workers are separate processes).
# May install: `time` (apt-get), python-frontmatter, twitter-text-parser==3.0.0, regex, PyYAML (pip).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
POSTS="${POSTS:-10000}"
RUNS="${RUNS:-5}"
BASELINE_RUNS="${BASELINE_RUNS:-3}"
SEED="${SEED:-20260410}"
MAX_WALL="1.0"
MAX_RSS_MB="200"
MIN_SPEEDUP="5"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PY="${PYTHON:-python3}"

# --- what it needs --------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing time" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi
if ! "$PY" - >/dev/null 2>&1 <<'EOF'
import importlib.metadata as m, yaml, frontmatter, regex, twitter_text
assert m.version("twitter-text-parser") == "3.0.0" and yaml.__with_libyaml__
EOF
then
  echo "bench: installing python-frontmatter, twitter-text-parser 3.0.0, regex, PyYAML" >&2
  pkgs=(python-frontmatter twitter-text-parser==3.0.0 regex PyYAML)
  "$PY" -m pip install -q "${pkgs[@]}" 2>/dev/null || "$PY" -m pip install -q --break-system-packages "${pkgs[@]}"
fi

# --- build ----------------------------------------------------------------------------------------
BIN="$ROOT/.build/release/octopost"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "bench: swift build -c release --product octopost" >&2
  (cd "$ROOT" && swift build -c release --product octopost >&2)
fi
[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 2; }

# --- data -----------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/octopost-bench.XXXXXX")"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
REPO="$WORK/repo"
"$PY" "$HERE/generate_posts.py" "$POSTS" "$REPO" --seed "$SEED"

# measure NAME RUNS CMD... -> prints "best_wall max_rss_kb cpu_of_best" (best wall of RUNS after one
# warm-up run; cpu = user + sys seconds of that run, which other load on the machine disturbs less)
measure() {
  local name="$1" runs="$2"; shift 2
  local best="" rss=0 cpu="" i wall kb user sys
  for ((i = 0; i <= runs; i++)); do
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || true
    read -r wall kb user sys < <(tail -n 1 "$WORK/time")
    if [ "$i" -eq 0 ]; then continue; fi   # warm-up
    echo "bench: $name run $i: ${wall} s wall, ${user} s user, ${sys} s sys, ${kb} KB" >&2
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best="$wall"
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    fi
    if [ "$kb" -gt "$rss" ]; then rss="$kb"; fi
  done
  echo "$best $rss $cpu"
}

echo "bench: load average $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores" >&2
read -r O_WALL O_RSS O_CPU < <(measure octopost "$RUNS" "$BIN" lint --repo "$REPO" --format json)
O_SUMMARY="$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("files: %d, errors: %d, warnings: %d" % (d["files"], d["errors"], d["warnings"]))' "$WORK/octopost.out" 2>/dev/null || echo "no JSON output: $(head -c 300 "$WORK/octopost.err")")"

read -r P_WALL P_RSS P_CPU < <(measure baseline "$BASELINE_RUNS" "$PY" "$HERE/baseline_lint.py" "$REPO")
P_SUMMARY="$(tail -n 1 "$WORK/baseline.out")"

# --- report ---------------------------------------------------------------------------------------
O_MB=$(awk -v k="$O_RSS" 'BEGIN { printf "%.0f", k / 1024 }')
P_MB=$(awk -v k="$P_RSS" 'BEGIN { printf "%.0f", k / 1024 }')
SPEEDUP=$(awk -v p="$P_WALL" -v o="$O_WALL" 'BEGIN { if (o > 0) printf "%.1f", p / o; else print "inf" }')
echo "octopost lint: $POSTS posts, wall $O_WALL s (best of $RUNS; cpu $O_CPU s), peak RSS $O_MB MB  [$O_SUMMARY]"
echo "python baseline: wall $P_WALL s (best of $BASELINE_RUNS, $(nproc) processes; cpu $P_CPU s), peak RSS $P_MB MB per process  [$P_SUMMARY]"
echo "speed-up: ${SPEEDUP}x"

fail=0
check() {  # check LABEL OK
  if [ "$2" = 1 ]; then echo "target $1: ok"; else echo "target $1: MISSED"; fail=1; fi
}
check "wall <= $MAX_WALL s (got $O_WALL s)" "$(awk -v a="$O_WALL" -v b="$MAX_WALL" 'BEGIN { print (a <= b) ? 1 : 0 }')"
check "peak RSS <= $MAX_RSS_MB MB (got $O_MB MB)" "$(awk -v a="$O_RSS" -v b="$MAX_RSS_MB" 'BEGIN { print (a <= b * 1024) ? 1 : 0 }')"
check "speed-up >= ${MIN_SPEEDUP}x (got ${SPEEDUP}x)" "$(awk -v p="$P_WALL" -v o="$O_WALL" -v m="$MIN_SPEEDUP" 'BEGIN { print (o > 0 && p / o >= m) ? 1 : 0 }')"
exit "$fail"
