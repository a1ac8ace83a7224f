package meshlint_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestPreCommitHook tries the hook of .pre-commit-hooks.yaml with Debian's
// pre-commit, as a user's repository would run it: `pre-commit try-repo`
// clones this repository (with its uncommitted changes), builds the hook
// with the local Go (language: golang) and runs it on every file of a
// fixture repository.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the hook")
	}
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
			t.Fatalf("pre-commit is required (MESHLINT_REQUIRE_TOOLS): %v", err)
		}
		t.Skip("pre-commit is not installed")
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("try-repo needs this repository to be a git checkout: %v", err)
	}
	// pre-commit builds in a GOPATH of its own; the module cache of this
	// machine saves downloading every module again.
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOMODCACHE="+strings.TrimSpace(string(modcache)), "PRE_COMMIT_HOME="+t.TempDir(), "PRE_COMMIT_COLOR=never")

	for _, tc := range []struct {
		name, scenario string
		wantExit       int
		want           []string
	}{
		{"findings fail the commit", "testdata/manifests/seed", 1, []string{"meshlint", "Failed", "MSH401 legacy-rbac-removed", "deploy/"}},
		{"clean manifests pass", "testdata/manifests/seed-fixed", 0, []string{"meshlint", "Passed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			copyTree(t, filepath.Join(root, tc.scenario), filepath.Join(repo, "deploy"))
			git := func(args ...string) {
				t.Helper()
				cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
				cmd.Dir = repo
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %s: %v\n%s", args[0], err, out)
				}
			}
			git("init", "--quiet")
			git("add", "-A")
			git("commit", "--quiet", "-m", "manifests")
			cmd := exec.Command("pre-commit", "try-repo", root, "meshlint", "--all-files", "--verbose")
			cmd.Dir = repo
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantExit {
				t.Errorf("pre-commit exit %d, want %d:\n%s", code, tc.wantExit, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("pre-commit output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestPreCommitManifest: the hook is what the README and the test above
// say it is.
func TestPreCommitManifest(t *testing.T) {
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string   `yaml:"id"`
		Name          string   `yaml:"name"`
		Description   string   `yaml:"description"`
		Language      string   `yaml:"language"`
		Entry         string   `yaml:"entry"`
		Args          []string `yaml:"args"`
		Files         string   `yaml:"files"`
		PassFilenames *bool    `yaml:"pass_filenames"`
		RequireSerial bool     `yaml:"require_serial"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	if h.ID != "meshlint" || h.Language != "golang" || h.Entry != "meshlint" {
		t.Errorf("hook %s: language %s, entry %s", h.ID, h.Language, h.Entry)
	}
	// Cross-object rules need every manifest, not the ones a commit touches.
	if h.PassFilenames == nil || *h.PassFilenames || len(h.Args) == 0 {
		t.Errorf("pass_filenames %v with args %v: want false, with the paths to lint in args", h.PassFilenames, h.Args)
	}
	for _, name := range []string{"a.yaml", "dir/b.yml", "c.json"} {
		if !regexpMatch(t, h.Files, name) {
			t.Errorf("files %q does not match %s", h.Files, name)
		}
	}
	if regexpMatch(t, h.Files, "main.go") {
		t.Errorf("files %q matches main.go", h.Files)
	}
}

// regexpMatch matches as pre-commit does (Python's re.search; the pattern
// is in the syntax both share).
func regexpMatch(t *testing.T, pattern, s string) bool {
	t.Helper()
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return re.MatchString(s)
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
