# Sourced by scripts/test.sh and scripts/release-snapshot.sh: installs the
# pinned release tools under $TOOLS/bin from the Go module proxy. The release
# workflow installs the same versions.
GORELEASER_VERSION=v2.15.1
SYFT_VERSION=v1.57.1

# install_go_binary NAME MODULE PACKAGE VERSION: go install PACKAGE@VERSION
# unless $TOOLS/bin/NAME was built from MODULE at VERSION (read from the
# binary: syft prints no version when go-installed).
install_go_binary() {
  if ! go version -m "$TOOLS/bin/$1" 2>/dev/null | grep -qE "^\s+mod\s+$2\s+$4\s"; then
    echo "installing $3@$4" >&2
    GOBIN="$TOOLS/bin" go install "$3@$4"
  fi
}

install_goreleaser() {
  install_go_binary goreleaser github.com/goreleaser/goreleaser/v2 github.com/goreleaser/goreleaser/v2 "$GORELEASER_VERSION"
}

install_syft() {
  install_go_binary syft github.com/anchore/syft github.com/anchore/syft/cmd/syft "$SYFT_VERSION"
}
