package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/config"
)

// -v is --verbose, as golangci-lint users expect: what the run used, on
// stderr; never the version and exit 0.
func TestVerbose(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "-v", "--fail-on", "none", "testdata/manifests/overlays")
	if code != 0 || !strings.Contains(out, "objects in") {
		t.Fatalf("-v: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{
		"meshlint: no config file",
		"meshlint: loaded 16 objects from 4 files in ",
		"meshlint: 2 environments:",
		"meshlint:   testdata/manifests/overlays/staging: 8 objects from 1 build (testdata/manifests/overlays/staging); model ",
		"meshlint: done in ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("-v stderr lacks %q:\n%s", want, errOut)
		}
	}
	_, _, errOut = runMeshlint(t, "", "--verbose", "--config", "testdata/manifests/.meshlint.yaml", "--fail-on", "none", "testdata/manifests")
	if !strings.Contains(errOut, "meshlint: config testdata/manifests/.meshlint.yaml") || !strings.Contains(errOut, "  seed: 12 objects") {
		t.Errorf("--verbose does not name the config file and environments:\n%s", errOut)
	}
	if code, out, _ := runMeshlint(t, "", "--version"); code != 0 || strings.TrimSpace(out) == "" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runMeshlint(t, "", "help")
	if code != 0 {
		t.Fatalf("meshlint help: exit %d", code)
	}
	for _, cmd := range []string{"lint", "graph", "migrate", "baseline", "policy", "rules", "explain", "help"} {
		if !regexp.MustCompile(`(?m)^   ` + cmd + `\b`).MatchString(out) {
			t.Errorf("meshlint help does not list %s:\n%s", cmd, out)
		}
	}
	// Every command's help names its placeholders, has no stray backticks,
	// and the commands that run say their exit codes.
	for _, args := range [][]string{
		{"--help"}, {"lint", "--help"}, {"graph", "--help"}, {"migrate", "--help"}, {"baseline", "write", "--help"},
		{"policy", "test", "--help"}, {"rules", "--help"}, {"explain", "--help"}, {"help", "graph"},
	} {
		code, out, _ := runMeshlint(t, "", args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		if strings.Contains(out, "`") {
			t.Errorf("%v: a backtick in the help:\n%s", args, out)
		}
		if regexp.MustCompile(`--[a-z-]+ value\b`).MatchString(out) {
			t.Errorf("%v: a placeholder without a name (value):\n%s", args, out)
		}
		if args[0] != "rules" && args[0] != "explain" && !strings.Contains(out, "Exit codes: 0") {
			t.Errorf("%v: the help does not state the exit codes", args)
		}
	}
}

// Flags before a subcommand apply to it, or fail saying why.
func TestFlagsBeforeSubcommand(t *testing.T) {
	code, out, _ := runMeshlint(t, "", "--format", "json", "graph", "testdata/manifests/seed")
	if code != 0 || !strings.HasPrefix(out, "{") {
		t.Errorf("--format json graph: exit %d, %q", code, out)
	}
	code, out, _ = runMeshlint(t, "", "--layer", "network", "graph", "testdata/manifests/seed")
	if code != 0 || !strings.Contains(out, "analytics/reporting[Deployment] => backend/backend[Deployment] : All Connections") {
		t.Errorf("--layer network graph: exit %d, %q", code, out)
	}
	code, _, errOut := runMeshlint(t, "", "--fail-on", "none", "graph", "testdata/manifests/seed")
	if code != 2 || !strings.Contains(errOut, "--fail-on comes before the command graph, which does not take it") {
		t.Errorf("--fail-on before graph: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runMeshlint(t, "", "baseline", "write", "--report", "sarif=x.sarif", "testdata/manifests/seed"); code != 2 || !strings.Contains(errOut, "-report") {
		t.Errorf("baseline write --report: exit %d, %q: want a refusal", code, errOut)
	}
	if code, _, errOut := runMeshlint(t, "", "migrate", "--no-config", "testdata/manifests/seed"); code != 0 {
		t.Errorf("migrate --no-config: exit %d, %q", code, errOut)
	}
}

// No Kubernetes object in the paths is a failed run, unless allowed.
func TestEmptyInput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("replicas: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	lint := func(args ...string) (int, string) {
		var out, errOut strings.Builder
		code := run(append([]string{"meshlint"}, args...), strings.NewReader(""), &out, &errOut)
		return code, errOut.String()
	}
	if code, errOut := lint("--no-config", "."); code != 2 || !strings.Contains(errOut, "no Kubernetes object in . (1 file read, 1 document skipped as not Kubernetes); pass --allow-empty") {
		t.Errorf("empty: exit %d, %q", code, errOut)
	}
	if code, errOut := lint("--no-config", "graph", "."); code != 2 || !strings.Contains(errOut, "no Kubernetes object") {
		t.Errorf("graph, empty: exit %d, %q", code, errOut)
	}
	if code, errOut := lint("--no-config", "--allow-empty", "."); code != 0 {
		t.Errorf("--allow-empty: exit %d, %q", code, errOut)
	}
	if err := os.WriteFile(".meshlint.yaml", []byte("allow-empty: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, errOut := lint("."); code != 0 {
		t.Errorf("allow-empty in the config file: exit %d, %q", code, errOut)
	}
}

// --enable never hides that a file was not linted.
func TestEnableKeepsInvalidManifest(t *testing.T) {
	_, out, _ := runMeshlint(t, "", "--enable", "MSH301", "--fail-on", "none", "rules/testdata/MSH001/fires")
	if !strings.Contains(out, "[MSH001 invalid-manifest]") {
		t.Errorf("--enable MSH301 hides MSH001:\n%s", out)
	}
	_, _, errOut := runMeshlint(t, "", "--disable", "MSH001", "--fail-on", "none", "rules/testdata/MSH001/fires")
	if !strings.Contains(errOut, "6 documents were not linted") {
		t.Errorf("--disable MSH001 says nothing on stderr: %q", errOut)
	}
}

// Every lint flag that makes sense in a file is a config key of the same
// name, as the README says; the others are listed here with why.
func TestFlagsAreConfigKeys(t *testing.T) {
	commandLineOnly := map[string]string{
		"format": "where output goes is the caller's", "report": "the same", "color": "the terminal's",
		"config": "names the file", "no-config": "the same", "strict": "an audit of one run",
		"environment": "one run's choice", "verbose": "one run's", "help": "not a setting",
		"policy": "the file's key is policies", "sarif-category": "one upload's",
		"helm-values": "the file gives values per chart, under helm:", "helm-set": "the same",
	}
	keys := map[string]bool{}
	for _, k := range config.Keys() {
		keys[k] = true
	}
	for _, f := range lintFlags() {
		name := f.Names()[0]
		if _, ok := commandLineOnly[name]; !ok && !keys[name] {
			t.Errorf("--%s has no config key (add one, or say here why it belongs on the command line)", name)
		}
	}
}

// A when condition without a key (istiod refuses it: MSH003) never
// matches; the graph no longer prints it as "[when ]".
func TestWhenWithoutKey(t *testing.T) {
	manifests := `apiVersion: v1
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
    spec:
      containers: [{name: web, image: web, ports: [{containerPort: 80}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules:
  - when:
    - values: ["x"]
`
	_, out, _ := runMeshlint(t, manifests, "graph", "--layer", "mesh", "-")
	if strings.Contains(out, "[when") {
		t.Errorf("a condition without a key is printed:\n%s", out)
	}
	_, out, _ = runMeshlint(t, manifests, "--fail-on", "none", "-")
	if !strings.Contains(out, "when needs a key") {
		t.Errorf("MSH003 does not report the condition without a key:\n%s", out)
	}
}

// TestUsageErrorsExit2: a command that only groups others, run bare or
// with an unknown subcommand, and a flag left without its value are usage
// errors: exit 2 and a message that names what is wrong.
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"baseline"}, "baseline: name a subcommand: write"},
		{[]string{"policy"}, "policy: name a subcommand: test"},
		{[]string{"baseline", "wirte", "testdata/manifests/seed"}, `unknown subcommand "wirte" (want write`},
		{[]string{"policy", "tset"}, `unknown subcommand "tset" (want test`},
		{[]string{"graph", "testdata/manifests/seed", "--layer"}, "flag --layer needs a value (see meshlint graph --help)"},
		{[]string{"graph", "--layer"}, "flag --layer needs a value"},
		{[]string{"graph", "--layer", "testdata/manifests/seed"}, `--layer: unknown layer "testdata/manifests/seed"`},
		{[]string{"graph", "--layer", "bogus", "testdata/manifests/seed"}, `--layer: unknown layer "bogus" (want network, mesh or effective)`},
		{[]string{"diff", "--layer", "bogus", "a", "b"}, `--layer: unknown layer "bogus"`},
		{[]string{"why", "--layer", "bogus", "a", "b", "testdata/manifests/seed"}, `--layer: unknown layer "bogus"`},
		{[]string{"why", "a", "b", "testdata/manifests/seed", "--layer"}, "flag --layer needs a value (see meshlint why --help)"},
		{[]string{"testdata/manifests/seed", "--format"}, "flag --format needs a value (see meshlint --help)"},
		{[]string{"testdata/manifests/seed", "--fail-on", "--"}, "flag --fail-on needs a value"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 and %q", code, errOut, out, tc.want)
			}
		})
	}
}

// TestHelpPlaceholders: every flag that takes a value names it with a
// placeholder (`--format FORMAT`, `--config FILE`), no flag without one
// claims it, and every command's usage line starts with its full name and
// says [flags] as the top-level help does.
func TestHelpPlaceholders(t *testing.T) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	var visit func(cmds []*cli.Command, parent string)
	visit = func(cmds []*cli.Command, parent string) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			name := parent + " " + c.Name
			if !strings.HasPrefix(c.UsageText, name) {
				t.Errorf("%s: usage line %q", name, c.UsageText)
			}
			for _, f := range c.Flags {
				d, ok := f.(cli.DocGenerationFlag)
				if !ok {
					continue
				}
				placeholder := placeholderOf(d.GetUsage())
				if d.TakesValue() && (placeholder == "" || strings.ToUpper(placeholder) != placeholder) {
					t.Errorf("%s --%s: no upper-case placeholder in %q", name, f.Names()[0], d.GetUsage())
				}
				if !d.TakesValue() && strings.Contains(d.GetUsage(), "`") {
					t.Errorf("%s --%s takes no value, but its usage names a placeholder: %q", name, f.Names()[0], d.GetUsage())
				}
			}
			_, out, _ := runMeshlint(t, "", append(strings.Fields(strings.TrimPrefix(name, "meshlint ")), "--help")...)
			if strings.Contains(out, "[command options]") {
				t.Errorf("%s --help says [command options], not [flags]:\n%s", name, out)
			}
			visit(c.Subcommands, name)
		}
	}
	visit(app.Commands, "meshlint")
	if placeholder := placeholderOf(cli.VersionFlag.(*cli.BoolFlag).Usage); placeholder != "" {
		t.Errorf("--version shows a placeholder %q", placeholder)
	}
}

// placeholderOf is what urfave/cli shows as a flag's value: the first
// `quoted` word of its usage.
func placeholderOf(usage string) string {
	if m := regexp.MustCompile("`([^`]*)`").FindStringSubmatch(usage); m != nil {
		return m[1]
	}
	return ""
}

// TestErrorsNameTheFlag: a bad value names the flag (spelt as the help
// spells it) or the file it came from.
func TestErrorsNameTheFlag(t *testing.T) {
	const seed = "testdata/manifests/seed"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--enable", "MSH999", seed}, `--enable: unknown rule "MSH999"`},
		{[]string{"--disable", "nope", seed}, `--disable: unknown rule "nope"`},
		{[]string{"--severity", "nope=error", seed}, `--severity: unknown rule "nope"`},
		{[]string{"--color", "sometimes", seed}, `--color: unknown value "sometimes" (want auto, always or never)`},
		{[]string{"--policy-timeout", "5", seed}, `for flag --policy-timeout`},
		{[]string{"graph", "--bogus", seed}, "not defined: --bogus (see meshlint graph --help)"},
		{[]string{"--format", "yaml", seed}, `--format: unknown format "yaml"`},
		{[]string{"--config", "nosuch.yaml", seed}, "nosuch.yaml"},
		{[]string{"--baseline", "nosuch.json", seed}, "nosuch.json"},
		{[]string{"--policy", "nosuch-dir", seed}, "nosuch-dir"},
		{[]string{"testdata/nosuch"}, "testdata/nosuch: no such file or directory"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, errOut := runMeshlint(t, "", tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tc.want)
			}
		})
	}
}

// TestAllowRemoteSaysWhatIsFetched: the help of --allow-remote names what
// it fetches and how, and that diff --base fetches nothing itself.
func TestAllowRemoteSaysWhatIsFetched(t *testing.T) {
	_, out, _ := runMeshlint(t, "", "lint", "--help")
	for _, want := range []string{"URLs by HTTP GET", "git repositories with the git program", "diff --base REV reads REV locally"} {
		if !strings.Contains(out, want) {
			t.Errorf("--allow-remote's help lacks %q", want)
		}
	}
}
