package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/report"
)

// gitlabIssue reads an entry loosely (pointers, any), so that a missing or
// mistyped field is caught instead of read as a zero value.
type gitlabIssue struct {
	EngineName    *string `json:"engine_name"`
	EngineVersion *string `json:"engine_version"`
	Description   *string `json:"description"`
	CheckName     *string `json:"check_name"`
	Fingerprint   *string `json:"fingerprint"`
	Severity      *string `json:"severity"`
	Location      *struct {
		Path  *string `json:"path"`
		Lines *struct {
			Begin *int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

func readGitLab(t *testing.T, data []byte) []gitlabIssue {
	t.Helper()
	var issues []gitlabIssue
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&issues); err != nil {
		t.Fatalf("not a JSON array of issues: %v\n%s", err, data)
	}
	if issues == nil {
		t.Fatalf("want an array, got null:\n%s", data)
	}
	return issues
}

func TestGitLabGolden(t *testing.T) {
	golden(t, "ci.gitlab.json", write(t, "gitlab", ciRun(t)))
}

// TestGitLabFields checks every field GitLab requires, on every scenario.
func TestGitLabFields(t *testing.T) {
	root := repoRoot(t)
	runs := map[string]*report.Run{"ci": ciRun(t)}
	for _, dir := range scenarios(t) {
		runs[dir] = lintRun(t, root, lint.Options{Paths: []string{dir}})
	}
	severities := map[analyzer.Severity]string{analyzer.Error: "critical", analyzer.Warning: "major", analyzer.Note: "info"}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			issues := readGitLab(t, write(t, "gitlab", run))
			active := run.Active()
			if len(issues) != len(active) {
				t.Fatalf("%d issues for %d unsuppressed findings", len(issues), len(active))
			}
			seen := map[string]bool{}
			for i, is := range issues {
				f := active[i]
				if is.Description == nil || !strings.Contains(*is.Description, f.Message) {
					t.Errorf("issue %d: description %v lacks the message %q", i, is.Description, f.Message)
				}
				if is.EngineName == nil || *is.EngineName != "meshlint" || is.EngineVersion == nil || *is.EngineVersion != run.ToolVersion {
					t.Errorf("issue %d: engine %v %v, want meshlint %s", i, is.EngineName, is.EngineVersion, run.ToolVersion)
				}
				if is.CheckName == nil || *is.CheckName != f.Rule.ID {
					t.Errorf("issue %d: check_name %v, want %s", i, is.CheckName, f.Rule.ID)
				}
				if is.Severity == nil || *is.Severity != severities[f.Severity] {
					t.Errorf("issue %d: severity %v, want %s", i, is.Severity, severities[f.Severity])
				}
				if is.Fingerprint == nil || *is.Fingerprint == "" || seen[*is.Fingerprint] {
					t.Errorf("issue %d: fingerprint %v missing or not unique", i, is.Fingerprint)
				} else {
					seen[*is.Fingerprint] = true
				}
				if is.Location == nil || is.Location.Path == nil || is.Location.Lines == nil || is.Location.Lines.Begin == nil {
					t.Errorf("issue %d: location, location.path or location.lines.begin missing", i)
					continue
				}
				path, begin := *is.Location.Path, *is.Location.Lines.Begin
				if want := max(f.Pos.Line, 1); begin != want {
					t.Errorf("issue %d: lines.begin %d, want %d", i, begin, want)
				}
				if path == "<stdin>" {
					continue
				}
				if filepath.IsAbs(path) || strings.HasPrefix(path, "..") || strings.Contains(path, `\`) {
					t.Errorf("issue %d: path %q is not relative to the repository", i, path)
				} else if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(path))); err != nil {
					t.Errorf("issue %d: path %q does not name a file of the repository: %v", i, path, err)
				}
			}
		})
	}
}

// TestGitLabFingerprintsStable: the fingerprints of two runs are the same,
// and stay the same when every finding moves down a few lines.
func TestGitLabFingerprintsStable(t *testing.T) {
	const shift = 3
	root := repoRoot(t)
	for _, dir := range scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			orig, moved := t.TempDir(), t.TempDir()
			copyDir(t, filepath.Join(root, dir), filepath.Join(orig, "s"), nil)
			copyDir(t, filepath.Join(root, dir), filepath.Join(moved, "s"), func(name string, data []byte) []byte {
				switch filepath.Ext(name) {
				case ".yaml", ".yml":
					return append([]byte("# moved down by the test\n\n\n"), data...)
				case ".json":
					return append([]byte("\n\n\n"), data...)
				}
				return data
			})
			opts := lint.Options{Paths: []string{"s"}}
			first := write(t, "gitlab", lintRun(t, orig, opts))
			if again := write(t, "gitlab", lintRun(t, orig, opts)); !bytes.Equal(first, again) {
				t.Fatalf("two runs differ:\n%s\n---\n%s", first, again)
			}
			a, b := readGitLab(t, first), readGitLab(t, write(t, "gitlab", lintRun(t, moved, opts)))
			if len(a) != len(b) {
				t.Fatalf("%d issues before the move, %d after", len(a), len(b))
			}
			for i := range a {
				if *a[i].Fingerprint != *b[i].Fingerprint {
					t.Errorf("issue %d (%s) changed fingerprint when it moved down: %s -> %s", i, *a[i].Description, *a[i].Fingerprint, *b[i].Fingerprint)
				}
				// The move must be real, or the test proves nothing. A
				// finding on line 1 may be on a whole file (no line).
				if from, to := *a[i].Location.Lines.Begin, *b[i].Location.Lines.Begin; to != from+shift && !(from == 1 && to == 1) {
					t.Errorf("issue %d (%s) is on line %d after the move, want %d", i, *a[i].Description, to, from+shift)
				}
			}
		})
	}
}

// copyDir copies a directory tree, passing each file's content through edit.
func copyDir(t *testing.T, from, to string, edit func(name string, data []byte) []byte) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if edit != nil {
			data = edit(d.Name(), data)
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGitLabUniqueFingerprints: findings that share a fingerprint (same
// rule, file and message) still get distinct keys, in the same order on
// every run.
func TestGitLabUniqueFingerprints(t *testing.T) {
	issues := readGitLab(t, write(t, "gitlab", ciRun(t)))
	var stdin []string
	for _, is := range issues {
		if *is.Location.Path == "<stdin>" {
			stdin = append(stdin, *is.Fingerprint)
		}
	}
	if len(stdin) != 2 || stdin[0] == stdin[1] || stdin[1] != stdin[0]+"-2" {
		t.Errorf("two identical problems on stdin: fingerprints %q, want K and K-2", stdin)
	}
	for _, is := range issues {
		if slices.Contains([]string{"MSH401", "MSH404"}, *is.CheckName) {
			t.Errorf("suppressed finding %s is in the GitLab report", *is.CheckName)
		}
	}
}
