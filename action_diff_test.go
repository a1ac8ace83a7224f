package meshlint_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeGitHub serves the issue-comment API of one pull request (7 of o/r):
// list, create, update, each checked for the token.
type fakeGitHub struct {
	mu       sync.Mutex
	comments []map[string]any
	calls    []string
	forbid   bool // a fork's read-only token: writes are refused
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer secret-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	body := func() string {
		var in struct{ Body string }
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &in); err != nil {
			return ""
		}
		return in.Body
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/repos/o/r/issues/7/comments":
		page := f.comments
		if r.URL.Query().Get("page") != "1" {
			page = []map[string]any{}
		}
		json.NewEncoder(w).Encode(page)
	case f.forbid:
		http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
	case r.Method == http.MethodPost && r.URL.Path == "/repos/o/r/issues/7/comments":
		c := map[string]any{"id": 100 + len(f.comments), "body": body()}
		f.comments = append(f.comments, c)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/repos/o/r/issues/comments/"):
		id, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/repos/o/r/issues/comments/"))
		for _, c := range f.comments {
			if c["id"] == id {
				c["body"] = body()
				json.NewEncoder(w).Encode(c)
				return
			}
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}

// gitRepo makes a repository of two commits: the second opens a namespace
// to the API through a NetworkPolicy peer split. It returns the first
// commit's hash.
func gitRepo(t *testing.T, dir string) string {
	t.Helper()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	scenario := "diff/testdata/scenarios/netpol-peer-split"
	copyFile := func(version string) {
		data, err := os.ReadFile(filepath.Join(scenario, version, "api.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "deploy", "api.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	copyFile("old")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	base := git("rev-parse", "HEAD")
	copyFile("new")
	git("commit", "-q", "-am", "split the peer")
	return base
}

// TestActionDiffStep runs the action's diff step (ci/github/diff.sh) as the
// runner would on a pull_request event: a fake GITHUB_EVENT_PATH names the
// base commit, a local fake of the GitHub API takes the comment.
func TestActionDiffStep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint")
	}
	for _, tool := range []string{"git", "jq", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
				t.Fatalf("%s is required (MESHLINT_REQUIRE_TOOLS): %v", tool, err)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	step := actionStepNamed(t, readAction(t), "diff")
	bin := meshlintBinary(t)
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	base := gitRepo(t, repo)

	api := &fakeGitHub{comments: []map[string]any{{"id": 1, "body": "LGTM"}}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	run := func(t *testing.T, dir string, env map[string]string) (outputs, summary, log string) {
		t.Helper()
		runnerTemp := t.TempDir()
		full := map[string]string{
			"MESHLINT": bin, "DIFF_BASE": "", "COMMENT": "false", "PATHS": "deploy", "KUSTOMIZE": "", "CONFIG": "",
			"GITHUB_TOKEN": "secret-token", "ACTION_PATH": root,
			"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": srv.URL,
			"GITHUB_OUTPUT": filepath.Join(runnerTemp, "output"), "GITHUB_STEP_SUMMARY": filepath.Join(runnerTemp, "summary.md"),
			"RUNNER_TEMP": runnerTemp,
		}
		event := filepath.Join(runnerTemp, "event.json")
		if err := os.WriteFile(event, []byte(`{"action":"synchronize","pull_request":{"number":7,"base":{"sha":"`+base+`","ref":"main"}}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		full["GITHUB_EVENT_PATH"] = event
		for k, v := range env {
			full[k] = v
		}
		for name := range step.Env {
			if _, ok := full[name]; !ok {
				t.Fatalf("the test does not set %s, which the step reads", name)
			}
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step.Run)
		cmd.Dir = dir
		cmd.Env = os.Environ()
		for k, v := range full {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the step failed: %v\n%s", err, out)
		}
		o, _ := os.ReadFile(full["GITHUB_OUTPUT"])
		s, _ := os.ReadFile(full["GITHUB_STEP_SUMMARY"])
		return string(o), string(s), string(out)
	}

	t.Run("summary only", func(t *testing.T) {
		outputs, summary, log := run(t, repo, nil)
		if outputs != "exit-code=0\n" {
			t.Errorf("outputs %q\n%s", outputs, log)
		}
		if !strings.HasPrefix(summary, "<!-- meshlint-diff -->") || !strings.Contains(summary, "- **effective**: opens 1, closes 0") ||
			!strings.Contains(summary, "`team-a/worker[Deployment]` | `api/server[Deployment]` | No Connections | TCP 8080") {
			t.Errorf("summary:\n%s", summary)
		}
		if !strings.Contains(log, "diff-type: added, source: team-a/worker[Deployment]") {
			t.Errorf("the log lacks the diff lines:\n%s", log)
		}
		if len(api.calls) != 0 {
			t.Errorf("comment: false called the API: %v", api.calls)
		}
	})
	t.Run("comment then update it", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			_, _, log := run(t, repo, map[string]string{"COMMENT": "true"})
			want := []string{"commented on pull request #7", "updated comment 101 on pull request #7"}[i]
			if !strings.Contains(log, want) {
				t.Errorf("run %d: log lacks %q:\n%s", i+1, want, log)
			}
		}
		if len(api.comments) != 2 || api.comments[0]["body"] != "LGTM" {
			t.Fatalf("comments %v, want the reviewer's and one of meshlint's", api.comments)
		}
		if body, _ := api.comments[1]["body"].(string); !strings.HasPrefix(body, "<!-- meshlint-diff -->") || !strings.Contains(body, "opens 1") {
			t.Errorf("comment body:\n%s", body)
		}
	})
	t.Run("a fork's read-only token", func(t *testing.T) {
		api.mu.Lock()
		api.forbid, api.comments = true, nil
		api.mu.Unlock()
		defer func() { api.forbid = false }()
		outputs, summary, log := run(t, repo, map[string]string{"COMMENT": "true"})
		if outputs != "exit-code=0\n" || summary == "" || !strings.Contains(log, "::warning title=meshlint diff::could not comment") {
			t.Errorf("outputs %q, summary %d bytes, log:\n%s", outputs, len(summary), log)
		}
	})
	t.Run("diff.fail-on", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "meshlint.yaml")
		if err := os.WriteFile(cfg, []byte("diff:\n  fail-on: added\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if outputs, _, log := run(t, repo, map[string]string{"CONFIG": cfg}); outputs != "exit-code=1\n" {
			t.Errorf("outputs %q\n%s", outputs, log)
		}
	})
	t.Run("not a pull request", func(t *testing.T) {
		outputs, summary, log := run(t, repo, map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": ""})
		if outputs != "" || summary != "" || !strings.Contains(log, "nothing to compare") {
			t.Errorf("outputs %q, summary %q, log:\n%s", outputs, summary, log)
		}
	})
	t.Run("a checkout of one commit fetches the base", func(t *testing.T) {
		clone := filepath.Join(t.TempDir(), "clone")
		if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+repo, clone).CombinedOutput(); err != nil {
			t.Fatalf("git clone: %v\n%s", err, out)
		}
		outputs, summary, log := run(t, clone, nil)
		if outputs != "exit-code=0\n" || !strings.Contains(summary, "opens 1") {
			t.Errorf("outputs %q, log:\n%s", outputs, log)
		}
	})
}
