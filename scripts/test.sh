#!/usr/bin/env bash
# Runs every check and test of meshlint. It installs what the tests need
# (pinned Go tools, the SARIF validator) under .tools/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"

STATICCHECK_VERSION=v0.8.2
ACTIONLINT_VERSION=v1.7.12
SARIF_MULTITOOL_VERSION=5.7.0

install_go_tool() { # name module@version
  if ! "$TOOLS/bin/$1" -version 2>/dev/null | grep -qF "${2##*@v}" && ! "$TOOLS/bin/$1" --version 2>/dev/null | grep -qF "${2##*@v}"; then
    echo "installing $2" >&2
    GOBIN="$TOOLS/bin" go install "$2"
  fi
}

install_go_tool staticcheck "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
install_go_tool actionlint "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"

# conftest, to check that conftest policies give the same verdicts under
# meshlint. A go-installed conftest reports its version as "dev", so the
# check reads the module version from the binary.
CONFTEST_VERSION=v0.71.1
if ! go version -m "$TOOLS/bin/conftest" 2>/dev/null | grep -qE "^\s+mod\s+github.com/open-policy-agent/conftest\s+$CONFTEST_VERSION\s"; then
  echo "installing github.com/open-policy-agent/conftest@$CONFTEST_VERSION" >&2
  GOBIN="$TOOLS/bin" go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION"
fi

# Microsoft's SARIF validator: a self-contained binary in a per-platform npm
# package, pinned with it (the wrapper would take any 5.x). report's tests run
# it on every scenario's SARIF; they find it through SARIF_MULTITOOL, and
# MESHLINT_REQUIRE_TOOLS makes them fail rather than skip when it is missing.
install_sarif_multitool() {
  local npm_dir="$TOOLS/npm" platform
  platform=$(node -p process.platform)
  if [ "$(node -p "require('$npm_dir/node_modules/@microsoft/sarif-multitool-$platform/package.json').version" 2>/dev/null)" != "$SARIF_MULTITOOL_VERSION" ]; then
    echo "installing @microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" >&2
    mkdir -p "$npm_dir"
    npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
      "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" "@microsoft/sarif-multitool-$platform@$SARIF_MULTITOOL_VERSION"
  fi
  SARIF_MULTITOOL=$(node -p "require('$npm_dir/node_modules/@microsoft/sarif-multitool')")
  chmod u+x "$SARIF_MULTITOOL" # its postinstall does this, when npm runs install scripts
  export SARIF_MULTITOOL
}
install_sarif_multitool

# Debian's Chromium, for the HTML report's browser tests (chromedp drives
# it). They find it through MESHLINT_CHROMIUM and, with
# MESHLINT_REQUIRE_TOOLS, fail rather than skip without it. Where apt cannot
# install it, a Chrome the machine already has will do.
install_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium" >&2
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    $sudo apt-get install -y -qq chromium >/dev/null 2>&1 ||
      { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium; } || true
  fi
  MESHLINT_CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
  if [ -z "$MESHLINT_CHROMIUM" ]; then
    echo "chromium is missing and apt-get could not install it: the browser tests need it" >&2
    exit 1
  fi
  export MESHLINT_CHROMIUM
}
install_chromium
export MESHLINT_REQUIRE_TOOLS=1

# --- helm (issue 13) -------------------------------------------------------
# The real helm, built from the Go module proxy at the version meshlint
# renders charts with: the helm package's golden test compares meshlint's
# rendering with `helm template`, object by object. It finds it through
# HELM_BIN, and MESHLINT_REQUIRE_TOOLS makes it fail rather than skip when it
# is missing. A go-installed helm prints no patch version, so the check reads
# the module version from the binary.
HELM_VERSION=v3.22.0
if ! go version -m "$TOOLS/bin/helm" 2>/dev/null | grep -qE "^\s+mod\s+helm.sh/helm/v3\s+$HELM_VERSION\s"; then
  echo "installing helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  GOBIN="$TOOLS/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
export HELM_BIN="$TOOLS/bin/helm"
# --- end helm --------------------------------------------------------------

# --- release tools (issue 16) ---------------------------------------------
# GoReleaser checks .goreleaser.yaml; Debian's shellcheck lets actionlint
# check the workflows' run: scripts (it skips them silently without it) and
# the tests check the action's and the release scripts; Debian's pre-commit
# tries the hook; zsh and fish run the completion scripts' tests.
# shellcheck source=scripts/release-tools.sh
. scripts/release-tools.sh
install_goreleaser
install_debian_tools() { # command=package...
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "installing ${missing[*]} (Debian)" >&2
  local sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo -n); fi
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
install_debian_tools shellcheck=shellcheck pre-commit=pre-commit zsh=zsh fish=fish curl=curl unzip=unzip jq=jq
for tool in goreleaser shellcheck pre-commit zsh fish curl unzip jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: $tool is required and could not be installed" >&2; exit 1; }
done
# --- end release tools -----------------------------------------------------

echo "== gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi

echo "== go vet" >&2
go vet ./...

echo "== staticcheck" >&2
staticcheck ./...

echo "== actionlint" >&2
actionlint .github/workflows/*.yml

# --- release checks (issue 16) ---------------------------------------------
echo "== goreleaser check" >&2
goreleaser check
# --- end release checks ----------------------------------------------------

echo "== go test" >&2
# The root package builds meshlint as the Action and pre-commit do
# (-trimpath, CGO_ENABLED=0: a cold compile of every dependency), which on a
# 2-core machine busy with the other packages passes go test's default
# 10-minute limit. The limit is a hang guard, not a speed check.
go test -count=1 -timeout 40m ./...
