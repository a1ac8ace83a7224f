package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

const diffPeerSplit = "diff/testdata/scenarios/netpol-peer-split"

// Exit codes: 0 unless --fail-on (or the config file's diff.fail-on)
// names what the change did in the layer compared; 2 for a failed run.
func TestDiffExitCodes(t *testing.T) {
	old, new := diffPeerSplit+"/old", diffPeerSplit+"/new"
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"default: report only", []string{old, new}, 0},
		{"added matches", []string{"--fail-on", "added", old, new}, 1},
		{"any matches", []string{"--fail-on", "any", old, new}, 1},
		{"removed does not", []string{"--fail-on", "removed", old, new}, 0},
		{"changed does not", []string{"--fail-on", "changed", old, new}, 0},
		{"reversed, removed matches", []string{"--fail-on", "removed", new, old}, 1},
		{"the mesh layer saw nothing", []string{"--fail-on", "any", "--layer", "mesh", old, new}, 0},
		{"no change", []string{"--fail-on", "any", old, old}, 0},
		{"one path", []string{old}, 2},
		{"bad fail-on", []string{"--fail-on", "warning", old, new}, 2},
		{"bad layer", []string{"--layer", "l7", old, new}, 2},
		{"bad format", []string{"--format", "sarif", old, new}, 2},
		{"no such path", []string{old, diffPeerSplit + "/nothing"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runMeshlint(t, "", append([]string{"diff", "--no-config"}, tt.args...)...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.want, stderr)
			}
		})
	}
}

// diff.fail-on in the config file fails the run; the flag overrides it.
func TestDiffFailOnFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".meshlint.yaml")
	if err := os.WriteFile(cfg, []byte("diff:\n  fail-on: added\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old, new := filepath.Join(repoRoot, diffPeerSplit, "old"), filepath.Join(repoRoot, diffPeerSplit, "new")
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"diff", "--config", cfg, old, new}, 1},
		{[]string{"diff", "--config", cfg, "--fail-on", "none", old, new}, 0},
		{[]string{"diff", "--config", cfg, new, old}, 0},
	} {
		code, _, stderr := runMeshlint(t, "", tt.args...)
		if code != tt.want {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.want, stderr)
		}
	}
	if err := os.WriteFile(cfg, []byte("diff:\n  fail-on: opens\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runMeshlint(t, "", "diff", "--config", cfg, old, new)
	if code != 2 || !strings.Contains(stderr, `fail-on: "opens"`) || !strings.Contains(stderr, ".meshlint.yaml:2") {
		t.Errorf("bad diff.fail-on: exit %d, stderr %q", code, stderr)
	}
}

// JSON holds every layer; --report writes more formats in the same run.
func TestDiffJSONAndReports(t *testing.T) {
	md := filepath.Join(t.TempDir(), "diff.md")
	code, out, stderr := runMeshlint(t, "", "diff", "--no-config", "--format", "json", "--report", "markdown="+md, diffPeerSplit+"/old", diffPeerSplit+"/new")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Version      int
		Environments []struct {
			Layers map[string]struct {
				Counts  map[string]int
				Changes []struct {
					Type, Effect, Src, Dst string
					Old, New               struct{ Conn, Text string }
					Causes                 []struct {
						Object   struct{ Kind, Namespace, Name string }
						Location struct {
							File string
							Line int
						}
						Effect string
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Version != 1 || len(doc.Environments) != 1 || len(doc.Environments[0].Layers) != 3 {
		t.Fatalf("want one environment with three layers: %s", out)
	}
	eff := doc.Environments[0].Layers["effective"]
	if eff.Counts["opens"] != 1 || len(eff.Changes) != 1 {
		t.Fatalf("effective: %+v", eff)
	}
	c := eff.Changes[0]
	if c.Src != "team-a/worker[Deployment]" || c.Old.Text != "No Connections" || c.New.Conn != "TCP 8080" || len(c.Causes) != 1 ||
		c.Causes[0].Object.Name != "server" || c.Causes[0].Location.File != diffPeerSplit+"/new/api.yaml" || c.Causes[0].Location.Line == 0 {
		t.Errorf("change %+v", c)
	}
	data, err := os.ReadFile(md)
	if err != nil || !strings.HasPrefix(string(data), "<!-- meshlint-diff -->") || !strings.Contains(string(data), "opens 1") {
		t.Errorf("markdown report: %v\n%s", err, data)
	}
}

// Environments are paired by their path below each version's own path.
func TestDiffPairsEnvironments(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"v1", "v2"} {
		write(t, dir, v+"/base/kustomization.yaml", "resources: [app.yaml]\n")
		write(t, dir, v+"/base/app.yaml", deployment("shop", "web", "web")+"---\n"+deployment("shop", "api", "api"))
		for _, env := range []string{"prod", "staging"} {
			k := "resources: [../../base]\n"
			if v == "v2" && env == "prod" {
				k = "resources: [../../base, deny.yaml]\n"
				write(t, dir, v+"/overlays/"+env+"/deny.yaml", denyIngress("shop", "api"))
			}
			write(t, dir, v+"/overlays/"+env+"/kustomization.yaml", k)
		}
	}
	write(t, dir, "v2/overlays/qa/kustomization.yaml", "resources: [../../base]\n")
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code := run([]string{"meshlint", "diff", "--no-config", "--layer", "network", "v1", "v2"}, nil, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := "# environment: v2/overlays/prod\nConnectivity diff:\n" +
		"diff-type: removed, source: 0.0.0.0-255.255.255.255[External], destination: shop/api[Deployment], ref1: All Connections, ref2: No Connections\n" +
		"diff-type: removed, source: shop/web[Deployment], destination: shop/api[Deployment], ref1: All Connections, ref2: No Connections\n" +
		"\n# environment: v2/overlays/qa (only in the new version: not compared)\n" +
		"\n# environment: v2/overlays/staging\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// --base compares the working tree with a commit: the whole tree of the
// revision is read, so an overlay whose base changed builds at both; a
// revision the repository lacks fails with exit 2, and in a shallow clone
// the message says to fetch it.
func TestDiffBase(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(msg string) {
		t.Helper()
		if err := wt.AddGlob("."); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000000, 0)}
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			t.Fatal(err)
		}
	}
	write(t, dir, "apps/base/kustomization.yaml", "resources: [app.yaml, policy.yaml]\n")
	write(t, dir, "apps/base/app.yaml", deployment("shop", "web", "web")+"---\n"+deployment("shop", "api", "api"))
	write(t, dir, "apps/base/policy.yaml", allowFrom("shop", "api", "web"))
	write(t, dir, "deploy/prod/kustomization.yaml", "resources: [../../apps/base]\nnamespace: shop\n")
	write(t, dir, "README.md", "manifests\n")
	commit("first")
	// The base's policy lets nobody in any more; the overlay is unchanged.
	write(t, dir, "apps/base/policy.yaml", denyIngress("shop", "api"))
	commit("second")
	// And the working tree adds a workload, not committed.
	write(t, dir, "apps/base/app.yaml", deployment("shop", "web", "web")+"---\n"+deployment("shop", "api", "api")+"---\n"+deployment("shop", "cron", "cron"))
	write(t, dir, "apps/base/kustomization.yaml", "resources: [app.yaml, policy.yaml]\n")

	t.Chdir(filepath.Join(dir, "deploy"))
	runIn := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(append([]string{"meshlint", "diff", "--no-config", "--layer", "network"}, args...), nil, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, stderr := runIn("--base", "HEAD~1", "prod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range []string{
		"diff-type: removed, source: shop/web[Deployment], destination: shop/api[Deployment], ref1: All Connections, ref2: No Connections",
		"diff-type: added, source: shop/cron[Deployment], destination: shop/web[Deployment], ref1: No Connections, ref2: All Connections, workloads-diff-info: workload shop/cron[Deployment] added",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("missing %q in\n%s", line, out)
		}
	}
	// The causes point at the working tree's files, by their own paths.
	code, out, _ = runIn("--base", "HEAD~1", "--format", "json", "prod")
	if code != 0 || !strings.Contains(out, `"file": "../apps/base/policy.yaml"`) {
		t.Errorf("exit %d, causes do not point at ../apps/base/policy.yaml:\n%s", code, out)
	}
	// HEAD: only the uncommitted workload.
	if code, out, _ = runIn("--base", "HEAD", "prod"); code != 0 || strings.Contains(out, "removed") || !strings.Contains(out, "cron") {
		t.Errorf("--base HEAD: exit %d\n%s", code, out)
	}
	// A path the revision lacks is empty there: everything is added.
	write(t, dir, "deploy/new/app.yaml", deployment("extra", "svc", "svc"))
	if code, out, stderr = runIn("--base", "HEAD", "new"); code != 0 || !strings.Contains(out, "diff-type: added, source: extra/svc[Deployment]") {
		t.Errorf("a new path: exit %d: %s\n%s", code, stderr, out)
	}
	code, _, stderr = runIn("--base", "no-such-branch", "prod")
	if code != 2 || !strings.Contains(stderr, "--base no-such-branch: unknown revision") || strings.Contains(stderr, "shallow") {
		t.Errorf("missing revision: exit %d, %q", code, stderr)
	}

	// A shallow clone of one commit lacks HEAD~1.
	if _, err := exec.LookPath("git"); err != nil {
		t.Log("no git binary: the shallow clone is not tried")
		return
	}
	shallow := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+dir, shallow).CombinedOutput(); err != nil {
		t.Fatalf("git clone --depth 1: %v\n%s", err, out)
	}
	t.Chdir(shallow)
	code, _, stderr = runIn("--base", "HEAD~1", "deploy/prod")
	if code != 2 || !strings.Contains(stderr, "shallow clone") || !strings.Contains(stderr, "fetch-depth: 0") || !strings.Contains(stderr, "git fetch origin HEAD~1") {
		t.Errorf("shallow clone: exit %d, %q", code, stderr)
	}
	// Outside any repository, --base says so.
	t.Chdir(t.TempDir())
	if code, _, stderr = runIn("--base", "HEAD", "."); code != 2 || !strings.Contains(stderr, "not in a git repository") {
		t.Errorf("no repository: exit %d, %q", code, stderr)
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func deployment(ns, name, app string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns + "}\n" +
		"spec:\n  selector: {matchLabels: {app: " + app + "}}\n  template:\n    metadata: {labels: {app: " + app + "}}\n" +
		"    spec: {containers: [{name: c, image: x}]}\n"
}

func denyIngress(ns, app string) string {
	return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + app + ", namespace: " + ns + "}\n" +
		"spec:\n  podSelector: {matchLabels: {app: " + app + "}}\n  policyTypes: [Ingress]\n"
}

func allowFrom(ns, app, from string) string {
	return denyIngress(ns, app) + "  ingress:\n    - from: [{podSelector: {matchLabels: {app: " + from + "}}}]\n"
}
