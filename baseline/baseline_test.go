package baseline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
)

var rule = &analyzer.Rule{ID: "MSH101", Name: "netpol-peer-split"}

func finding(fp string, line int, sup *analyzer.Suppression) analyzer.Finding {
	return analyzer.Finding{
		Rule: rule, Message: "m " + fp, Fingerprint: fp, Path: "spec.x",
		Object:     &manifest.Ref{Kind: "NetworkPolicy", Namespace: "ns", Name: fp},
		Pos:        manifest.Position{File: "a.yaml", Line: line},
		Suppressed: sup,
	}
}

func TestApply(t *testing.T) {
	inSource := &analyzer.Suppression{Kind: "inSource", Reason: "meant"}
	tests := []struct {
		name     string
		recorded []string
		findings []analyzer.Finding
		want     []string // Kind of each finding's suppression, "" for none
		stats    Stats
	}{
		{"recorded are baselined, new are not", []string{"a", "b"},
			[]analyzer.Finding{finding("a", 1, nil), finding("c", 2, nil), finding("b", 3, nil)},
			[]string{"external", "", "external"}, Stats{Baselined: 2}},
		{"an entry covers one occurrence", []string{"a"},
			[]analyzer.Finding{finding("a", 1, nil), finding("a", 9, nil)},
			[]string{"external", ""}, Stats{Baselined: 1}},
		{"fixed findings leave stale entries", []string{"a", "gone", "gone"},
			[]analyzer.Finding{finding("a", 1, nil)},
			[]string{"external"}, Stats{Baselined: 1, Stale: 2}},
		{"in-source suppression keeps its reason and its entry", []string{"a"},
			[]analyzer.Finding{finding("a", 1, inSource)},
			[]string{"inSource"}, Stats{}},
		{"active findings take entries before suppressed ones", []string{"a"},
			[]analyzer.Finding{finding("a", 1, inSource), finding("a", 2, nil)},
			[]string{"inSource", "external"}, Stats{Baselined: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &File{Version: Version}
			for _, fp := range tt.recorded {
				b.Findings = append(b.Findings, Entry{Fingerprint: fp})
			}
			st := b.Apply(tt.findings)
			if st != tt.stats {
				t.Errorf("stats = %+v, want %+v", st, tt.stats)
			}
			for i, f := range tt.findings {
				got := ""
				if f.Suppressed != nil {
					got = f.Suppressed.Kind
				}
				if got != tt.want[i] {
					t.Errorf("finding %d (%s): suppression %q, want %q", i, f.Fingerprint, got, tt.want[i])
				}
				if got == "external" && f.Suppressed.Reason != Reason {
					t.Errorf("finding %d: reason %q, want %q", i, f.Suppressed.Reason, Reason)
				}
			}
		})
	}
}

// A baseline written after lines moved is the same file.
func TestNewIgnoresLinesAndSuppressed(t *testing.T) {
	var before, after bytes.Buffer
	if err := New([]analyzer.Finding{finding("a", 1, nil), finding("b", 5, nil)}).Write(&before); err != nil {
		t.Fatal(err)
	}
	shifted := []analyzer.Finding{finding("b", 2, nil), finding("a", 7, nil), finding("s", 8, &analyzer.Suppression{Kind: "inSource", Reason: "r"})}
	if err := New(shifted).Write(&after); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Errorf("baseline changed with lines:\n%s\nvs\n%s", before.String(), after.String())
	}
	if strings.Contains(after.String(), `"s"`) {
		t.Error("a finding suppressed in the manifests was recorded")
	}
	b, err := Parse("b.json", after.Bytes())
	if err != nil || len(b.Findings) != 2 || b.Findings[0].Object != "NetworkPolicy ns/a" {
		t.Errorf("round trip: %+v, %v", b, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"syntax", "{\"version\": 1,\n \"findings\": [\n  {\"fingerprint\": \"a\",}]}", "b.json:3:23: baseline does not parse"},
		{"type", "{\"version\": 1,\n \"findings\": {}}", "b.json:2:14: baseline field findings"},
		{"unknown field", "{\"version\": 1, \"findigns\": []}", `b.json: baseline does not parse: json: unknown field "findigns"`},
		{"version", `{"version": 3, "findings": []}`, "b.json: baseline version 3, want 2"},
		{"no fingerprint", `{"version": 1, "findings": [{"rule": "MSH101"}]}`, "b.json: finding 1 has no fingerprint"},
		{"empty", "", "b.json: baseline is empty"},
		{"trailing", `{"version": 1, "findings": []} {}`, "b.json:1:32: unexpected content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.json", []byte(tt.data))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to start with %q", err, tt.want)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.json"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v", err)
	}
	p := filepath.Join(t.TempDir(), "b.json")
	if err := New(nil).Save(p); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	if b, err := Load(p); err != nil || len(b.Findings) != 0 || !strings.Contains(string(data), `"findings": []`) {
		t.Errorf("empty baseline: %s, %v", data, err)
	}
}

// A version 1 baseline (its fingerprints hashed the message) still applies:
// by the old fingerprint, or, when a finding is worded anew, by its rule,
// object and field.
func TestVersion1Applies(t *testing.T) {
	a, b, c := finding("a", 1, nil), finding("b", 2, nil), finding("c", 3, nil)
	oldB := b
	oldB.Message = "old wording"
	entry := func(f analyzer.Finding) string {
		return fmt.Sprintf(`{"fingerprint": %q, "rule": %q, "object": %q, "path": %q, "message": %q}`,
			analyzer.LegacyFingerprint(&f), f.Rule.ID, f.Object.String(), f.Path, f.Message)
	}
	gone := finding("gone", 4, nil)
	data := `{"version": 1, "findings": [` + entry(a) + `, ` + entry(oldB) + `, ` + entry(gone) + `]}`
	base, err := Parse("old.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	fs := []analyzer.Finding{a, b, c}
	st := base.Apply(fs)
	if st != (Stats{Baselined: 2, Stale: 1}) {
		t.Errorf("stats %+v, want 2 baselined and the gone one stale", st)
	}
	if fs[0].Suppressed == nil || fs[1].Suppressed == nil || fs[2].Suppressed != nil {
		t.Errorf("suppressed: %v %v %v", fs[0].Suppressed, fs[1].Suppressed, fs[2].Suppressed)
	}
}
