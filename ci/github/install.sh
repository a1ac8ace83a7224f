#!/usr/bin/env bash
# Installs a meshlint release binary: the Action's install step when its
# version names a release. It downloads the archive for the runner's OS and
# architecture and the release's checksums file, checks the archive's
# SHA-256 against it, unpacks the binary into DEST and prints its path.
#
#   install.sh VERSION DEST
#
# VERSION is a release tag (v1.2.0) or latest. The environment gives
# RUNNER_OS (Linux, macOS, Windows) and RUNNER_ARCH (X64, ARM64), as GitHub
# sets them, and MESHLINT_RELEASES, the releases page (default
# https://github.com/meshlint/meshlint/releases; the tests serve a fake one).
set -euo pipefail

fail() { echo "meshlint install: $*" >&2; exit 1; }

[ $# -eq 2 ] || fail "usage: install.sh VERSION DEST"
version=$1
dest=$2
releases=${MESHLINT_RELEASES:-https://github.com/meshlint/meshlint/releases}

case ${RUNNER_OS:-} in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows ;;
  *) fail "no release binary for the runner OS '${RUNNER_OS:-}' (Linux, macOS or Windows)" ;;
esac
case ${RUNNER_ARCH:-} in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) fail "no release binary for the runner architecture '${RUNNER_ARCH:-}' (X64 or ARM64)" ;;
esac

if [ "$version" = latest ]; then
  # The releases page redirects latest to .../tag/vX.Y.Z.
  url=$(curl -fsSLI --retry 3 -o /dev/null -w '%{url_effective}' "$releases/latest") ||
    fail "could not find the latest release at $releases/latest"
  version=${url##*/}
fi
case $version in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) fail "version '$version' is not a release tag (such as v1.2.0) or latest" ;;
esac

# The names of .goreleaser.yaml: the version without its v.
number=${version#v}
ext=tar.gz exe=meshlint
if [ "$os" = windows ]; then ext=zip exe=meshlint.exe; fi
archive="meshlint_${number}_${os}_${arch}.$ext"
sums="meshlint_${number}_checksums.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$archive" "$sums"; do
  curl -fsSL --retry 3 -o "$tmp/$f" "$releases/download/$version/$f" ||
    fail "could not download $f of release $version from $releases/download/$version/"
done

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/$sums")
[ -n "$want" ] || fail "$sums lists no checksum for $archive"
if command -v sha256sum >/dev/null 2>&1; then
  got=$(sha256sum "$tmp/$archive")
else
  got=$(shasum -a 256 "$tmp/$archive") # macOS
fi
got=${got%% *}
[ "$got" = "$want" ] || fail "$archive does not match its checksum: SHA-256 $got, $sums says $want"

mkdir -p "$tmp/unpacked" "$dest"
if [ "$ext" = zip ]; then
  unzip -q "$tmp/$archive" "$exe" -d "$tmp/unpacked"
else
  tar -xzf "$tmp/$archive" -C "$tmp/unpacked" "$exe"
fi
mv "$tmp/unpacked/$exe" "$dest/$exe"
chmod +x "$dest/$exe"
echo "$dest/$exe"
