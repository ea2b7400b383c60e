#!/usr/bin/env bash
# Benchmarks `octopost plan` (and `octopost lint` beside it) on generated content repositories with the
# posts committed, cold (no cache of parsed posts) and warm (a second run, nothing changed), and checks
# the targets of issue 8:
#   plan: linear; 100,000 posts cold in at most lint's time; warm (nothing changed) at most 1 s;
#   lint: 10,000 posts in at most 0.5 s, 100,000 in at most 5 s; peak RSS linear.
#
#   scripts/bench/bench_plan.sh            # build (release), generate, measure; exit 1 if a target is missed
#
# Environment: SIZES (default "10000 100000"), NOW (plan's --now, default 2026-06-15T12:00:00Z: about half
# the generated posts are due), SEED, SKIP_BUILD=1 (use the existing .build/release/octopost),
# DATA=DIR (keep the generated repositories in DIR/posts-N and reuse them on the next run; default: a
# temporary folder removed at the end).
# Each figure is one run under /usr/bin/time ('%e s %M KB': wall seconds, peak RSS). lint runs once untimed
# first (page cache). "cold" removes the cache of parsed posts (.git/octopost/cache) first; "warm" is the
# run right after it. The cold and warm plan outputs must be identical.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SIZES="${SIZES:-10000 100000}"
NOW="${NOW:-2026-06-15T12:00:00Z}"
SEED="${SEED:-20260410}"
PY="${PYTHON:-python3}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing time" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi

# --- build ----------------------------------------------------------------------------------------
BIN="${BIN:-$ROOT/.build/release/octopost}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "bench: swift build -c release --product octopost" >&2
  (cd "$ROOT" && swift build -c release --product octopost >&2)
fi
[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 2; }

# --- data -----------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/octopost-planbench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
DATA="${DATA:-$WORK}"
mkdir -p "$DATA"

# repo N -> the path of a committed repository of N generated posts (generated once per DATA)
repo() {
  local dir="$DATA/posts-$1"
  if [ ! -d "$dir/.git" ] || [ "$(git -C "$dir" rev-list --count HEAD 2>/dev/null)" != 1 ]; then
    rm -rf "$dir"
    "$PY" "$HERE/generate_posts.py" "$1" "$dir" --seed "$SEED" >&2   # commits the posts
  fi
  echo "$dir"
}

# timed NAME CMD... -> "WALL KB" of one run; output in $WORK/NAME.out and .err
timed() {
  local name="$1"; shift
  /usr/bin/time -f '%e s %M KB' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || true
  awk '{ print $1, $3 }' "$WORK/$name.time" | tail -n 1
}

mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

fail=0
check() {  # check LABEL OK(0/1)
  if [ "$2" = 0 ]; then echo "  target $1: ok"; else echo "  target $1: MISSED"; fail=1; fi
}

echo "bench: load average $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores; plan --now $NOW" >&2
for n in $SIZES; do
  dir="$(repo "$n")"
  "$BIN" lint --repo "$dir" --format json >/dev/null 2>&1 || true   # warm the page cache
  read -r lw lk < <(timed "lint-$n" "$BIN" lint --repo "$dir" --format json)
  rm -rf "$dir/.git/octopost/cache"
  read -r cw ck < <(timed "plan-cold-$n" "$BIN" plan --repo "$dir" --now "$NOW" --format text)
  read -r ww wk < <(timed "plan-warm-$n" "$BIN" plan --repo "$dir" --now "$NOW" --format text)
  due=$(grep -c '^due ' "$WORK/plan-warm-$n.out" || true)
  echo "lint $n posts:       $lw s, $(mb "$lk") MB peak RSS"
  echo "plan $n posts, cold: $cw s, $(mb "$ck") MB peak RSS  ($due due entries)"
  echo "plan $n posts, warm: $ww s, $(mb "$wk") MB peak RSS"
  if cmp -s "$WORK/plan-cold-$n.out" "$WORK/plan-warm-$n.out" && cmp -s "$WORK/plan-cold-$n.err" "$WORK/plan-warm-$n.err"; then
    echo "  cold and warm plan outputs identical"
  else
    echo "  cold and warm plan outputs DIFFER"; fail=1
  fi
  if [ "$n" = 10000 ]; then check "lint 10000 <= 0.5 s" "$(le "$lw" 0.5; echo $?)"; fi
  if [ "$n" = 100000 ]; then
    check "lint 100000 <= 5 s" "$(le "$lw" 5; echo $?)"
    check "plan 100000 warm <= 1 s" "$(le "$ww" 1; echo $?)"
    check "plan 100000 cold <= lint's time ($lw s)" "$(le "$cw" "$lw"; echo $?)"
  fi
done
exit "$fail"
