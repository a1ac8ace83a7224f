package policy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/policy"
)

// writeTree writes files (relative path -> content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// withID prefixes a native package with the METADATA that gives it an ID.
func withID(id, pkg, body string) string {
	return "# METADATA\n# title: " + id + " title\n# custom:\n#   id: " + id + "\npackage " + pkg + "\n\n" + body
}

func TestLoadErrors(t *testing.T) {
	okPolicy := withID("OK1", "meshlint.rules.ok", "deny contains {\"msg\": \"x\"} if false\n")
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "v1 parse error names file, line and column",
			files: map[string]string{"p/a.rego": "package main\n\ndeny contains msg if {\n\tmsg := \n}\n"},
			want:  []string{"does not parse", "a.rego:5:1: rego_parse_error"},
		},
		{
			name:  "v0 module with a syntax error",
			files: map[string]string{"p/a.rego": "package main\n\ndeny[msg] {\n\tmsg := \"a\"\n}\n\nwarn[msg] {\n\tmsg := \n}\n"},
			want:  []string{"does not parse", "a.rego:9:1: rego_parse_error: unexpected } token"},
		},
		{
			// v1 only asks for `if`; the v0 error names the line v0 cannot read.
			name:  "v0 module that uses a v1 keyword gets the v0 error",
			files: map[string]string{"p/a.rego": "package main\n\ndeny[msg] {\n\tmsg := \"a\"\n}\n\nwarn contains msg if {\n\tmsg := \"b\"\n}\n"},
			want:  []string{"does not parse (as Rego v0)", "a.rego:7:"},
		},
		{
			name:  "compile error",
			files: map[string]string{"p/a.rego": "package main\n\ndeny contains msg if {\n\tmsg := y\n}\n"},
			want:  []string{"does not compile", "a.rego:4:2: rego_unsafe_var_error: var y is unsafe"},
		},
		{
			name:  "undefined function",
			files: map[string]string{"p/a.rego": "package main\n\ndeny contains msg if {\n\tmsg := nosuch(1)\n}\n"},
			want:  []string{"does not compile", "a.rego:4:9: rego_type_error: undefined function nosuch"},
		},
		{
			name:  "native rule without ID",
			files: map[string]string{"p/noid.rego": "# METADATA\n# title: t\npackage meshlint.rules.noid\n\ndeny contains {\"msg\": \"x\"} if false\n"},
			want:  []string{"noid.rego: package meshlint.rules.noid has no rule ID", "custom"},
		},
		{
			name:  "bad severity",
			files: map[string]string{"p/a.rego": "# METADATA\n# custom:\n#   id: A1\n#   severity: fatal\npackage meshlint.rules.a\n\ndeny contains {\"msg\": \"x\"} if false\n"},
			want:  []string{"a.rego:1: custom.severity \"fatal\""},
		},
		{
			name: "two IDs in one package",
			files: map[string]string{"p/a.rego": withID("A1", "meshlint.rules.a", "deny contains {\"msg\": \"x\"} if false\n\n"+
				"# METADATA\n# custom:\n#   id: A2\nwarn contains {\"msg\": \"x\"} if false\n")},
			want: []string{"custom.id \"A2\" differs from \"A1\""},
		},
		{
			name: "duplicate ID across packages",
			files: map[string]string{
				"p/a.rego": withID("DUP", "meshlint.rules.a", "deny contains {\"msg\": \"x\"} if false\n"),
				"p/b.rego": withID("DUP", "meshlint.rules.b", "deny contains {\"msg\": \"x\"} if false\n"),
			},
			want: []string{"share the ID or name \"dup\"", "a.rego", "b.rego"},
		},
		{
			name:  "YAML data that does not parse",
			files: map[string]string{"p/ok.rego": okPolicy, "p/data.yaml": "a:\n  b: [1, 2\n  c: 3\n"},
			want:  []string{"data.yaml:2: data file does not parse as YAML: did not find expected ',' or ']'"},
		},
		{
			name:  "JSON data that does not parse",
			files: map[string]string{"p/ok.rego": okPolicy, "p/data.json": "{\"a\": [1,\n 2,,]}"},
			want:  []string{"data.json:2:4: data file does not parse as JSON: invalid character ','"},
		},
		{
			name:  "data that is not an object",
			files: map[string]string{"p/ok.rego": okPolicy, "p/data.yaml": "- a\n- b\n"},
			want:  []string{"data.yaml: a data file must hold an object"},
		},
		{
			name:  "data files that conflict",
			files: map[string]string{"p/ok.rego": okPolicy, "p/a.yaml": "x: {y: 1}\n", "p/b.json": "{\"x\": {\"y\": 2}}"},
			want:  []string{"data conflicts with", "at data.x.y"},
		},
		{
			name:  "conftest deny with if and no contains",
			files: map[string]string{"p/a.rego": "package main\n\ndeny if input.kind == \"Pod\"\n"},
			want:  []string{"a.rego:3: conftest rule deny uses `if` without `contains`"},
		},
		{
			name:  "only tests",
			files: map[string]string{"p/a_test.rego": "package main_test\n\ntest_x if true\n"},
			want:  []string{"no Rego policies"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			_, err := policy.Load(policy.Options{Dirs: []string{filepath.Join(dir, "p")}})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		_, err := policy.Load(policy.Options{Dirs: []string{filepath.Join(t.TempDir(), "nope")}})
		if err == nil || !strings.Contains(err.Error(), "--policy") {
			t.Errorf("error %v, want one naming --policy", err)
		}
	})
}

const shopManifests = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: web:1
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow
  namespace: shop
spec:
  rules:
    - from:
        - source:
            principals: ["*"]
`

// lintWith runs every rule plus the policies below dir over manifests and
// returns the policies' findings as "file:line:col severity ID message".
func lintWith(t *testing.T, files map[string]string, opts policy.Options) ([]string, error) {
	t.Helper()
	files["manifests/shop.yaml"] = shopManifests
	dir := writeTree(t, files)
	opts.Dirs = []string{filepath.Join(dir, "p")}
	set, err := policy.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(lint.Options{Paths: []string{filepath.Join(dir, "manifests")}, WorkDir: dir, ExtraRules: set.Rules()})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.Findings {
		if !f.Rule.Custom {
			continue
		}
		file, _ := filepath.Rel(dir, f.Pos.File)
		if !filepath.IsAbs(f.Pos.File) {
			file = f.Pos.File
		}
		line := fmt.Sprintf("%s:%d:%d %s %s %s", filepath.ToSlash(file), f.Pos.Line, f.Pos.Column, f.Severity, f.Rule.ID, f.Message)
		if f.Suppressed != nil {
			line += " (suppressed: " + f.Suppressed.Reason + ")"
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out, set.Err(res.Model)
}

func TestNativeRules(t *testing.T) {
	tests := []struct {
		name string
		rego string
		want []string
	}{
		{
			name: "path as a string",
			rego: `deny contains {"msg": "wildcard", "object": {"kind": "AuthorizationPolicy", "namespace": "shop", "name": "allow"}, "path": "spec.rules[0].from[0].source.principals[0]"} if true`,
			want: []string{"manifests/shop.yaml:31:26 error R1 wildcard"},
		},
		{
			name: "path as a list of keys and indices",
			rego: `deny contains {"msg": "wildcard", "object": {"kind": "AuthorizationPolicy", "namespace": "shop", "name": "allow"}, "path": ["spec", "rules", 0, "from"]} if true`,
			want: []string{"manifests/shop.yaml:29:7 error R1 wildcard"},
		},
		{
			name: "no path: the object's first line",
			rego: `deny contains {"msg": "ns", "object": {"kind": "Namespace", "name": "shop"}} if true`,
			want: []string{"manifests/shop.yaml:1:1 error R1 ns"},
		},
		{
			name: "a path that does not exist falls back to its deepest existing field",
			rego: `deny contains {"msg": "sa", "object": {"kind": "Deployment", "namespace": "default", "name": "web"}, "path": "spec.template.spec.serviceAccountName"} if true`,
			want: []string{"manifests/shop.yaml:17:5 error R1 sa"},
		},
		{
			name: "namespace may be left out when the name is unique",
			rego: `deny contains {"msg": "web", "object": {"kind": "Deployment", "name": "web"}, "path": "spec.template"} if true`,
			want: []string{"manifests/shop.yaml:13:3 error R1 web"},
		},
		{
			name: "warn is at most a warning",
			rego: `warn contains {"msg": "w", "object": {"kind": "Namespace", "name": "shop"}} if true
deny contains {"msg": "d", "object": {"kind": "Namespace", "name": "shop"}} if true`,
			want: []string{"manifests/shop.yaml:1:1 error R1 d", "manifests/shop.yaml:1:1 warning R1 w"},
		},
		{
			name: "input: objects with namespace filled in and their position",
			rego: `deny contains {"msg": sprintf("%s at %d:%d", [o.metadata.namespace, o._meshlint.line, o._meshlint.column]), "object": {"kind": o.kind, "name": o.metadata.name}} if {
	some o in input.objects
	o.kind == "Deployment"
}`,
			want: []string{"manifests/shop.yaml:8:1 error R1 default at 8:1"},
		},
		{
			name: "input: workloads from the model",
			rego: `deny contains {"msg": sprintf("%s %s %s %v", [w.id, w.mesh, w.serviceAccount, w.identity]), "object": w.object} if {
	some w in input.workloads
	not w.implied
}`,
			want: []string{"manifests/shop.yaml:8:1 error R1 default/web[Deployment] none default null"},
		},
		{
			name: "an object not in the set is reported at the rule",
			rego: `deny contains {"msg": "ghost", "object": {"kind": "Deployment", "namespace": "shop", "name": "ghost"}} if true`,
			want: []string{"p/r.rego:7:1 error R1 ghost (the result names Deployment shop/ghost, which is not an object of the linted set)"},
		},
		{
			// Implied workloads carry an object and "implied": true;
			// results that name them are not reported.
			name: "results on implied workloads are not reported",
			rego: `deny contains {"msg": w.id, "object": w.object} if {
	some w in input.workloads
	w.implied
	w.object.name == "kube-dns"
}
deny contains {"msg": "ns", "object": {"kind": "Namespace", "name": "kube-system"}} if true`,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lintWith(t, map[string]string{"p/r.rego": withID("R1", "meshlint.rules.r", tt.rego+"\n")}, policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Results of the wrong shape and evaluations that fail make the run fail,
// naming the rule.
func TestEvaluationErrors(t *testing.T) {
	tests := []struct {
		name    string
		rego    string
		timeout time.Duration
		want    []string
	}{
		{
			name: "result that is not an object",
			rego: `deny contains "just a string" if true`,
			want: []string{"policy rule R1 (", "r.rego): a result must be an object"},
		},
		{
			name: "result without msg",
			rego: `deny contains {"object": {"kind": "Namespace", "name": "shop"}} if true`,
			want: []string{"has no \"msg\" string"},
		},
		{
			name: "result without object",
			rego: `deny contains {"msg": "m"} if true`,
			want: []string{"\"object\" must be"},
		},
		{
			name: "runtime error",
			rego: `x := 1 if true
x := 2 if true
deny contains {"msg": "m", "object": {"kind": "Namespace", "name": "shop"}} if x == 1`,
			want: []string{"policy rule R1 (", "evaluation failed", "eval_conflict_error"},
		},
		{
			name: "a rule that loops runs into the timeout",
			rego: `deny contains {"msg": "m", "object": {"kind": "Namespace", "name": "shop"}} if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i + j < 0
}`,
			timeout: 300 * time.Millisecond,
			want:    []string{"policy rule R1 (", "did not finish within 300ms (--policy-timeout)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := lintWith(t, map[string]string{"p/r.rego": withID("R1", "meshlint.rules.r", tt.rego+"\n")}, policy.Options{Timeout: tt.timeout})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.timeout > 0 && time.Since(start) > tt.timeout+5*time.Second {
				t.Errorf("the timeout of %s took %s to stop the rule", tt.timeout, time.Since(start))
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	src := `# METADATA
# title: Every namespace has a default-deny
# description: Long text.
# related_resources:
#   - ref: https://example.com/rules/house-1
# custom:
#   id: HOUSE-1
#   severity: note
#   name: house-default-deny
#   fix: Add one.
#   tags: [network]
package meshlint.rules.house

deny contains {"msg": "m", "object": {"kind": "Namespace", "name": "shop"}} if true
`
	dir := writeTree(t, map[string]string{
		"p/house.rego": src,
		"p/warnonly.rego": `package meshlint.rules.warn_only

# METADATA
# custom:
#   id: W1
warn contains {"msg": "m", "object": {"kind": "Namespace", "name": "shop"}} if true
`,
		"p/helpers.rego": "package meshlint.rules.lib\n\nis_ns(o) if o.kind == \"Namespace\"\n",
		"p/conftest.rego": `package main

# METADATA
# title: Deployments set limits
# custom:
#   id: LIMITS
deny_limits contains "m" if false

warn contains "m" if false
`,
	})
	set, err := policy.Load(policy.Options{Dirs: []string{filepath.Join(dir, "p")}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range set.Rules() {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%v|%v", r.ID, r.Name, r.Severity, r.Summary, r.Description, r.HelpURI, r.Fix, r.Tags, r.Custom))
	}
	want := []string{
		"CONFTEST-warn|conftest-warn|warning|conftest rule warn of package main|Rule `warn` of package `main`, evaluated as conftest does: once per object, with the object as written as `input`.|||[rego conftest]|true",
		"HOUSE-1|house-default-deny|note|Every namespace has a default-deny|Long text.|https://example.com/rules/house-1|Add one.|[rego network]|true",
		"LIMITS|conftest-deny-limits|error|Deployments set limits|Rule `deny_limits` of package `main`, evaluated as conftest does: once per object, with the object as written as `input`.|||[rego conftest]|true",
		"W1|warn-only|warning|Rego policy meshlint.rules.warn_only||||[rego]|true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestConftestRules(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		namespaces []string
		want       []string
	}{
		{
			name: "string and object messages, deny_ and warn_ rules",
			files: map[string]string{"p/k8s.rego": `package main

deny contains msg if {
	input.kind == "Deployment"
	msg := sprintf("%s has no namespace", [input.metadata.name])
	not input.metadata.namespace
}

violation_images contains {"msg": "unpinned", "path": "spec.template.spec.containers[0].image"} if input.kind == "Deployment"

warn_authz contains {"msg": "authz", "details": {"n": 1}} if input.kind == "AuthorizationPolicy"
`},
			want: []string{
				"manifests/shop.yaml:20:11 error CONFTEST-violation_images unpinned",
				"manifests/shop.yaml:22:1 warning CONFTEST-warn_authz authz",
				"manifests/shop.yaml:8:1 error CONFTEST-deny web has no namespace",
			},
		},
		{
			name: "v0 syntax and exceptions",
			files: map[string]string{"p/k8s.rego": `package main

deny_kind[msg] {
	msg := sprintf("kind %s", [input.kind])
}

exception[rules] {
	input.kind == "Namespace"
	rules := ["kind"]
}
`},
			want: []string{
				"manifests/shop.yaml:1:1 error CONFTEST-deny_kind kind Namespace (suppressed: conftest exception in package main)",
				"manifests/shop.yaml:22:1 error CONFTEST-deny_kind kind AuthorizationPolicy",
				"manifests/shop.yaml:8:1 error CONFTEST-deny_kind kind Deployment",
			},
		},
		{
			name: "other namespaces",
			files: map[string]string{
				"p/a.rego": "package k8s.checks\n\nwarn contains \"ns\" if input.kind == \"Namespace\"\n",
				"p/b.rego": "package main\n\nwarn contains \"never\" if input.kind == \"Namespace\"\n",
			},
			namespaces: []string{"k8s.checks"},
			want:       []string{"manifests/shop.yaml:1:1 warning CONFTEST-k8s.checks.warn ns"},
		},
		{
			name:  "rules other than deny, violation and warn are helpers",
			files: map[string]string{"p/a.rego": "package main\n\ndenied contains \"x\" if true\nwarning contains \"x\" if true\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lintWith(t, tt.files, policy.Options{Namespaces: tt.namespaces})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// A rule can be selected by ID like a built-in one.
func TestRulesObeyEnable(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"p/a.rego":  withID("A1", "meshlint.rules.a", "deny contains {\"msg\": \"a\", \"object\": {\"kind\": \"Namespace\", \"name\": \"shop\"}} if true\n"),
		"p/b.rego":  withID("B1", "meshlint.rules.b", "deny contains {\"msg\": \"b\", \"object\": {\"kind\": \"Namespace\", \"name\": \"shop\"}} if true\n"),
		"m/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
	})
	set, err := policy.Load(policy.Options{Dirs: []string{filepath.Join(dir, "p")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		enable, disable []string
		want            string
	}{
		{enable: []string{"A1"}, want: "A1"},
		{disable: []string{"a"}, want: "B1"},
		{enable: []string{"a1,b"}, want: "A1 B1"},
	} {
		res, err := lint.Run(lint.Options{Paths: []string{filepath.Join(dir, "m")}, ExtraRules: set.Rules(), Enable: tt.enable, Disable: tt.disable})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range res.Findings {
			if f.Rule.Custom {
				ids = append(ids, f.Rule.ID)
			}
		}
		if got := strings.Join(ids, " "); got != tt.want {
			t.Errorf("enable %v disable %v: findings of %q, want %q", tt.enable, tt.disable, got, tt.want)
		}
	}
}

func TestPolicyTest(t *testing.T) {
	t.Run("examples pass", func(t *testing.T) {
		var out strings.Builder
		sum, err := policy.Test(t.Context(), []string{"../rules/rego/examples"}, &out, policy.TestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !sum.OK() || sum.Pass < 20 {
			t.Errorf("summary %+v, want at least 20 passing tests and no failure:\n%s", sum, out.String())
		}
		for _, want := range []string{"namespace_default_deny_test.rego", "authz_wildcard_principal_test.rego", "sensitive_reachability_test.rego", "deployment_resources_test.rego", fmt.Sprintf("PASS: %d/%d", sum.Pass, sum.Pass)} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, out.String())
			}
		}
	})
	dir := writeTree(t, map[string]string{
		"p/a.rego":      "package main\n\ndeny[msg] {\n\tinput.kind == \"Pod\"\n\tmsg := \"pod\"\n}\n",
		"p/a_test.rego": "package main\n\ntest_pod {\n\tdeny[\"pod\"] with input as {\"kind\": \"Pod\"}\n}\n\ntest_wrong {\n\tdeny[\"pod\"] with input as {\"kind\": \"Service\"}\n}\n",
	})
	var out strings.Builder
	sum, err := policy.Test(t.Context(), []string{filepath.Join(dir, "p")}, &out, policy.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pass != 1 || sum.Fail != 1 || sum.OK() {
		t.Errorf("summary %+v, want one pass and one failure:\n%s", sum, out.String())
	}
	for _, want := range []string{"data.main.test_pod: PASS", "data.main.test_wrong: FAIL", "PASS: 1/2", "FAIL: 1/2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := policy.Test(t.Context(), []string{filepath.Join(dir, "p")}, &out, policy.TestOptions{Run: "nomatch"}); err == nil {
		t.Error("no test selected, but no error")
	}
}

// The examples' severities are part of what they teach.
func TestExampleRules(t *testing.T) {
	set, err := policy.Load(policy.Options{Dirs: []string{"../rules/rego/examples"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]analyzer.Severity{}
	for _, r := range set.Rules() {
		got[r.ID] = r.Severity
		if r.Summary == "" || r.Run == nil {
			t.Errorf("%s lacks a summary or Run", r.ID)
		}
	}
	want := map[string]analyzer.Severity{
		"HOUSE001": analyzer.Warning, "HOUSE002": analyzer.Error, "HOUSE003": analyzer.Error, "HOUSE004": analyzer.Warning,
		"CONFTEST-deny": analyzer.Error, "CONFTEST-warn": analyzer.Warning,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rules %v, want %v", got, want)
	}
}

// A conftest rule runs once per object; its timeout covers them all.
func TestConftestTimeout(t *testing.T) {
	_, err := lintWith(t, map[string]string{"p/loop.rego": `package main

deny contains "never" if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i + j < 0
}
`}, policy.Options{Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "policy rule CONFTEST-deny (") || !strings.Contains(err.Error(), "did not finish within 300ms (--policy-timeout)") {
		t.Errorf("error %v, want a timeout naming CONFTEST-deny", err)
	}
}

// Data files land under data like `opa eval -d` puts them: by directory.
func TestPolicyData(t *testing.T) {
	got, err := lintWith(t, map[string]string{
		"p/r.rego": withID("R1", "meshlint.rules.r", `deny contains {"msg": sprintf("owner %s, limit %d, %v", [data.teams.owners[ns.name], data.limit, data.flags]), "object": {"kind": "Namespace", "name": ns.name}} if {
	some ns in input.namespaces
	not ns.implied
}
`),
		"p/teams/owners.yaml": "owners:\n  shop: alice\n",
		"p/limit.json":        `{"limit": 3, "flags": {"strict": true}}`,
		"p/more/flags.yml":    "# an empty data file adds nothing\n",
	}, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `manifests/shop.yaml:1:1 error R1 owner alice, limit 3, {"strict": true}`
	if strings.Join(got, "\n") != want {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}
