package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/version"
)

func TestVersionCommand(t *testing.T) {
	want := version.Get().String()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runMeshlint(t, "", args...)
		if code != 0 || out != want {
			t.Errorf("meshlint %s: exit %d, stdout %q (stderr %q), want 0 and %q", args[0], code, out, errOut, want)
		}
	}
	if code, _, errOut := runMeshlint(t, "", "version", "extra"); code != 2 || !strings.Contains(errOut, "no arguments") {
		t.Errorf("meshlint version extra: exit %d, stderr %q; want 2 and a message", code, errOut)
	}
}

// buildMeshlint builds the command from dir into a temporary file.
func buildMeshlint(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "meshlint")
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", bin, "./cmd/meshlint")...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
	}
	return bin
}

// TestVersionStamped: a release build prints what -ldflags stamped, and
// every report that names the tool names that version.
func TestVersionStamped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint")
	}
	const (
		pkg    = "github.com/meshlint/meshlint/internal/version"
		ver    = "v9.8.7-test"
		commit = "0123456789abcdef0123456789abcdef01234567"
		date   = "2026-12-01T10:00:00Z"
	)
	bin := buildMeshlint(t, repoRoot, "-ldflags", "-X "+pkg+".version="+ver+" -X "+pkg+".commit="+commit+" -X "+pkg+".date="+date)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("meshlint %s: %v", args[0], err)
		}
		for _, w := range []string{"meshlint " + ver + "\n", "commit: " + commit + "\n", "date:   " + date + "\n"} {
			if !strings.Contains(string(out), w) {
				t.Errorf("meshlint %s printed %q, which lacks %q", args[0], out, w)
			}
		}
	}
	report := func(format string) []byte {
		cmd := exec.Command(bin, "--fail-on", "none", "--format", format, "testdata/manifests/seed")
		cmd.Dir = repoRoot
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("meshlint --format %s: %v", format, err)
		}
		return out
	}
	var js struct {
		Tool struct{ Version string } `json:"tool"`
	}
	var sarif struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version         string `json:"version"`
					SemanticVersion string `json:"semanticVersion"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	var gitlab []struct {
		EngineVersion string `json:"engine_version"`
	}
	for format, v := range map[string]any{"json": &js, "sarif": &sarif, "gitlab": &gitlab} {
		if err := json.Unmarshal(report(format), v); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	if js.Tool.Version != ver {
		t.Errorf("JSON tool.version %q, want %q", js.Tool.Version, ver)
	}
	// SARIF versions start with a digit (SARIF2005).
	if len(sarif.Runs) != 1 || sarif.Runs[0].Tool.Driver.Version != ver[1:] || sarif.Runs[0].Tool.Driver.SemanticVersion != ver[1:] {
		t.Errorf("SARIF driver %+v, want version and semanticVersion %q", sarif.Runs, ver[1:])
	}
	for format, want := range map[string]string{"text": "; meshlint " + ver + "\n", "markdown": "; meshlint " + ver + "\n", "html": "meshlint " + ver + " "} {
		if out := report(format); !strings.Contains(string(out), want) {
			t.Errorf("--format %s does not name the version (%q)", format, want)
		}
	}
	if len(gitlab) == 0 {
		t.Fatal("no GitLab issues for the seed scenario")
	}
	for i, is := range gitlab {
		if is.EngineVersion != ver {
			t.Errorf("GitLab issue %d: engine_version %q, want %q", i, is.EngineVersion, ver)
		}
	}
}

// TestVersionFromClone: a build in a clone, without -ldflags, names its
// commit (what `go install ./cmd/meshlint` from a clone gives).
func TestVersionFromClone(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the repository and builds meshlint")
	}
	files, err := exec.Command("git", "-C", repoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	// A new repository holding the working tree as one commit: Go stamps
	// VCS information only where .git is a directory (a clone, not a
	// worktree), and this way the build is of the code under test.
	clone := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(repoRoot, name))
		if os.IsNotExist(err) {
			continue // deleted, not yet staged
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(clone, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_DATE=2026-12-01T10:00:00Z", "GIT_AUTHOR_DATE=2026-12-01T10:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "--quiet")
	git("add", "-A")
	git("commit", "--quiet", "-m", "snapshot")
	rev := git("rev-parse", "HEAD")
	// -buildvcs=true overrides a GOFLAGS=-buildvcs=false of the machine.
	bin := buildMeshlint(t, clone, "-buildvcs=true")
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	for _, ok := range []bool{
		strings.HasPrefix(first, "meshlint v0.0.0-20261201100000-"+rev[:12]),
		strings.Contains(string(out), "commit: "+rev+"\n"),
		strings.Contains(string(out), "date:   2026-12-01T10:00:00Z\n"),
	} {
		if !ok {
			t.Fatalf("meshlint version, built in a clone at %s, printed:\n%s", rev, out)
		}
	}
}
