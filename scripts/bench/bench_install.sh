#!/usr/bin/env bash
# Install benchmark (a benchmark, not a test): how fast octopost is ready from a release archive.
#
#   scripts/bench/bench_install.sh [ARCHIVE]     # default: the newest dist/octopost-*-linux-*.tar.gz
#
# Prints:
# - the time from nothing installed to a working `octopost --version` through scripts/install.sh, with
#   the archive served by a loopback HTTP server and from a file:// URL (what the action does after its
#   download), best and median of RUNS (default 10), each into a fresh folder;
# - the archive's and the binary's size;
# - `octopost --help` start-up time (hyperfine when installed, else best/median of 20 runs);
# - with COLD=1, a cold release build from a fresh clone (`swift build -c release --product octopost`
#   into a new scratch folder), the route the templates took before the archive: slow (minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
runs="${RUNS:-10}"

archive="${1:-$(ls -t dist/octopost-*-linux-*.tar.gz 2>/dev/null | head -n1 || true)}"
[ -n "$archive" ] && [ -f "$archive" ] || { echo "bench_install: no archive: run scripts/release.sh VERSION first" >&2; exit 2; }
archive="$(readlink -f "$archive")"
file="$(basename "$archive" .tar.gz)"            # octopost-VERSION-linux-ARCH
rest="${file#octopost-}"; arch="${rest##*-}"; version="${rest%-linux-*}"

work="$(mktemp -d)"
server_pid=""
cleanup() { [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/releases/v$version"
cp "$archive" "$archive.sha256" "$work/releases/v$version/"

ms() { date +%s%N; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "best %.0f ms, median %.0f ms (%d runs)", a[1], a[int((NR+1)/2)], NR}'; }

time_install() {
  local base="$1" i start
  for i in $(seq "$runs"); do
    rm -rf "$work/bin"
    start=$(ms)
    bash scripts/install.sh --version "$version" --base-url "$base" --dir "$work/bin" --arch "$arch" >/dev/null 2>&1
    "$work/bin/octopost" --version >/dev/null
    echo $(( ($(ms) - start) / 1000000 ))
  done | stats
}

# A loopback server on an ephemeral port, stopped by this script (and by itself after ten minutes).
python3 -u - "$work/releases" > "$work/port" 2>/dev/null <<'EOF' &
import functools, http.server, sys, threading
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
threading.Timer(600, server.shutdown).start()
server.serve_forever()
EOF
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(head -n1 "$work/port")"

echo "octopost $version ($arch): $(basename "$archive")"
echo "archive:  $(stat -c %s "$archive") bytes"
tar -xzf "$archive" -C "$work" "$file/octopost"
echo "binary:   $(stat -c %s "$work/$file/octopost") bytes (stripped)"
echo "install.sh to a working octopost --version, loopback HTTP: $(time_install "http://127.0.0.1:$port")"
echo "install.sh to a working octopost --version, file://:       $(time_install "file://$work/releases")"

bin="$work/$file/octopost"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs 30 "$bin --help" 2>/dev/null | grep -E 'Time|Range' | sed 's/^/octopost --help: /'
else
  for _ in $(seq 20); do s=$(ms); "$bin" --help >/dev/null; echo $(( ($(ms) - s) / 1000 )); done \
    | sort -n | awk '{a[NR]=$1} END {printf "octopost --help start-up: best %.1f ms, median %.1f ms (20 runs)\n", a[1]/1000, a[int((NR+1)/2)]/1000}'
fi

if [ "${COLD:-0}" = 1 ]; then
  git clone -q "$root" "$work/clone"
  start=$(date +%s)
  swift build -c release --product octopost --package-path "$work/clone" > "$work/cold.log" 2>&1
  echo "cold release build from a fresh clone: $(( $(date +%s) - start )) s"
fi
