#!/usr/bin/env bash
# Measures meshlint against its performance bar: a full lint (every rule,
# both layers) of a 10,000-object cluster (2,000 workloads in 100 namespaces)
# in at most 1.5 times the time yq v4 needs to parse the same file, in under
# 200 MiB. Prints wall time and peak RSS of five runs of each, then the Go
# benchmarks (go test -bench, -benchmem). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
YQ_VERSION=v4.54.3
if ! "$TOOLS/bin/yq" --version 2>/dev/null | grep -qF "${YQ_VERSION#v}"; then
  GOBIN="$TOOLS/bin" go install "github.com/mikefarah/yq/v4@$YQ_VERSION"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run ./internal/synth/cmd/synth > "$work/cluster.yaml"
# The same cluster with Sidecars, ServiceEntries and waypoints.
go run ./internal/synth/cmd/synth -mesh-resources > "$work/cluster-mesh.yaml"
go build -o "$work/meshlint" ./cmd/meshlint

measure() { # label command...
  local label=$1; shift
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "$label %e s %M KB" "$@" > /dev/null 2>> "$work/times" || true
  done
  grep "^$label " "$work/times" | sort -k2 -n | sed -n 3p | sed 's/^/median: /'
}
measure yq "$TOOLS/bin/yq" '.' "$work/cluster.yaml"
measure meshlint "$work/meshlint" --fail-on none "$work/cluster.yaml"
measure meshlint-mesh-resources "$work/meshlint" --fail-on none "$work/cluster-mesh.yaml"

go test -run '^$' -bench . -benchmem ./lint/ ./connectivity/ ./policy/
