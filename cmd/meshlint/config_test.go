package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/baseline"
	"github.com/meshlint/meshlint/config"
	"github.com/meshlint/meshlint/lint"
)

// writeTree writes files (slash paths relative to dir).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runIn runs the command line from dir, as a user in that directory would.
func runIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code = run(append([]string{"meshlint"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

type jsonFinding struct {
	Rule       string `json:"rule"`
	Object     struct{ Kind, Name string }
	Location   struct{ File string }
	Suppressed *struct{ Kind, Reason string }
}

// lintJSON runs lint with --format json and returns the findings.
func lintJSON(t *testing.T, dir string, args ...string) (int, []jsonFinding, string) {
	t.Helper()
	code, out, errOut := runIn(t, dir, append([]string{"--format", "json"}, args...)...)
	if code == exitFailure {
		return code, nil, errOut
	}
	var rep struct{ Findings []jsonFinding }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not JSON (%v): %s\nstderr: %s", err, out, errOut)
	}
	return code, rep.Findings, errOut
}

// active names the findings not suppressed: "RULE Kind/name", sorted.
func active(fs []jsonFinding) []string {
	var out []string
	for _, f := range fs {
		if f.Suppressed == nil {
			out = append(out, f.Rule+" "+f.Object.Kind+"/"+f.Object.Name)
		}
	}
	sort.Strings(out)
	return out
}

// peerSplit is a NetworkPolicy on which MSH101 fires once.
func peerSplit(name string) string {
	return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ` + name + `, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
    - podSelector: {matchLabels: {app: web}}
`
}

// scenarioRules are the rules these scenarios are about; tests run only
// them, so that rules added later do not change what the scenarios report.
const scenarioRules = "MSH101,MSH401,MSH404"

// legacyRole fires MSH401 and MSH404.
const legacyRole = `apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: reader, namespace: shop}
spec:
  rules: [{services: ["*"], methods: ["GET"]}]
`

// A baseline written on one version of a scenario, then applied after lines
// moved and one problem was added, reports exactly the new problem.
func TestBaselineAfterLineShiftReportsOnlyTheNewProblem(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"deploy/np.yaml":   peerSplit("a") + "---\n" + legacyRole,
		"deploy/more.yaml": peerSplit("b"),
	})
	code, _, errOut := runIn(t, dir, "baseline", "write", "--enable", scenarioRules, "deploy")
	if code != exitClean || !strings.Contains(errOut, "wrote 4 findings to .meshlint-baseline.json") {
		t.Fatalf("baseline write: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, ".meshlint-baseline.json")); err != nil {
		t.Fatal(err)
	}

	// Lines move (a header, a blank line, a document moved first) and one
	// new problem appears (policy c).
	writeTree(t, dir, map[string]string{
		"deploy/np.yaml":   "# Shop policies.\n# Owned by the shop team.\n\n" + legacyRole + "---\n" + peerSplit("c") + "---\n" + peerSplit("a"),
		"deploy/more.yaml": "\n\n" + peerSplit("b"),
	})
	code, fs, errOut := lintJSON(t, dir, "--enable", scenarioRules, "--baseline", ".meshlint-baseline.json", "deploy")
	if want := []string{"MSH101 NetworkPolicy/c"}; !reflect.DeepEqual(active(fs), want) {
		t.Errorf("active findings %v, want %v", active(fs), want)
	}
	if code != exitFindings {
		t.Errorf("exit %d, want 1 for the new problem", code)
	}
	if !strings.Contains(errOut, "4 findings baselined, 0 entries no longer occur") {
		t.Errorf("stderr %q does not count the baseline", errOut)
	}
	for _, f := range fs {
		if f.Suppressed != nil && (f.Suppressed.Kind != "external" || f.Suppressed.Reason != "baselined") {
			t.Errorf("%s suppressed as %+v, want external/baselined", f.Rule, f.Suppressed)
		}
	}
	if len(fs) != 5 {
		t.Errorf("%d findings in JSON, want 5: baselined ones are listed too", len(fs))
	}

	// Fixing a problem leaves its entry stale, and says so.
	writeTree(t, dir, map[string]string{"deploy/more.yaml": "# fixed\n"})
	_, _, errOut = lintJSON(t, dir, "--enable", scenarioRules, "--baseline", ".meshlint-baseline.json", "deploy")
	if !strings.Contains(errOut, "3 findings baselined, 1 entry no longer occurs") {
		t.Errorf("stderr %q does not count the stale entry", errOut)
	}

	// --strict reports everything.
	code, fs, errOut = lintJSON(t, dir, "--enable", scenarioRules, "--strict", "--baseline", ".meshlint-baseline.json", "deploy")
	if len(active(fs)) != 4 || code != exitFindings || !strings.Contains(errOut, "not applied") {
		t.Errorf("--strict: exit %d, active %v, stderr %q; want every finding", code, active(fs), errOut)
	}
}

// A finding suppressed in the manifest is not recorded: the annotation
// already says why.
func TestBaselineWriteSkipsSuppressed(t *testing.T) {
	dir := t.TempDir()
	np := strings.Replace(peerSplit("a"), "namespace: shop}", "namespace: shop, annotations: {meshlint.io/ignore-all: \"meant\"}}", 1)
	writeTree(t, dir, map[string]string{"np.yaml": np + "---\n" + peerSplit("b")})
	if code, _, errOut := runIn(t, dir, "baseline", "write", "--enable", scenarioRules, "--output", "b.json", "."); code != exitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "b.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "NetworkPolicy shop/a") || !strings.Contains(string(data), "NetworkPolicy shop/b") {
		t.Errorf("baseline holds the wrong findings:\n%s", data)
	}
}

func TestBadInputIsAFailedRun(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		want  string
	}{
		{"unknown config key", map[string]string{".meshlint.yaml": "fail-on: error\n\ndisabel: [MSH101]\n"},
			nil, `.meshlint.yaml:3:1: unknown key "disabel"`},
		{"config does not parse", map[string]string{".meshlint.yaml": "disable: [MSH101\n"},
			nil, ".meshlint.yaml:1:1: does not parse"},
		{"unknown rule in config", map[string]string{".meshlint.yaml": "severity:\n  MSH999: note\n"},
			nil, `.meshlint.yaml:2:3: unknown rule "MSH999"`},
		{"unknown rule in a flag is the flag's", map[string]string{".meshlint.yaml": "disable: [MSH999]\n"},
			[]string{"--disable", "MSH999"}, `meshlint: --disable: unknown rule "MSH999"`},
		{"missing --config", nil, []string{"--config", "nope.yaml"}, "config nope.yaml: no such file"},
		{"baseline does not parse", map[string]string{"b.json": "{\"version\": 1,\n \"findings\": [}\n"},
			[]string{"--baseline", "b.json"}, "b.json:2:15: baseline does not parse"},
		{"missing baseline", nil, []string{"--baseline", "b.json"}, "baseline b.json: no such file"},
		{"bad --severity", nil, []string{"--severity", "MSH101"}, `--severity "MSH101": want RULE=error`},
		{"--config with --no-config", map[string]string{"c.yaml": ""}, []string{"--config", "c.yaml", "--no-config"}, "give one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			writeTree(t, dir, map[string]string{"m/np.yaml": peerSplit("a")})
			code, _, errOut := runIn(t, dir, append(tt.args, "m")...)
			if code != exitFailure {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not say %q", errOut, tt.want)
			}
		})
	}
}

// The config file is found from a subdirectory, and its ignore patterns are
// relative to it, not to where meshlint runs.
func TestConfigFoundInParent(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".meshlint.yaml":          "enable: [" + scenarioRules + "]\ndisable: [MSH401]\nignore: [/apps/generated/]\nfail-on: error\n",
		"apps/np.yaml":            peerSplit("a") + "---\n" + legacyRole,
		"apps/generated/bad.yaml": peerSplit("gen"),
	})
	sub := filepath.Join(dir, "apps")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"file applies", []string{"."}, exitClean, []string{"MSH101 NetworkPolicy/a", "MSH404 ServiceRole/reader"}},
		{"--no-config", []string{"--no-config", "--enable", scenarioRules, "."}, exitFindings, []string{
			"MSH101 NetworkPolicy/a", "MSH101 NetworkPolicy/gen", "MSH401 ServiceRole/reader", "MSH404 ServiceRole/reader"}},
		{"a path named is read even if ignored", []string{"generated/bad.yaml"}, exitClean, []string{"MSH101 NetworkPolicy/gen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, fs, errOut := lintJSON(t, sub, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !reflect.DeepEqual(active(fs), tt.want) {
				t.Errorf("findings %v, want %v", active(fs), tt.want)
			}
		})
	}
}

// Flags override the file; the table pins each precedence rule.
func TestFlagsOverrideFile(t *testing.T) {
	file := `enable: [MSH101, MSH401, MSH404]
disable: [netpol-peer-split]
severity: {MSH404: error, legacy-rbac-removed: note}
fail-on: error
namespace: apps
trust-domain: corp.example
outbound-traffic-policy: REGISTRY_ONLY
cluster-services: {istiod: false}
`
	tests := []struct {
		name   string
		args   []string
		check  func(opts lint.Options, failOn analyzer.Severity) string
		expect string
	}{
		{"file alone", nil, func(o lint.Options, f analyzer.Severity) string {
			return strings.Join(o.Enable, ",") + " -" + strings.Join(o.Disable, ",") + " " + f.String() + " " + o.Settings.DefaultNamespace + " " + o.Settings.TrustDomain
		}, "MSH101,MSH401,MSH404 -netpol-peer-split error apps corp.example"},
		{"--enable replaces enable and beats disable", []string{"--enable", "MSH101"}, func(o lint.Options, _ analyzer.Severity) string {
			return strings.Join(o.Enable, ",") + " -" + strings.Join(o.Disable, ",")
		}, "MSH101 -"},
		{"--disable adds", []string{"--disable", "MSH404"}, func(o lint.Options, _ analyzer.Severity) string {
			return strings.Join(o.Disable, ",")
		}, "netpol-peer-split,MSH404"},
		{"--fail-on", []string{"--fail-on", "note"}, func(_ lint.Options, f analyzer.Severity) string { return f.String() }, "note"},
		{"--fail-on given as its default still wins", []string{"--fail-on", "warning"}, func(_ lint.Options, f analyzer.Severity) string { return f.String() }, "warning"},
		{"settings flags", []string{"--namespace", "default", "--trust-domain", "cluster.local"}, func(o lint.Options, _ analyzer.Severity) string {
			return o.Settings.DefaultNamespace + " " + o.Settings.TrustDomain
		}, "default cluster.local"},
		{"outbound traffic policy: the file, then the flag", nil, func(o lint.Options, _ analyzer.Severity) string {
			return o.Settings.OutboundTrafficPolicy + " root=" + o.Settings.RootNamespace
		}, "REGISTRY_ONLY root="},
		{"--outbound-traffic-policy", []string{"--outbound-traffic-policy", "ALLOW_ANY"}, func(o lint.Options, _ analyzer.Severity) string {
			return o.Settings.OutboundTrafficPolicy
		}, "ALLOW_ANY"},
		{"--severity beats the file's entry, under either name", []string{"--severity", "MSH401=warning", "--severity", "MSH404=note"}, func(o lint.Options, _ analyzer.Severity) string {
			var parts []string
			for k, v := range o.Severity {
				parts = append(parts, k+"="+v.String())
			}
			sort.Strings(parts)
			return strings.Join(parts, " ")
		}, "MSH401=warning MSH404=note"},
		{"cluster services", nil, func(o lint.Options, _ analyzer.Severity) string {
			return map[bool]string{true: "no-istiod", false: "istiod"}[o.Settings.NoImpliedIstiod] + " " +
				map[bool]string{true: "no-kube-dns", false: "kube-dns"}[o.Settings.NoImpliedKubeDNS]
		}, "no-istiod kube-dns"},
		{"--strict", []string{"--strict"}, func(o lint.Options, _ analyzer.Severity) string {
			return map[bool]string{true: "strict", false: "lenient"}[o.Strict]
		}, "strict"},
	}
	cfg, err := config.Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := lintContext(t, tt.args...)
			failOn, _ := analyzer.ParseSeverity(c.String("fail-on"))
			opts := lint.Options{Settings: settingsFrom(c), Enable: c.StringSlice("enable"), Disable: c.StringSlice("disable")}
			if err := applyConfig(c, cfg, "/repo", &opts, &failOn); err != nil {
				t.Fatal(err)
			}
			if got := tt.check(opts, failOn); got != tt.expect {
				t.Errorf("got %q, want %q", got, tt.expect)
			}
		})
	}
}

// lintContext parses args with lint's flags, as the app would.
func lintContext(t *testing.T, args ...string) *cli.Context {
	t.Helper()
	set := flag.NewFlagSet("lint", flag.ContinueOnError)
	for _, f := range lintFlags() {
		if err := f.Apply(set); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cli.NewContext(&cli.App{}, set, nil)
}

// End to end: the rules the file turns off stay off, and a flag brings one back.
func TestConfigRulesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".meshlint.yaml": "enable: [" + scenarioRules + "]\ndisable: [netpol-peer-split]\nseverity: {MSH404: note}\nfail-on: warning\n",
		"np.yaml":        peerSplit("a") + "---\n" + legacyRole,
	})
	code, fs, _ := lintJSON(t, dir, "--fail-on", "none", ".")
	if want := []string{"MSH401 ServiceRole/reader", "MSH404 ServiceRole/reader"}; !reflect.DeepEqual(active(fs), want) || code != exitClean {
		t.Errorf("exit %d, findings %v; want 0 and %v", code, active(fs), want)
	}
	_, fs, _ = lintJSON(t, dir, "--enable", "MSH101", ".")
	if want := []string{"MSH101 NetworkPolicy/a"}; !reflect.DeepEqual(active(fs), want) {
		t.Errorf("--enable MSH101: findings %v, want %v", active(fs), want)
	}
}

func TestBaselineSummary(t *testing.T) {
	tests := []struct {
		st   baseline.Stats
		want string
	}{
		{baseline.Stats{}, "meshlint: baseline b.json: 0 findings baselined, 0 entries no longer occur"},
		{baseline.Stats{Baselined: 1, Stale: 1}, "meshlint: baseline b.json: 1 finding baselined, 1 entry no longer occurs (run `meshlint baseline write` to drop them)"},
		{baseline.Stats{Baselined: 12, Stale: 12}, "meshlint: baseline b.json: 12 findings baselined, 12 entries no longer occur (run `meshlint baseline write` to drop them)"},
	}
	for _, tt := range tests {
		if got := baselineSummary("b.json", tt.st); got != tt.want {
			t.Errorf("baselineSummary(%+v) =\n %s\nwant\n %s", tt.st, got, tt.want)
		}
	}
}

// cluster-services reaches the model: a service turned off is not stood in.
func TestClusterServicesReachTheModel(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"m.yaml": `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i}]}
`})
	tests := []struct {
		file string
		want string
	}{
		{"", "istio-system/istiod[Deployment] kube-system/kube-dns[Deployment]"},
		{"cluster-services: {kube-dns: false}", "istio-system/istiod[Deployment]"},
		{"cluster-services: {istiod: false, kube-dns: true}", "kube-system/kube-dns[Deployment]"},
		{"cluster-services: {istiod: false, kube-dns: false}", ""},
	}
	for _, tt := range tests {
		cfg, err := config.Parse(filepath.Join(dir, ".meshlint.yaml"), ".meshlint.yaml", []byte(tt.file))
		if err != nil {
			t.Fatal(err)
		}
		c := lintContext(t)
		failOn := analyzer.Warning
		opts := lint.Options{Paths: []string{dir}, WorkDir: dir, Settings: settingsFrom(c), Enable: []string{"MSH101"}}
		if err := applyConfig(c, cfg, dir, &opts, &failOn); err != nil {
			t.Fatal(err)
		}
		res, err := lint.Run(opts)
		if err != nil {
			t.Fatal(err)
		}
		var implied []string
		for _, w := range res.Model.Workloads {
			if w.Implied {
				implied = append(implied, w.ID())
			}
		}
		sort.Strings(implied)
		if got := strings.Join(implied, " "); got != tt.want {
			t.Errorf("%q: implied workloads %q, want %q", tt.file, got, tt.want)
		}
	}
}

// Policy directories named in the config file are loaded like --policy ones,
// relative to the file.
func TestConfigPolicies(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		".meshlint.yaml": "policies: [house]\n",
		"house/ns.rego": `# METADATA
# custom:
#   id: HOUSE900
#   severity: warning
package meshlint.rules.named_namespaces

deny contains result if {
	some o in input.objects
	o.kind == "Namespace"
	result := {"msg": "namespace found", "object": {"kind": "Namespace", "name": o.metadata.name}}
}
`,
		"manifests/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code := run([]string{"meshlint", "manifests"}, strings.NewReader(""), &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "manifests/ns.yaml:1:1: warning: namespace found [HOUSE900") {
		t.Errorf("exit %d, want the config's policy to report:\n%s%s", code, out.String(), errOut.String())
	}
}
