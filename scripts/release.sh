#!/usr/bin/env bash
# Builds the release archive of octopost for this machine's architecture:
#
#   scripts/release.sh VERSION [--check] [--out DIR] [--allow-dirty]
#
# makes DIR/octopost-VERSION-linux-ARCH.tar.gz (default DIR: dist/) with a .sha256 beside it. The
# archive holds one folder, octopost-VERSION-linux-ARCH/, with the stripped `octopost` binary, README.md
# and the JSON schemas. `octopost --version` prints "VERSION (commit <12 hex>)".
#
# The binary runs on a Linux machine without Swift: the Swift runtime and Foundation are linked
# statically (--static-swift-stdlib; the static Linux SDK is not used: it cannot be fetched here), and
# so is libgit2 with everything it needs (mbedTLS, libssh2, OpenSSL's libcrypto/libssl for libssh2,
# http-parser, PCRE2, zlib: Debian's -dev packages ship them as .a files). Debian has no static
# Kerberos, so libgit2's Negotiate (Kerberos) authentication is replaced by stand-ins that answer "not
# available" (scripts/release/gssapi_stub.c); octopost authenticates to git remotes with tokens only.
# Foundation's URLSession is built on libcurl; octopost never uses it (its HTTP client is SwiftNIO's
# async-http-client), but a dependency's unused code links it, so libcurl's functions are stand-ins that
# stop the program with a message (scripts/release/curl_stub.c).
# libstdc++ is linked statically too. What stays shared is glibc (libc, libm and the loader) and
# libgcc_s (GCC's unwinder, which glibc itself depends on). The binary needs glibc 2.36 or later
# (Debian 12, Ubuntu 24.04; not Ubuntu 22.04, whose glibc is 2.35): arc4random is 2.36's.
#
# --check proves it: ldd lists nothing outside that set, and with the toolchain's folder (/opt/swift
# here; /usr/lib/swift, its runtime libraries, where it is installed into /usr) hidden behind an empty
# mount, the unpacked binary prints its version, lints the example posts and runs `sync --sandbox` on a
# scratch copy of this repository.
#
# The build goes to .build-release/ (its own scratch path, so a debug build in .build/ is untouched)
# and is incremental. It builds what is checked out: the commit is `git rev-parse HEAD`; a tree with
# uncommitted changes is refused unless --allow-dirty, and then the commit reads <hash>-dirty.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

die() { echo "release: $*" >&2; exit 2; }

version="" check=0 out="dist" allow_dirty=0
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --allow-dirty) allow_dirty=1 ;;
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out="$2"; shift ;;
    --out=*) out="${1#--out=}" ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$version" ] || die "one version only (got $version and $1)"; version="$1" ;;
  esac
  shift
done
[ -n "$version" ] || die "give the version to build, e.g. scripts/release.sh 1.2.0"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
  || die "version '$version' is not MAJOR.MINOR.PATCH (optionally -PRERELEASE), e.g. 1.2.0 or 1.3.0-rc.1"

case "$(uname -s)" in
  Linux) os=linux ;;
  *) die "release archives are built on Linux only (this is $(uname -s))" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64; triple_dir=x86_64-linux-gnu ;;
  aarch64|arm64) arch=arm64; triple_dir=aarch64-linux-gnu ;;
  *) die "no release build for $(uname -m): x86_64 and arm64 only" ;;
esac

commit="$(git rev-parse HEAD 2>/dev/null)" || die "not a git checkout: the version names the commit it was built from"
commit="${commit:0:12}"
# Package.resolved is left out: scripts/repin.py below may rewrite its revisions (never its versions).
if [ -n "$(git status --porcelain --untracked-files=no -- . ':(exclude)Package.resolved')" ]; then
  [ "$allow_dirty" = 1 ] || die "uncommitted changes: commit them first, or pass --allow-dirty (the commit then reads ${commit}-dirty)"
  commit="${commit}-dirty"
fi

# What the static link needs: Debian's libgit2-dev brings these archives along. setup.sh also sets the
# committed pins' versions to this host's commit ids for them (scripts/repin.py).
bash scripts/setup.sh
libdir="/usr/lib/$triple_dir"
static_libs=(libgit2.a libmbedtls.a libmbedx509.a libmbedcrypto.a libhttp_parser.a libssh2.a libssl.a libcrypto.a
             libpcre2-8.a libz.a)
for lib in "${static_libs[@]}"; do
  [ -f "$libdir/$lib" ] || die "$libdir/$lib is missing: install libgit2-dev, libssh2-1-dev, libssl-dev, libmbedtls-dev, libhttp-parser-dev, libpcre2-dev and zlib1g-dev"
done
command -v cc >/dev/null 2>&1 || die "a C compiler (cc) is needed for the GSSAPI stand-ins: apt-get install gcc"

scratch="$root/.build-release"
pcdir="$scratch/static-libs"
mkdir -p "$pcdir"
cc -O2 -fPIC -c scripts/release/gssapi_stub.c -o "$pcdir/gssapi_stub.o"
rm -f "$pcdir/libgssapi_stub.a" && ar rcs "$pcdir/libgssapi_stub.a" "$pcdir/gssapi_stub.o"
# FoundationNetworking (pulled in by FlyingFox's unused proxy handler) asks for -lcurl: this folder's
# libcurl.a answers it with stand-ins that stop the program if URLSession is ever used.
cc -O2 -fPIC -c scripts/release/curl_stub.c -o "$pcdir/curl_stub.o"
rm -f "$pcdir/libcurl.a" && ar rcs "$pcdir/libcurl.a" "$pcdir/curl_stub.o"
# SwiftPM reads libgit2's link flags from pkg-config (Sources/CLibGit2): this libgit2.pc, found first
# through PKG_CONFIG_PATH, names the static archives instead of the shared library. The module map's
# `link "git2"` also asks for -lgit2 (and SwiftNIO's zlib module for -lz): the linker looks in this
# folder first (-L) and finds only the .a files there, so no shared library of these is ever linked.
for lib in "${static_libs[@]}"; do ln -sf "$libdir/$lib" "$pcdir/$lib"; done
# The same for the C++ runtime the Swift runtime asks for (-lstdc++): GCC's libstdc++.a.
libstdcxx="$(cc -print-file-name=libstdc++.a)"
[ -f "$libstdcxx" ] || die "GCC's static libstdc++.a is missing: apt-get install libstdc++-12-dev (or g++)"
ln -sf "$libstdcxx" "$pcdir/libstdc++.a"
links=""
for lib in "${static_libs[@]}"; do links+=" -l:$lib"; done
cat > "$pcdir/libgit2.pc" <<EOF
Name: libgit2
Description: libgit2 and what it needs, as static archives (octopost release build)
Version: $(pkg-config --modversion libgit2)
Libs: -L$pcdir$links -l:libgssapi_stub.a -lrt -ldl -lpthread
Cflags: $(pkg-config --cflags libgit2)
EOF

# The version and commit, compiled in; the committed BuildInfo.swift comes back whatever happens.
info="Sources/OctopostCLI/BuildInfo.swift"
saved="$(mktemp)"
cp "$info" "$saved"
restore() { cp "$saved" "$info"; rm -f "$saved"; }
trap restore EXIT
sed -i -e "s/static let version = \".*\"/static let version = \"$version\"/" \
       -e "s/static let commit = \".*\"/static let commit = \"$commit\"/" "$info"
grep -q "\"$version\"" "$info" && grep -q "\"$commit\"" "$info" || die "could not write the version into $info"

echo "release: building octopost $version ($commit) for $os-$arch into .build-release/" >&2
start=$(date +%s)
PKG_CONFIG_PATH="$pcdir" swift build -c release --product octopost --static-swift-stdlib --scratch-path "$scratch"
echo "release: built in $(( $(date +%s) - start )) s" >&2
restore
trap - EXIT
bin="$(PKG_CONFIG_PATH="$pcdir" swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/octopost"

name="octopost-$version-$os-$arch"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
strip --strip-all -o "$stage/$name/octopost" "$bin"
cp README.md "$stage/$name/"
cp -r schemas "$stage/$name/"
# Reproducible: fixed order, owner and times (the commit's), no gzip timestamp.
stamp="$(git log -1 --format=%ct)"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$stamp" -C "$stage" -cf - "$name" \
  | gzip -9 -n > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

size=$(stat -c %s "$stage/$name/octopost")
echo "release: $out/$name.tar.gz ($(stat -c %s "$out/$name.tar.gz") bytes; binary $size bytes stripped)" >&2
echo "release: $(cat "$out/$name.tar.gz.sha256")" >&2
"$stage/$name/octopost" --version

[ "$check" = 1 ] || exit 0

# --- The proof: no toolchain at run time. ---
echo "== ldd $name/octopost"
ldd "$stage/$name/octopost" | tee "$stage/ldd.txt"
allowed='^(linux-vdso\.so|linux-gate\.so|/lib.*/ld-linux|ld-linux|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libgcc_s\.so)'
bad="$(awk '{print $1}' "$stage/ldd.txt" | grep -Ev "$allowed" || true)"
[ -z "$bad" ] || die "the binary needs shared libraries besides glibc and libgcc_s: $(echo $bad)"
grep -q 'not found' "$stage/ldd.txt" && die "a library is missing: $(grep 'not found' "$stage/ldd.txt")"
# SwiftPM gives executables the run path $ORIGIN (beside the binary); any other would be a machine's path.
runpath="$(readelf -d "$stage/$name/octopost" | grep -E 'RPATH|RUNPATH' | sed 's/.*\[\(.*\)\]/\1/' || true)"
[ -z "$runpath" ] || [ "$runpath" = '$ORIGIN' ] || die "the binary carries a run path into this machine: $runpath"
echo "run path: ${runpath:-(none)}"
glibc=$(objdump -T "$stage/$name/octopost" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "needs at most $glibc"

# What to hide: the whole toolchain where it has its own folder (/opt/swift here); where it is installed
# into /usr (the swift container images), its runtime libraries, /usr/lib/swift.
toolchain_usr="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
if [ "$toolchain_usr" = /usr ]; then toolchain=/usr/lib/swift; else toolchain="$(dirname "$toolchain_usr")"; fi
[ -d "$toolchain" ] && [ "$toolchain" != / ] || die "cannot tell where the Swift toolchain is (swift is $(command -v swift))"
demo="$stage/demo"
git clone -q "$root" "$demo"
echo "== with $toolchain hidden (an empty tmpfs mounted over it) and PATH without the toolchain"
cat > "$stage/run.sh" <<EOF
set -e
mount -t tmpfs none "$toolchain"
if [ -n "\$(ls -A "$toolchain")" ]; then echo "$toolchain is still visible" >&2; exit 3; fi
if [ "$toolchain" != /usr/lib/swift ] && command -v swift >/dev/null 2>&1; then echo "swift is still on PATH" >&2; exit 3; fi
export PATH=/usr/local/bin:/usr/bin:/bin LD_LIBRARY_PATH=
bin="$stage/$name/octopost"
echo "\$ octopost --version"; "\$bin" --version
echo "\$ octopost lint"; "\$bin" lint --repo "$demo"
echo "\$ octopost sync --sandbox"; set +e; "\$bin" sync --sandbox --repo "$demo"; status=\$?; set -e
# The examples also target platforms without adapters yet, so some entries fail: exit 1, as in demo.sh.
[ "\$status" -le 1 ] || exit "\$status"
echo "sync --sandbox exit \$status"
EOF
if [ "$(id -u)" -eq 0 ] && unshare --mount --propagation private true 2>/dev/null; then
  unshare --mount --propagation private bash "$stage/run.sh"
else
  die "--check needs root and unshare(1) to hide $toolchain; run it as root (ldd above already passed)"
fi
echo "release: checked: $name runs without the Swift toolchain"
