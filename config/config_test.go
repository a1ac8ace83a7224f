package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		want       string
	}{
		{"unknown top-level key", "fail-on: error\nfailOn: note\n", 2, `unknown key "failOn": did you mean "fail-on"?`},
		{"unknown key lists the known", "fail-on: error\n\nrulez: [MSH101]\n", 3, `unknown key "rulez" (known keys: enable, disable, severity, fail-on,`},
		{"unknown nested key", "cluster-services:\n  kube-dns: true\n  coredns: false\n", 3, `unknown key "coredns" in cluster-services (known keys: kube-dns, istiod)`},
		{"syntax error", "enable: [MSH101\ndisable: x\n", 1, "does not parse"},
		{"syntax error below", "fail-on: error\nenable:\n  - a\n - b\n", 3, "does not parse"},
		{"duplicate key", "fail-on: error\nfail-on: note\n", 2, "already defined"},
		{"not a mapping", "- MSH101\n", 1, "want a mapping"},
		{"wrong type", "enable: MSH101\n", 1, "cannot unmarshal a string `MSH101` into []string"},
		{"bad fail-on", "fail-on: warn\n", 1, `fail-on: "warn" is not error, warning, note or none`},
		{"bad severity", "severity:\n  MSH101: none\n", 2, `severity of MSH101: "none" is not error, warning or note`},
		{"bad namespace", "root-namespace: Istio_System\n", 1, `root-namespace: "Istio_System" is not a namespace name`},
		{"bad trust domain", "trust-domain: a/b\n", 1, `trust-domain: "a/b" is not a trust domain`},
		{"bad outbound policy", "outbound-traffic-policy: DENY_ALL\n", 1, `outbound-traffic-policy: "DENY_ALL" is not ALLOW_ANY or REGISTRY_ONLY`},
		{"empty rule", "disable:\n  - MSH101\n  - \"\"\n", 3, "disable: empty entry"},
		{"bad glob", "ignore:\n  - ok/\n  - \"[z-\"\n", 3, `ignore: pattern "[z-" is not a valid glob`},
		{"cluster services not a mapping", "cluster-services: true\n", 1, "cannot unmarshal a boolean"},
		{"environments not a list", "environments:\n  prod: [deploy/prod]\n", 2, "cannot unmarshal a mapping"},
		{"environment without a name", "environments:\n  - paths: [a]\n", 2, "entry 1 has no name"},
		{"environment named twice", "environments:\n  - {name: prod, paths: [a]}\n  - name: prod\n    paths: [b]\n", 3, `"prod" is listed twice`},
		{"environment without paths", "environments:\n  - name: prod\n    paths: []\n", 3, `"prod" lists no paths`},
		{"environment bad pattern", "environments:\n  - name: prod\n    paths:\n      - ok\n      - \"[z-\"\n", 5, `path "[z-" is not a valid pattern`},
		{"bad diff fail-on", "diff:\n  fail-on: warning\n", 2, `diff: fail-on: "warning" is not none, added, removed, changed, any`},
		{"diff unknown key", "diff:\n  failOn: added\n", 2, `unknown key "failOn" in diff: did you mean "fail-on"?`},
		{"environment unknown key", "environments:\n  - name: prod\n    path: [a]\n", 3, `unknown key "path" in environments (known keys: name, paths)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte(tt.data))
			if err == nil {
				t.Fatalf("no error for\n%s", tt.data)
			}
			prefix := ".meshlint.yaml:" + strconv.Itoa(tt.line) + ":"
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	cfg, err := Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte(`
enable: [MSH101]
disable: [netpol-dns-blocked]
severity: {MSH101: error}
fail-on: note
policies: [policies, /abs/rego]
namespace: apps
cluster-services: {istiod: false}
environments:
  - name: prod
    paths: [apps/*/overlays/prod, /abs/infra]
diff:
  fail-on: added
`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Policies, []string{filepath.FromSlash("/repo/policies"), "/abs/rego"}) {
		t.Errorf("policies = %q, want them joined to the config's directory", cfg.Policies)
	}
	want := []Environment{{Name: "prod", Paths: []string{filepath.FromSlash("/repo/apps/*/overlays/prod"), "/abs/infra"}}}
	if !reflect.DeepEqual(cfg.Environments, want) {
		t.Errorf("environments = %+v, want %+v (paths joined to the config's directory)", cfg.Environments, want)
	}
	if cfg.Diff == nil || cfg.Diff.FailOn != "added" {
		t.Errorf("diff = %+v, want fail-on added", cfg.Diff)
	}
	if cfg.FailOn != "note" || cfg.Namespace != "apps" || cfg.Severity["MSH101"] != "error" {
		t.Errorf("decoded %+v", cfg)
	}
	if !cfg.AssumeKubeDNS() || cfg.AssumeIstiod() {
		t.Errorf("cluster services: kube-dns %v istiod %v, want true false", cfg.AssumeKubeDNS(), cfg.AssumeIstiod())
	}
	for name, line := range map[string]int{"msh101": 2, "Netpol-DNS-Blocked": 3} {
		if p, ok := cfg.RulePos(name); !ok || p.Line != line {
			t.Errorf("RulePos(%s) = %v %v, want line %d", name, p, ok, line)
		}
	}
	if _, ok := cfg.RulePos("MSH999"); ok {
		t.Error("RulePos found a rule the file does not name")
	}
}

func TestEmptyConfigKeepsDefaults(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "---\n"} {
		cfg, err := Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte(data))
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if !cfg.AssumeKubeDNS() || !cfg.AssumeIstiod() || cfg.IgnoreFunc("/repo") != nil || cfg.FailOn != "" {
			t.Errorf("%q: an empty file changed a default: %+v", data, cfg)
		}
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p string) {
		t.Helper()
		if err := os.WriteFile(p, []byte("fail-on: error\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "a", AltFileName))

	got, err := Find(deep)
	if err != nil || got != filepath.Join(root, "a", AltFileName) {
		t.Errorf("Find from a child = %q, %v; want the parent's %s", got, err, AltFileName)
	}
	write(filepath.Join(root, "a", "b", FileName))
	if got, _ := Find(deep); got != filepath.Join(root, "a", "b", FileName) {
		t.Errorf("Find = %q, want the nearest file", got)
	}
	if got, _ := Find(root); got != "" {
		// Only if no ancestor of the temp dir holds one, which a test
		// machine should not.
		t.Errorf("Find above every config = %q, want none", got)
	}
	// The repository root ends the search: a file above it is someone
	// else's.
	if err := os.Mkdir(filepath.Join(root, "a", "b", "c", ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, _ := Find(deep); got != "" {
		t.Errorf("Find from a repository root = %q, want none above it", got)
	}
	if err := os.Remove(filepath.Join(root, "a", "b", "c", ".git")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a", "b", ".git"), []byte("gitdir: /elsewhere\n"), 0o644); err != nil {
		t.Fatal(err) // a worktree's .git is a file
	}
	if got, _ := Find(deep); got != filepath.Join(root, "a", "b", FileName) {
		t.Errorf("Find = %q, want the file at the repository root", got)
	}
	write(filepath.Join(root, "a", "b", AltFileName))
	if _, err := Find(deep); err == nil || !strings.Contains(err.Error(), "keep one") {
		t.Errorf("two config files in one directory: err = %v, want an error", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), "nope.yaml")
	if err == nil || !strings.Contains(err.Error(), "nope.yaml: no such file") {
		t.Errorf("err = %v", err)
	}
	var ce *Error
	if errors.As(err, &ce) {
		t.Errorf("a missing file is not a content error with a line: %v", err)
	}
}

func TestIgnore(t *testing.T) {
	m, err := CompileIgnore([]string{
		"vendor/",
		"*.generated.yaml",
		"/charts/**/templates",
		"!charts/mesh/templates",
		"deploy/old/*.yaml",
		"!deploy/old/keep.yaml",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"vendor", true, true},
		{"a/b/vendor", true, true},
		{"vendor", false, false}, // a file named vendor: dir-only pattern
		{"vendor/x.yaml", false, true},
		{"x.generated.yaml", false, true},
		{"deep/er/x.generated.yaml", false, true},
		{"x.yaml", false, false},
		{"charts/a/templates", true, true},
		{"charts/a/b/templates", true, true},
		{"charts/mesh/templates", true, false},  // re-included
		{"sub/charts/a/templates", true, false}, // anchored at the base
		{"deploy/old/a.yaml", false, true},
		{"deploy/old/keep.yaml", false, false},
		{"deploy/old/sub/a.yaml", false, false}, // * stops at a slash
		{"../vendor", true, false},              // outside the base
	}
	for _, tt := range tests {
		if got := m.Match(tt.path, tt.isDir); got != tt.want {
			t.Errorf("Match(%q, dir=%v) = %v, want %v", tt.path, tt.isDir, got, tt.want)
		}
	}
	// A directory excluded stays excluded: a file in it cannot be re-included.
	m, _ = CompileIgnore([]string{"gen/", "!gen/keep.yaml"})
	if !m.Match("gen/keep.yaml", false) {
		t.Error("gen/keep.yaml re-included inside an excluded directory")
	}
}

func TestIgnoreFuncIsRelativeToConfig(t *testing.T) {
	cfg, err := Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte("ignore: [/deploy/vendor/]\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		workDir, path string
		want          bool
	}{
		{"/repo", "deploy/vendor", true},
		{"/repo/deploy", "vendor", true}, // run from below the config
		{"/repo/deploy", "other/vendor", false},
		{"/elsewhere", "deploy/vendor", false},
	}
	for _, tt := range tests {
		if got := cfg.IgnoreFunc(filepath.FromSlash(tt.workDir))(tt.path, true); got != tt.want {
			t.Errorf("from %s, ignore(%s) = %v, want %v", tt.workDir, tt.path, got, tt.want)
		}
	}
}

// The helm section's three forms of a values set read alike, with paths
// joined to the config file's directory.
func TestParseHelm(t *testing.T) {
	cfg, err := Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte(`helm:
  charts/shop:
    - values-prod.yaml
    - [a.yaml, /abs/b.yaml]
    - {name: canary, set: [web.replicas=1]}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]HelmValues{"/repo/charts/shop": {
		{Values: []string{"/repo/values-prod.yaml"}},
		{Values: []string{"/repo/a.yaml", "/abs/b.yaml"}},
		{Name: "canary", Set: []string{"web.replicas=1"}},
	}}
	if !reflect.DeepEqual(cfg.Helm, want) {
		t.Errorf("helm = %#v, want %#v", cfg.Helm, want)
	}
	_, err = Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte("helm:\n  shop:\n    - {set: [replicas]}\n"))
	if err == nil || !strings.Contains(err.Error(), ".meshlint.yaml:3:7") || !strings.Contains(err.Error(), "KEY=VALUE") {
		t.Errorf("a pair without '=' gives %v", err)
	}
}
