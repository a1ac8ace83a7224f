package suppress_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/suppress"
)

// scenario fires MSH101 and MSH104 twice on each of two NetworkPolicies (a
// and b), and MSH401 and MSH404 on a ServiceRole. Placeholders take the suppressions
// under test; only a's are ever written, so b is the control.
const scenario = `apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: store}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: a
  namespace: shop
  annotations:
    team: shop{{ANNOTATION}}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
    - podSelector: {matchLabels: {app: cart}}{{LINE}}
  - from:
    - namespaceSelector: {}{{HEAD}}
    - podSelector: {matchLabels: {app: cart}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: b
  namespace: shop
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
    - podSelector: {matchLabels: {app: cart}}
  - from:
    - namespaceSelector: {}
    - podSelector: {matchLabels: {app: cart}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: reader, namespace: shop}
spec:
  rules: [{services: ["*"], methods: ["GET"]}]
`

func TestEachMechanismSuppressesExactlyWhatItNames(t *testing.T) {
	annotation := func(kv string) map[string]string { return map[string]string{"ANNOTATION": "\n    " + kv} }
	tests := []struct {
		name   string
		edits  map[string]string
		strict bool
		want   []string // suppressed findings: "RULE peer reason", peers A1 and A2 of policy a
	}{
		{"nothing written", nil, false, nil},
		{"annotation by ID", annotation(`ignore-check.meshlint.io/MSH101: "the OR is meant"`), false, []string{
			"MSH101 A1 the OR is meant", "MSH101 A2 the OR is meant"}},
		{"annotation by name", annotation(`ignore-check.meshlint.io/netpol-podselector-wrong-namespace: "cart moves here"`), false, []string{
			"MSH104 A1 cart moves here", "MSH104 A2 cart moves here"}},
		{"ignore-all", annotation(`meshlint.io/ignore-all: "being rewritten"`), false, []string{
			"MSH101 A1 being rewritten", "MSH101 A2 being rewritten",
			"MSH104 A1 being rewritten", "MSH104 A2 being rewritten"}},
		{"line comment", map[string]string{"LINE": "  # meshlint:ignore MSH101 scraped from everywhere"}, false, []string{
			"MSH101 A1 scraped from everywhere"}},
		{"head comment", map[string]string{"HEAD": "\n    # meshlint:ignore MSH104 cart moves here"}, false, []string{
			"MSH104 A2 cart moves here"}},
		{"head comment, two rules", map[string]string{"HEAD": "\n    # meshlint:ignore MSH101,netpol-podselector-wrong-namespace -- both meant"}, false, []string{
			"MSH101 A2 both meant", "MSH104 A2 both meant"}},
		{"comment parted by a blank line", map[string]string{"HEAD": "\n    # meshlint:ignore MSH104 cart moves here\n"}, false, nil},
		{"comment naming an unknown rule", map[string]string{"LINE": "  # meshlint:ignore MSH1O1 typo"}, false, nil},
		{"comment outranks annotation", map[string]string{
			"ANNOTATION": "\n    meshlint.io/ignore-all: \"broad\"\n    ignore-check.meshlint.io/MSH101: \"named\"",
			"LINE":       "  # meshlint:ignore MSH101 precise"}, false, []string{
			"MSH101 A1 precise", "MSH101 A2 named",
			"MSH104 A1 broad", "MSH104 A2 broad"}},
		{"strict ignores them all", map[string]string{
			"ANNOTATION": "\n    meshlint.io/ignore-all: \"broad\"",
			"LINE":       "  # meshlint:ignore MSH101 precise"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, peers := lintScenario(t, tt.edits, tt.strict)
			var got []string
			total := 0
			for _, f := range res.Findings {
				switch f.Rule.ID {
				case "MSH006", "MSH007":
					if f.Suppressed != nil {
						t.Errorf("%s suppressed: a suppression silenced the note about itself", f.Rule.ID)
					}
					continue
				}
				total++
				if f.Suppressed == nil {
					continue
				}
				if f.Suppressed.Kind != "inSource" {
					t.Errorf("kind %q, want inSource", f.Suppressed.Kind)
				}
				peer := peers[f.Pos.Line]
				if f.Object.Name != "a" {
					peer = fmt.Sprintf("%s:%d", f.Object.Name, f.Pos.Line)
				}
				got = append(got, fmt.Sprintf("%s %s %s", f.Rule.ID, peer, f.Suppressed.Reason))
			}
			// Nothing is dropped: 2 rules x 2 peers x 2 policies, and 2 on the role.
			if total != 10 {
				t.Errorf("%d findings, want 10 whatever is suppressed", total)
			}
			sort.Strings(got)
			sort.Strings(tt.want)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("suppressed:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// lintScenario lints the scenario with edits made, and returns the lines of
// a's podSelector peers, A1 and A2, where its findings are.
func lintScenario(t *testing.T, edits map[string]string, strict bool) (*lint.Result, map[int]string) {
	t.Helper()
	text := scenario
	for _, ph := range []string{"ANNOTATION", "LINE", "HEAD"} {
		text = strings.ReplaceAll(text, "{{"+ph+"}}", edits[ph])
	}
	peers := map[int]string{}
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "    - podSelector:") && len(peers) < 2 {
			peers[i+1] = fmt.Sprintf("A%d", len(peers)+1)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only the rules the scenario is about: rules added later must not change it.
	res, err := lint.Run(lint.Options{Paths: []string{dir}, WorkDir: dir, Strict: strict,
		Enable: []string{"MSH101", "MSH104", "MSH401", "MSH404", "MSH006", "MSH007"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Object != nil && f.Object.Name == "a" && peers[f.Pos.Line] == "" {
			t.Fatalf("finding of a at line %d, on neither peer (%v): the scenario changed", f.Pos.Line, peers)
		}
	}
	return res, peers
}

// kustomize drops comments; the loader carries them over from the source.
func TestCommentInKustomization(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"kustomization.yaml": "resources: [np.yaml]\nnamePrefix: p-\n",
		"np.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
    # meshlint:ignore MSH101 scraped from everywhere
    - podSelector: {matchLabels: {app: web}}
  - from:
    - namespaceSelector: {}
    - podSelector: {matchLabels: {app: web}}
`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := lint.Run(lint.Options{Paths: []string{dir}, WorkDir: dir, Enable: []string{"MSH101"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Rule.ID == "MSH101" {
			got = append(got, fmt.Sprintf("%s:%d %v", f.Pos.File, f.Pos.Line, f.Suppressed != nil))
		}
	}
	want := []string{"np.yaml:10 true", "np.yaml:13 false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MSH101 findings (file:line suppressed) = %v, want %v", got, want)
	}
}

func TestParseComment(t *testing.T) {
	tests := []struct {
		line   string
		ok     bool
		rules  []string
		reason string
	}{
		{"# meshlint:ignore MSH101 the OR is meant", true, []string{"MSH101"}, "the OR is meant"},
		{"#meshlint:ignore MSH101,netpol-peer-split -- both", true, []string{"MSH101", "netpol-peer-split"}, "both"},
		{"# meshlint:ignore MSH101: because", true, []string{"MSH101"}, "because"},
		{"# meshlint:ignore MSH101", true, []string{"MSH101"}, ""},
		{"# meshlint:ignore", true, nil, ""},
		{"# meshlint:ignored MSH101 x", false, nil, ""},
		{"# see meshlint:ignore MSH101 x", false, nil, ""},
		{"# an ordinary comment", false, nil, ""},
	}
	for _, tt := range tests {
		rules, reason, ok := suppress.ParseComment(tt.line)
		if ok != tt.ok || !reflect.DeepEqual(rules, tt.rules) || reason != tt.reason {
			t.Errorf("ParseComment(%q) = %q, %q, %v; want %q, %q, %v", tt.line, rules, reason, ok, tt.rules, tt.reason, tt.ok)
		}
	}
}

// Findings already suppressed (by an earlier stage) keep their suppression.
func TestApplyKeepsEarlierSuppressions(t *testing.T) {
	res, _ := lintScenario(t, map[string]string{"ANNOTATION": "\n    meshlint.io/ignore-all: \"broad\""}, true)
	earlier := &analyzer.Suppression{Kind: "external", Reason: "earlier"}
	for i := range res.Findings {
		res.Findings[i].Suppressed = earlier
	}
	suppress.Apply(res.Model, res.Findings)
	for _, f := range res.Findings {
		if f.Suppressed != earlier {
			t.Fatalf("%s: suppression replaced by %+v", f.Rule.ID, f.Suppressed)
		}
	}
}
