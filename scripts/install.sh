#!/usr/bin/env bash
# Installs a released octopost binary, checked against its SHA-256 before anything runs it:
#
#   install.sh --version 1.2.0 --repo OWNER/octopost [--dir DIR] [--sha256 HEX]
#   install.sh --version 1.2.0 --base-url URL        [--dir DIR] [--sha256 HEX]
#
# It downloads octopost-VERSION-linux-ARCH.tar.gz and its .sha256 from
# https://github.com/OWNER/octopost/releases/download/vVERSION/ (or from URL/vVERSION/: any http(s) or
# file:// mirror laid out the same way), checks the archive against --sha256 when given and always
# against the .sha256 file, unpacks it, and only then runs `octopost --version` to make sure it is the
# version asked for. The binary ends up as DIR/octopost (default: ~/.local/bin) and its path is printed
# on stdout. Every variable has an environment twin: OCTOPOST_VERSION, OCTOPOST_REPOSITORY,
# OCTOPOST_DOWNLOAD_URL, OCTOPOST_INSTALL_DIR, OCTOPOST_SHA256. --os and --arch override what uname says
# (for tests).
#
# Archives exist for Linux on x86_64 and arm64 (glibc 2.36 or later: Debian 12, Ubuntu 24.04). On anything else it stops and
# says how to build from source. Every failure is one line on stderr, "install: error: ...", and exit 1;
# nothing is left in DIR.
set -euo pipefail

fail() { echo "install: error: $*" >&2; exit 1; }
source_hint="build from source instead: swift build -c release --product octopost (README: Use it in CI)"

version="${OCTOPOST_VERSION:-}"
repository="${OCTOPOST_REPOSITORY:-}"
base_url="${OCTOPOST_DOWNLOAD_URL:-}"
dir="${OCTOPOST_INSTALL_DIR:-$HOME/.local/bin}"
pinned="${OCTOPOST_SHA256:-}"
os="$(uname -s)"
arch="$(uname -m)"
while [ $# -gt 0 ]; do
  case "$1" in
    --version|--repo|--base-url|--dir|--sha256|--os|--arch)
      [ $# -ge 2 ] || fail "$1 needs a value"
      case "$1" in
        --version) version="$2" ;; --repo) repository="$2" ;; --base-url) base_url="$2" ;;
        --dir) dir="$2" ;; --sha256) pinned="$2" ;; --os) os="$2" ;; --arch) arch="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

# The platform first: there is no point in downloading what cannot run here.
case "$os" in
  Linux|linux) os=linux ;;
  Darwin|darwin|macos) fail "no octopost archive for macOS: $source_hint" ;;
  MINGW*|MSYS*|CYGWIN*|Windows*|windows) fail "octopost does not run on Windows: use a Linux machine or runner (ubuntu-latest)" ;;
  *) fail "no octopost archive for the operating system '$os': $source_hint" ;;
esac
case "$arch" in
  x86_64|amd64|X64|x64) arch=x86_64 ;;
  aarch64|arm64|ARM64) arch=arm64 ;;
  *) fail "no octopost archive for the architecture '$arch' (x86_64 and arm64 only): $source_hint" ;;
esac

# The archive's binary needs glibc 2.36 (arc4random); musl (Alpine) has no GNU_LIBC_VERSION at all.
# OCTOPOST_GLIBC_VERSION says which glibc this is where getconf cannot tell.
glibc="${OCTOPOST_GLIBC_VERSION:-$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)}"
[ -n "$glibc" ] || fail "this Linux has no glibc (musl, as on Alpine?); the octopost archive needs glibc 2.36 or later: use a Debian 12 or Ubuntu 24.04 image, or $source_hint"
[ "$(printf '%s\n' 2.36 "$glibc" | sort -V | head -n1)" = 2.36 ] \
  || fail "this machine's glibc is $glibc; the octopost archive needs 2.36 or later: use Debian 12, Ubuntu 24.04 (ubuntu-latest) or newer, or $source_hint"

[ -n "$version" ] || fail "no version given: pass --version 1.2.0 (a release of octopost, without or with its v)"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
  || fail "'$version' is not a release version: give one like 1.2.0 (see the repository's releases)"
if [ -n "$pinned" ]; then
  pinned="$(printf '%s' "$pinned" | tr 'A-F' 'a-f')"
  [[ "$pinned" =~ ^[0-9a-f]{64}$ ]] || fail "--sha256 must be 64 hexadecimal digits (the archive's SHA-256)"
fi

if [ -z "$base_url" ]; then
  [ -n "$repository" ] || fail "no download location: pass --repo OWNER/octopost (GitHub releases) or --base-url URL"
  [[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "--repo '$repository' is not OWNER/NAME"
  base_url="https://github.com/$repository/releases/download"
fi
base_url="${base_url%/}"
name="octopost-$version-$os-$arch"
url="$base_url/v$version/$name.tar.gz"

command -v curl >/dev/null 2>&1 || fail "curl is needed to download octopost: install it (apt-get install curl)"
if command -v sha256sum >/dev/null 2>&1; then sha() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then sha() { shasum -a 256 "$1" | cut -d' ' -f1; }
else fail "sha256sum (coreutils) is needed to check the download"; fi

work="$(mktemp -d "${TMPDIR:-/tmp}/octopost-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# curl exit codes: 22 an HTTP error (404: no such release or asset), 37 a file:// path that is not there.
fetch() {
  local from="$1" to="$2" what="$3" status=0
  curl -fsSL --retry 3 --retry-connrefused --connect-timeout 20 -o "$to" "$from" 2>"$work/curl.err" || status=$?
  case "$status" in
    0) ;;
    22|37) fail "octopost $version has no $what for $os-$arch at $from: check that release $version exists and has this asset, or $source_hint" ;;
    *) fail "could not download $from ($(tail -n1 "$work/curl.err")): check the network or the URL, then try again" ;;
  esac
}
fetch "$url" "$work/$name.tar.gz" "archive"
fetch "$url.sha256" "$work/$name.tar.gz.sha256" "checksum file (.sha256)"

actual="$(sha "$work/$name.tar.gz")"
published="$(head -n1 "$work/$name.tar.gz.sha256" | awk '{print $1}' | tr 'A-F' 'a-f')"
[[ "$published" =~ ^[0-9a-f]{64}$ ]] || fail "$url.sha256 holds no SHA-256: the release is broken; nothing was installed"
if [ -n "$pinned" ] && [ "$actual" != "$pinned" ]; then
  fail "checksum mismatch for $name.tar.gz: it is $actual but --sha256 says $pinned; the download was altered or the pin is wrong, nothing was installed"
fi
if [ "$actual" != "$published" ]; then
  fail "checksum mismatch for $name.tar.gz: it is $actual but its .sha256 says $published; the download is corrupt or was altered, nothing was installed"
fi

# Verified: unpack, and only the one file we expect.
mkdir "$work/unpacked"
tar -xzf "$work/$name.tar.gz" -C "$work/unpacked" "$name/octopost" 2>/dev/null \
  || fail "$name.tar.gz has no $name/octopost inside: the release is broken; nothing was installed"
binary="$work/unpacked/$name/octopost"
[ -f "$binary" ] && [ ! -L "$binary" ] || fail "$name/octopost in the archive is not a regular file; nothing was installed"
chmod 0755 "$binary"
said="$("$binary" --version 2>&1)" || fail "the octopost binary does not start here ($(printf '%s' "$said" | head -n1)); it needs Linux with glibc 2.36 or later: $source_hint"
case "$said" in
  "$version "*|"$version") ;;
  *) fail "the archive for $version holds octopost '$(printf '%s' "$said" | head -n1)': the release is broken; nothing was installed" ;;
esac

mkdir -p "$dir" || fail "cannot create $dir: choose another --dir"
# Same file system as the target, then rename: a reader never sees a half-written binary.
tmp="$(mktemp "$dir/.octopost.XXXXXX")" || fail "cannot write into $dir: choose another --dir"
cp "$binary" "$tmp" && chmod 0755 "$tmp" && mv -f "$tmp" "$dir/octopost" || { rm -f "$tmp"; fail "cannot install into $dir"; }
echo "install: octopost $said -> $dir/octopost (sha256 $actual)" >&2
echo "$dir/octopost"
