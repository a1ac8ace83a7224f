#!/usr/bin/env bash
# Runs every check and test of meshlint. It installs what the tests need
# (pinned Go tools, the SARIF validator) under .tools/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"

STATICCHECK_VERSION=v0.8.2

install_go_tool() { # name module@version
  if ! "$TOOLS/bin/$1" -version 2>/dev/null | grep -q "${2##*@}" && ! "$TOOLS/bin/$1" --version 2>/dev/null | grep -q "${2##*@}"; then
    echo "installing $2" >&2
    GOBIN="$TOOLS/bin" go install "$2"
  fi
}

install_go_tool staticcheck "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"

echo "== gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi

echo "== go vet" >&2
go vet ./...

echo "== staticcheck" >&2
staticcheck ./...

echo "== go test" >&2
go test -count=1 ./...
