// Package version tells which build of meshlint is running: the version,
// commit and date that releases stamp with -ldflags, else what the Go
// toolchain recorded in the binary (the module version under `go install
// module@version`, the VCS revision and time in a clone).
package version

import (
	"cmp"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Set by release builds (.goreleaser.yaml):
//
//	-X github.com/meshlint/meshlint/internal/version.version=v1.2.3
//	-X github.com/meshlint/meshlint/internal/version.commit=<full hash>
//	-X github.com/meshlint/meshlint/internal/version.date=<RFC 3339>
var version, commit, date string

// Info describes one build.
type Info struct {
	// Version is a tag (v1.2.3), a Go pseudo-version of a commit
	// (v0.0.0-20261201210600-1601e7b4abcd, +dirty when built from a tree
	// with changes), or, for a build that recorded no version, 0.0.0-dev
	// (0.0.0-dev-<commit> when it recorded the commit): always a semantic
	// version, so that every report can name the very same string
	// (SARIF's tool.driver.version drops only the "v", see Numeric).
	Version string
	// Commit is the full VCS revision, empty when unknown.
	Commit string
	// Date is the release's commit date, or the VCS time of a clone (the
	// commit's time, which reproducible builds use instead of the clock).
	Date string
	// Modified says the build came from a tree with uncommitted changes.
	Modified bool
	// Go is the toolchain and platform, as in "go1.26.8 linux/amd64".
	Go string
}

// Get returns the running binary's Info.
var Get = sync.OnceValue(func() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, bi)
})

// resolve prefers what the release stamped, then the build info.
func resolve(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) Info {
	info := Info{Version: ldVersion, Commit: ldCommit, Date: ldDate, Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		if info.Version == "" {
			info.Version = Dev
		}
		return info
	}
	var revision, vcsTime string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			vcsTime = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	if info.Commit == "" {
		info.Commit = revision
	}
	if info.Date == "" {
		info.Date = vcsTime
	}
	if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		// `go install module@v1.2.3` records the tag; since Go 1.24 a
		// build in a clone records a pseudo-version of its commit.
		info.Version = bi.Main.Version
	}
	if info.Version == "" {
		// A build that stamped a revision but no version (go run, or an
		// older toolchain): name the revision rather than say only "dev".
		info.Version = Dev
		if info.Commit != "" {
			info.Version += "-" + short(info.Commit)
			if info.Modified {
				info.Version += "+dirty"
			}
		}
	}
	return info
}

// Dev is the version of a build that recorded none.
const Dev = "0.0.0-dev"

// Numeric is v as SARIF consumers compare versions, starting with a digit
// (the SARIF validator's SARIF2005): without the "v" of a tag or Go
// pseudo-version, the same string otherwise.
func Numeric(v string) string {
	if n, ok := strings.CutPrefix(v, "v"); ok && n != "" && n[0] >= '0' && n[0] <= '9' {
		return n
	}
	if v == "" || v[0] < '0' || v[0] > '9' {
		return "0.0.0-" + cmp.Or(v, "unknown")
	}
	return v
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// String is what `meshlint version` prints: the version on the first line,
// then what else is known, one fact a line.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "meshlint %s\n", i.Version)
	if i.Commit != "" {
		c := i.Commit
		if i.Modified {
			c += " (modified)"
		}
		fmt.Fprintf(&b, "commit: %s\n", c)
	}
	if i.Date != "" {
		fmt.Fprintf(&b, "date:   %s\n", i.Date)
	}
	fmt.Fprintf(&b, "go:     %s\n", i.Go)
	return b.String()
}
