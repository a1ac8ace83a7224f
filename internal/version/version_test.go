package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := func(rev, time, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: time}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "1601e7b4c0ffee0000000000000000000000abcd"
	for _, tc := range []struct {
		name                string
		ldVersion, ldCommit string
		ldDate              string
		bi                  *debug.BuildInfo
		want                Info
	}{
		{
			name:      "release: -ldflags win over the build info",
			ldVersion: "v1.2.3", ldCommit: rev, ldDate: "2026-12-01T10:00:00Z",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("other", "2020-01-01T00:00:00Z", "false")},
			want: Info{Version: "v1.2.3", Commit: rev, Date: "2026-12-01T10:00:00Z"},
		},
		{
			name:      "release stamped only the version: commit and date from VCS",
			ldVersion: "v1.2.3",
			bi:        &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-01T10:00:00Z", "false")},
			want:      Info{Version: "v1.2.3", Commit: rev, Date: "2026-12-01T10:00:00Z"},
		},
		{
			name: "go install module@v1.2.3",
			bi:   &debug.BuildInfo{Main: debug.Module{Path: "github.com/meshlint/meshlint", Version: "v1.2.3"}},
			want: Info{Version: "v1.2.3"},
		},
		{
			name: "a clone, Go 1.24 and later: pseudo-version and VCS",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201100000-1601e7b4c0ff+dirty"}, Settings: vcs(rev, "2026-12-01T10:00:00Z", "true")},
			want: Info{Version: "v0.0.0-20261201100000-1601e7b4c0ff+dirty", Commit: rev, Date: "2026-12-01T10:00:00Z", Modified: true},
		},
		{
			name: "a revision but no version (go run): the revision, never a bare dev",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-01T10:00:00Z", "true")},
			want: Info{Version: "0.0.0-dev-1601e7b4c0ff+dirty", Commit: rev, Date: "2026-12-01T10:00:00Z", Modified: true},
		},
		{
			name: "nothing recorded (-buildvcs=false in a clone)",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			want: Info{Version: "0.0.0-dev"},
		},
		{
			name: "no build info at all",
			want: Info{Version: "0.0.0-dev"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resolve(tc.ldVersion, tc.ldCommit, tc.ldDate, tc.bi)
			if got.Go == "" {
				t.Error("Go is empty")
			}
			got.Go = ""
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	got := Info{Version: "v1.2.3", Commit: "abc", Date: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.26.8 linux/amd64"}.String()
	want := "meshlint v1.2.3\ncommit: abc (modified)\ndate:   2026-12-01T10:00:00Z\ngo:     go1.26.8 linux/amd64\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Unknown facts are left out, not printed empty.
	if s := (Info{Version: "dev", Go: "go"}).String(); strings.Contains(s, "commit") || strings.Contains(s, "date") {
		t.Errorf("unknown commit or date printed:\n%s", s)
	}
}

func TestNumeric(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"v1.2.3", "1.2.3"},
		{"v0.0.0-20261201100000-1601e7b4c0ff+dirty", "0.0.0-20261201100000-1601e7b4c0ff+dirty"},
		{Dev, Dev},
		{"0.0.0-dev-1601e7b4c0ff", "0.0.0-dev-1601e7b4c0ff"},
		{"1.2.3", "1.2.3"},
		{"custom", "0.0.0-custom"},
		{"v", "0.0.0-v"},
		{"", "0.0.0-unknown"},
	} {
		if got := Numeric(tc.in); got != tc.want {
			t.Errorf("Numeric(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
