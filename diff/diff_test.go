package diff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/model"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func build(t testing.TB, dir string) []Env {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Files show relative to the version's own directory, alike in both.
	res, err := lint.Build(lint.Options{Paths: []string{abs}, WorkDir: abs,
		Settings: model.Settings{DefaultNamespace: "default", TrustDomain: "cluster.local", RootNamespace: "istio-system", IstiodNamespace: "istio-system"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Loaded.Problems) > 0 {
		t.Fatalf("%s does not load: %v", dir, res.Loaded.Problems)
	}
	var out []Env
	for _, e := range res.Environments {
		out = append(out, Env{Name: e.Name, Key: e.Name, Model: e.Model})
	}
	return out
}

// scenarioDirs are the scenarios' directories (each with old/ and new/).
func scenarioDirs(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join("testdata/scenarios", e.Name()))
		}
	}
	return out
}

func compareDirs(t testing.TB, dir string) *Result {
	t.Helper()
	return Compare("old", "new", build(t, filepath.Join(dir, "old")), build(t, filepath.Join(dir, "new")), Options{})
}

// golden writes, per layer, the txt lines and under each the objects that
// changed the pair.
func golden(r *Result) string {
	var b strings.Builder
	for _, e := range r.Environments {
		for _, ld := range e.Layers {
			b.WriteString("## " + string(ld.Layer) + ": " + CountsText(ld.Counts) + "\n")
			for _, line := range TxtLines(ld) {
				b.WriteString(line + "\n")
				for _, c := range ld.Changes {
					if TxtLine(c) == line {
						for _, cause := range c.Causes {
							b.WriteString("    " + CauseText(cause) + "\n")
						}
					}
				}
			}
		}
	}
	return b.String()
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./diff -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./diff -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// The scenarios of a pull request a reviewer must understand, each pinned
// in all three layers with the objects named as the causes:
//   - authz-add-principal: an AuthorizationPolicy lets a second principal in
//     (mesh: added; effective: widened, UDP always passing);
//   - strict-mtls: a namespace's PeerAuthentication goes STRICT, closing
//     the plaintext clients (a job outside the mesh, the outside world);
//   - netpol-peer-split: a NetworkPolicy peer of namespaceSelector AND
//     podSelector split into two peers opens the whole namespace;
//   - relabel-out-of-policy: a workload relabelled out of its NetworkPolicy
//     and AuthorizationPolicy (default deny: the network closes, the mesh
//     opens).
func TestScenarios(t *testing.T) {
	dirs := scenarioDirs(t)
	if len(dirs) < 4 {
		t.Fatalf("scenarios: %v", dirs)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r := compareDirs(t, dir)
			got := golden(r)
			for _, l := range Layers {
				if r.Environments[0].Layer(l) == nil {
					t.Errorf("layer %s not compared", l)
				}
			}
			checkGolden(t, dir+".golden", got)
		})
	}
}

// The Markdown comment of one scenario is pinned whole: README.md shows it.
func TestMarkdownGolden(t *testing.T) {
	r := compareDirs(t, "testdata/scenarios/relabel-out-of-policy")
	r.Old, r.New = "main", "relabel-db"
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "testdata/relabel-out-of-policy.md", b.String())
	// README.md renders it, under a heading of its own level.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	shown := strings.Replace(strings.TrimPrefix(b.String(), Marker+"\n"), "## meshlint diff", "#### meshlint diff", 1)
	if !strings.Contains(string(readme), shown) {
		t.Error("README.md does not show testdata/relabel-out-of-policy.md as it is: copy it in again")
	}
}
