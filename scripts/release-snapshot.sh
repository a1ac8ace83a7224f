#!/usr/bin/env bash
# Builds a release locally, as .github/workflows/release.yml does on a tag,
# but publishes nothing: under dist/, the six binaries (linux, darwin and
# windows on amd64 and arm64), their archives, the checksums and one SBOM per
# archive. The container image is built too where a Docker engine runs;
# elsewhere it is skipped, and the script says so.
#
#   scripts/release-snapshot.sh
#   ./dist/meshlint_linux_amd64*/meshlint version
#
# The version is the last tag's with a -SNAPSHOT suffix (v0.0.0-SNAPSHOT-...
# before the first tag). Extra arguments go to `goreleaser release`.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"
# shellcheck source=scripts/release-tools.sh
. scripts/release-tools.sh
install_goreleaser
install_syft

skip=()
if ! docker info >/dev/null 2>&1 || ! docker buildx version >/dev/null 2>&1; then
  echo "no Docker engine with buildx here: the container image is not built" >&2
  skip=(--skip=docker)
fi
# GoReleaser reads the commit only where git names a remote; a clone has
# one, a bare local repository may not: lend it the project's, in this
# command's environment alone.
if [ -z "$(git remote)" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/meshlint/meshlint.git
fi
goreleaser release --snapshot --clean "${skip[@]}" "$@"
