#!/usr/bin/env bash
# The steps of the octopost GitHub Action (action.yml at the repository root), one verb each:
#
#   action.sh resolve   which octopost to use: a release archive, or a build of the action's own source
#   action.sh install   puts it on PATH (the archive through scripts/install.sh and the runner's tool cache)
#   action.sh run       runs `octopost COMMAND ARGS…` and sets the step outputs
#
# Inputs come as INPUT_* variables (action.yml maps them), the runner's as usual: RUNNER_OS, RUNNER_ARCH,
# RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_ACTION_PATH; ACTION_REF and
# ACTION_REPOSITORY carry github.action_ref/action_repository, which composite actions may leave empty,
# and then both come from GITHUB_ACTION_PATH (…/_actions/OWNER/NAME/REF). A failure is one line,
# `::error::octopost action: …`, and exit 1; an unverified binary never runs.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
fail() { echo "::error::octopost action: $*"; exit 1; }
output() { echo "$1=$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this inside GitHub Actions}"; }
version_pattern='^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

# The action's own repository and ref.
action_origin() {
  ref="${ACTION_REF:-}" repository="${ACTION_REPOSITORY:-}"
  local path="${GITHUB_ACTION_PATH:-}"
  if [ -z "$ref" ] && [[ "$path" == */_actions/*/*/* ]]; then
    ref="$(basename "$path")"
    repository="${repository:-$(basename "$(dirname "$(dirname "$path")")")/$(basename "$(dirname "$path")")}"
  fi
}

resolve() {
  local from_source="${INPUT_FROM_SOURCE:-auto}" version="${INPUT_VERSION:-}" os="${RUNNER_OS:-$(uname -s)}"
  local arch="${RUNNER_ARCH:-$(uname -m)}" archive_arch=""
  case "$from_source" in auto|always|never) ;; *) fail "from-source is '$from_source': use auto, always or never" ;; esac
  case "$os" in
    Windows) fail "octopost does not run on Windows runners: use runs-on: ubuntu-latest" ;;
    Linux|macOS) ;;
    *) fail "unsupported runner OS '$os': use runs-on: ubuntu-latest" ;;
  esac
  action_origin
  if [ -n "$version" ]; then
    [[ "$version" =~ $version_pattern ]] || fail "version '$version' is not a release version: use one like 1.2.0 (see the releases of ${repository:-octopost}), or leave it out to use the action's own tag"
  elif [[ "$ref" =~ $version_pattern ]]; then
    version="$ref"
  fi
  version="${version#v}"
  local why="no octopost archive for $os $arch runners"
  if [ "$os" = Linux ]; then
    case "$arch" in X64|x86_64|amd64) archive_arch=x86_64 ;; ARM64|arm64|aarch64) archive_arch=arm64 ;; esac
    # The archive's binary needs glibc 2.36 or later (ubuntu-24.04 has 2.39, ubuntu-22.04 only 2.35).
    local glibc="${OCTOPOST_GLIBC_VERSION:-$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)}"
    if [ -n "$archive_arch" ] && { [ -z "$glibc" ] || [ "$(printf '%s\n' 2.36 "$glibc" | sort -V | head -n1)" != 2.36 ]; }; then
      archive_arch=""
      why="the octopost archive needs glibc 2.36 or later and this runner has ${glibc:-none (musl?)}"
    fi
  fi

  if [ -n "$archive_arch" ] && [ -z "$version" ]; then why="the action's ref '${ref:-local}' is not a release tag and no version: is set"; fi
  [ "$from_source" != always ] || why="from-source is always"
  local mode=""
  if [ "$from_source" != always ] && [ -n "$version" ] && [ -n "$archive_arch" ]; then
    mode=archive
  elif [ "$from_source" = never ]; then
    if [ -z "$version" ]; then
      fail "no version to install: the action's ref '${ref:-(none)}' is not a release tag; pin a release (uses: OWNER/octopost@v1.2.0) or set version:"
    fi
    fail "$why and from-source is never: use runs-on: ubuntu-latest (ubuntu-24.04, x64 or arm64)"
  else
    mode=source
    # The source is the action's own checkout, so it is the action's ref that gets built.
    if [ -n "${INPUT_VERSION:-}" ] && [ "${INPUT_VERSION#v}" != "${ref#v}" ]; then
      fail "no octopost archive fits this $os $arch runner, and the source build is of the action's own ref (${ref:-local}), not version $version: drop version: or use the action at v$version"
    fi
    [ -f "${GITHUB_ACTION_PATH:-}/Package.swift" ] || fail "no octopost archive fits this $os $arch runner and there is no source to build at ${GITHUB_ACTION_PATH:-(no action path)}"
  fi
  output mode "$mode"
  output version "$version"
  output repository "$repository"
  output arch "$archive_arch"
  if [ "$mode" = source ]; then
    local key
    # What the build depends on: the manifest and the pins (a fork may have no Package.resolved).
    key="$( { cat "$GITHUB_ACTION_PATH/Package.swift"; cat "$GITHUB_ACTION_PATH/Package.resolved" 2>/dev/null || true; } \
      | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-16)"
    output source-key "$key"
  fi
  if [ "$mode" = archive ]; then echo "octopost $version: the release archive for linux-$archive_arch"
  else echo "octopost: $why: building the action's own source (${ref:-local})"; fi
}

install() {
  local mode="${RESOLVED_MODE:?}" version="${RESOLVED_VERSION:-}" arch="${RESOLVED_ARCH:-}" bin
  if [ "$mode" = archive ]; then
    local cache="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}/tool-cache}/octopost/$version/$arch"
    local marker="$cache.complete"
    # The tool cache keeps a verified binary for later jobs on the same (self-hosted) runner. The marker
    # holds the archive's SHA-256, so a pinned sha256 that differs installs again.
    if [ -f "$marker" ] && [ -x "$cache/octopost" ] \
       && { [ -z "${INPUT_SHA256:-}" ] || [ "$(tr 'A-F' 'a-f' <<<"$INPUT_SHA256")" = "$(cat "$marker")" ]; }; then
      echo "octopost $version: from the tool cache ($cache)"
    else
      rm -rf "$cache" "$marker"
      local repo_args=()
      if [ -n "${INPUT_DOWNLOAD_URL:-}" ]; then repo_args=(--base-url "$INPUT_DOWNLOAD_URL")
      elif [ -n "${RESOLVED_REPOSITORY:-}" ]; then repo_args=(--repo "$RESOLVED_REPOSITORY")
      else fail "cannot tell which repository publishes octopost: set download-url:"; fi
      local err="${RUNNER_TEMP:-/tmp}/octopost-install.err"
      if ! bash "$here/install.sh" --version "$version" "${repo_args[@]}" --dir "$cache" --arch "$arch" --os Linux \
          ${INPUT_SHA256:+--sha256 "$INPUT_SHA256"} > /dev/null 2> "$err"; then
        fail "$(grep 'install: error: ' "$err" | tail -n1 | sed 's/^install: error: //')"
      fi
      cat "$err"
      grep -o 'sha256 [0-9a-f]*' "$err" | tail -n1 | cut -d' ' -f2 > "$marker"
    fi
    bin="$cache/octopost"
  else
    local src="${GITHUB_ACTION_PATH:?}"
    if ! command -v swift >/dev/null 2>&1; then
      fail "no octopost archive fits this runner and Swift is not installed to build one: add swift-actions/setup-swift before this step, or use runs-on: ubuntu-latest"
    fi
    if ! pkg-config --exists libgit2 2>/dev/null; then
      if command -v apt-get >/dev/null 2>&1; then
        local sudo; sudo="$( [ "$(id -u)" = 0 ] || command -v sudo || true)"
        { $sudo apt-get update -qq && $sudo apt-get install -y -qq libgit2-dev pkg-config >/dev/null; } \
          || fail "building octopost from source needs libgit2: apt-get install libgit2-dev failed"
      elif command -v brew >/dev/null 2>&1; then
        brew install libgit2 pkg-config >/dev/null || fail "building octopost from source needs libgit2: brew install libgit2 failed"
      else
        fail "building octopost from source needs libgit2 (Debian/Ubuntu: libgit2-dev; macOS: brew install libgit2)"
      fi
    fi
    # The pinned versions at this host's commit ids (the committed ones may be a mirror's: scripts/repin.py).
    if command -v python3 >/dev/null 2>&1; then python3 "$src/scripts/repin.py" "$src" || fail "the pinned package versions cannot be resolved (see above)"; fi
    echo "octopost: building from source at $src (cached in $src/.build)"
    swift build -c release --product octopost --package-path "$src" || fail "the source build of octopost failed (see the log above)"
    bin="$(swift build -c release --package-path "$src" --show-bin-path)/octopost"
  fi
  [ -x "$bin" ] || fail "octopost was not installed: $bin is missing"
  echo "$(dirname "$bin")" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
  output path "$bin"
  output version "$("$bin" --version | cut -d' ' -f1)"
  "$bin" --version
}

run() {
  local bin="${OCTOPOST_BIN:?}" command="${INPUT_COMMAND:-}" args=()
  [[ "$command" =~ ^[a-z][a-z-]*$ ]] || fail "command '$command' is not an octopost subcommand (lint, sync, plan, count, retry, doctor)"
  if [ -n "${INPUT_ARGS:-}" ]; then
    # Shell words with quotes honoured and nothing expanded (no $(...), no globbing): xargs splits them.
    printf '%s' "$INPUT_ARGS" | xargs printf '' 2>/dev/null || fail "args has an unmatched quote: $INPUT_ARGS"
    mapfile -d '' -t args < <(printf '%s' "$INPUT_ARGS" | xargs printf '%s\0')
  fi
  local out="${RUNNER_TEMP:-/tmp}/octopost-$command-$$.out"
  set +e
  "$bin" "$command" "${args[@]}" | tee "$out"
  local status="${PIPESTATUS[0]}"
  set -e
  output exit-code "$status"
  output output-file "$out"
  if [ "$command" = sync ]; then
    # Counts from the summary line ("3 published, 0 failed, …") or from the JSON report (--format json).
    local key n
    for key in published failed retrying unknown expired; do
      n="$(grep -oE "\"$key\": ?[0-9]+" "$out" | head -n1 | grep -oE '[0-9]+$' || true)"
      [ -n "$n" ] || n="$(grep -oE "(^|, )[0-9]+ $key" "$out" | head -n1 | grep -oE '[0-9]+' || true)"
      output "$key" "${n:-0}"
    done
  fi
  exit "$status"
}

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  run) run ;;
  *) echo "usage: action.sh resolve|install|run" >&2; exit 2 ;;
esac
