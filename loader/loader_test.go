package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/manifest"
)

const goodPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
`

// writeTree creates files under a temporary directory; a value starting with
// "->" makes a symlink to that target instead.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBadInput(t *testing.T) {
	aliasBomb := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		aliasBomb += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	aliasBomb = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  " + strings.ReplaceAll(strings.TrimSpace(aliasBomb), "\n", "\n  ") + "\n"

	tests := []struct {
		name     string
		files    map[string]string
		problems []string // "file:line: substring"
		objects  int      // objects loaded in all, the good file's included
		skipped  int
	}{
		{
			name:     "unparseable YAML keeps the other documents",
			files:    map[string]string{"bad.yaml": goodPolicy + "---\nkind: [unclosed\n---\n" + strings.Replace(goodPolicy, "deny-all", "second", 1)},
			problems: []string{"bad.yaml:9: YAML does not parse"},
			objects:  3,
		},
		{
			name:     "binary file named .yaml that looks like a manifest",
			files:    map[string]string{"blob.yaml": "\x00\x01\x02ELF\x00\nkind: x"},
			problems: []string{"blob.yaml:1: binary"},
			objects:  1,
		},
		{
			// Found while walking and nothing like a manifest: data.
			name:    "binary file named .yaml",
			files:   map[string]string{"blob.yaml": "\x00\x01\x02ELF\x00"},
			objects: 1,
			skipped: 1,
		},
		{
			name:    "a data file that does not parse",
			files:   map[string]string{"src/ratings_data.json": "{rating: 5}\n{rating: 4}\n"},
			objects: 1,
			skipped: 2, // each document
		},
		{
			name:    "a Helm chart is rendered, its Chart.yaml is not a manifest",
			files:   map[string]string{"chart/Chart.yaml": "apiVersion: v2\nname: tags\nversion: 1.1.0\n"},
			objects: 1,
		},
		{
			name:     "invalid UTF-8",
			files:    map[string]string{"latin1.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n"},
			problems: []string{"latin1.yaml:4: not valid UTF-8"},
			objects:  1,
		},
		{
			name:     "alias bomb",
			files:    map[string]string{"bomb.yaml": aliasBomb},
			problems: []string{"bomb.yaml:1: alias"},
			objects:  1,
		},
		{
			name:    "empty file",
			files:   map[string]string{"empty.yaml": ""},
			objects: 1,
		},
		{
			name:    "only comments",
			files:   map[string]string{"comments.yaml": "# nothing here\n---\n# nor here\n"},
			objects: 1,
		},
		{
			name:    "symlink loop",
			files:   map[string]string{"sub/loop": "->..", "sub/x.yaml": strings.Replace(goodPolicy, "deny-all", "x", 1)},
			objects: 2,
		},
		{
			name:    "documents that are not Kubernetes are skipped and counted",
			files:   map[string]string{"values.yaml": "replicas: 3\n---\n- a\n- b\n", "data.json": `{"hello": "world"}`},
			objects: 1,
			skipped: 3,
		},
		{
			name:     "kind without apiVersion, and no name",
			files:    map[string]string{"half.yaml": "kind: Service\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n"},
			problems: []string{"half.yaml:1: has kind but no apiVersion", "half.yaml:7: has no metadata.name"},
			objects:  1,
		},
		{
			// ObjectMeta decodes strictly: kubectl apply refuses these.
			name: "metadata the API server refuses",
			files: map[string]string{"meta.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    version: 1\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata:\n  name: {x: 1}\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata:\n  name: c\n  annotations: [x]\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata: [x]\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata:\n  name: e\n  labels:\n    on: true\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata:\n  name: ok\n  labels:\n    version: \"1\"\n    empty:\n  annotations: null\n"},
			problems: []string{
				`meta.yaml:6: metadata.labels.version is a number (1), not a string, so Kubernetes refuses the object; quote it: "1"`,
				"meta.yaml:11: metadata.name is a mapping, not a string",
				"meta.yaml:17: metadata.annotations is a list, not a mapping of strings",
				"meta.yaml:21: metadata is a list, not a mapping",
				`meta.yaml:28: metadata.labels.on is a boolean (true), not a string, so Kubernetes refuses the object; quote it: "true"`,
			},
			objects: 2,
		},
		{
			name:    "an IstioOperator needs no name",
			files:   map[string]string{"iop.yaml": "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: demo\n"},
			objects: 2,
		},
		{
			name:    "kind: List is expanded",
			files:   map[string]string{"list.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: b\n"},
			objects: 3,
		},
		{
			name:    "items of a typed list take its apiVersion and kind",
			files:   map[string]string{"pods.json": `{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "p", "namespace": "a"}}, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}}]}`},
			objects: 3,
		},
		{
			name:    "a typed list of another group",
			files:   map[string]string{"netpols.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems:\n- metadata:\n    name: a\n  spec:\n    podSelector: {}\n"},
			objects: 2,
		},
		{
			name:    "JSON manifests",
			files:   map[string]string{"ns.json": `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "from-json"}}`},
			objects: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["good.yaml"] = goodPolicy
			dir := writeTree(t, tc.files)
			done := make(chan struct{})
			var res *Result
			var err error
			go func() {
				defer close(done)
				res, err = Load([]string{dir}, Options{WorkDir: dir})
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Load hangs")
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Problems {
				got = append(got, p.Pos.File+":"+strconv.Itoa(p.Pos.Line)+": "+p.Message)
			}
			if len(got) != len(tc.problems) {
				t.Fatalf("problems = %q, want %d like %q", got, len(tc.problems), tc.problems)
			}
			for i, want := range tc.problems {
				prefix, sub, _ := strings.Cut(want, ": ")
				if !strings.HasPrefix(got[i], prefix+": ") || !strings.Contains(got[i], sub) {
					t.Errorf("problem %d = %q, want %q", i, got[i], want)
				}
			}
			if len(res.Objects) != tc.objects {
				t.Errorf("objects = %d, want %d", len(res.Objects), tc.objects)
			}
			if res.Skipped != tc.skipped {
				t.Errorf("skipped = %d, want %d", res.Skipped, tc.skipped)
			}
			if res.Files < 2 && tc.name != "symlink loop" {
				t.Errorf("files = %d: the bad file must be counted", res.Files)
			}
		})
	}
}

// Named on the command line, a file is read as a manifest whatever it holds.
func TestNamedFileIsAlwaysAManifest(t *testing.T) {
	dir := writeTree(t, map[string]string{"blob.yaml": "\x00\x01", "data.json": "{rating: 5}\n{rating: 4}\n", "Chart.yaml": "apiVersion: v2\nname: x\n"})
	res, err := Load([]string{filepath.Join(dir, "blob.yaml"), filepath.Join(dir, "data.json"), filepath.Join(dir, "Chart.yaml")}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 3 || res.Skipped != 1 {
		t.Errorf("problems %v, skipped %d; want one problem per file (and data.json's first document skipped)", res.Problems, res.Skipped)
	}
}

func TestMissingPathIsAnError(t *testing.T) {
	_, err := Load([]string{filepath.Join(t.TempDir(), "nope")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("err = %v, want no such file", err)
	}
}

func TestStdinAndLineNumbersAcrossDocuments(t *testing.T) {
	in := "# header\n" + goodPolicy + "---\n\n" + strings.Replace(goodPolicy, "deny-all", "second", 1)
	res, err := Load([]string{"-"}, Options{Stdin: strings.NewReader(in)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 2 {
		t.Fatalf("objects = %d", len(res.Objects))
	}
	second := res.Objects[1]
	if second.File != StdinName {
		t.Errorf("file = %q", second.File)
	}
	// The second document's podSelector is on line 17 of the stream.
	if pos := second.Position("spec.podSelector"); pos.Line != 17 || pos.Column != 3 {
		t.Errorf("spec.podSelector at %v, want line 17 column 3", pos)
	}
}

func TestDefaultNamespace(t *testing.T) {
	in := "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n"
	res, err := Load([]string{"-"}, Options{Stdin: strings.NewReader(in), DefaultNamespace: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	if ns := res.Objects[0].Namespace; ns != "shop" {
		t.Errorf("service namespace = %q, want shop", ns)
	}
	if ns := res.Objects[1].Namespace; ns != "" {
		t.Errorf("a Namespace is cluster-scoped, got namespace %q", ns)
	}
}

// A large document is no alias bomb: only nodes reached through aliases
// count against the guard (here 20,000 objects of 65 nodes, 1.3 million
// nodes in all, and no alias).
func TestLargeListIsNoAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	const items = 20000
	for i := 0; i < items; i++ {
		fmt.Fprintf(&b, "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-%d\n    namespace: ns-%d\n    labels: {app: a%d, tier: backend}\n  data:\n", i, i%10, i)
		for k := 0; k < 18; k++ {
			fmt.Fprintf(&b, "    key%02d: value%d\n", k, i)
		}
	}
	res, err := Load([]string{"-"}, Options{Stdin: strings.NewReader(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("problem: %s: %s", p.Pos, p.Message)
	}
	if len(res.Objects) != items {
		t.Fatalf("loaded %d objects, want %d", len(res.Objects), items)
	}
	if got := res.Objects[items-1].Name; got != fmt.Sprintf("cm-%d", items-1) {
		t.Errorf("last object is %s", got)
	}
	if _, err := manifest.NodeValue(res.Objects[0].Node); err != nil {
		t.Errorf("NodeValue: %v", err)
	}
}

// A real alias bomb is still refused, at its file and line, with the
// other documents of the file kept; so is an anchor that holds an alias of
// itself.
func TestAliasBombIsRefused(t *testing.T) {
	bomb := "lol0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i <= 7; i++ {
		bomb += fmt.Sprintf("lol%d: &a%d [%s*a%d]\n", i, i, strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), i-1)
	}
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  " + strings.ReplaceAll(strings.TrimSpace(bomb), "\n", "\n  ") + "\n"
	self := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: self\ndata: &d\n  again: *d\n"
	good := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n"
	in := good + "---\n" + doc + "---\n" + self
	res, err := Load([]string{"-"}, Options{Stdin: strings.NewReader(in)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, fmt.Sprintf("%s: %s", p.Pos, p.Message))
	}
	want := []string{
		"<stdin>:6:1: " + manifest.ErrAliasBomb.Error(),
		"<stdin>:20:1: " + manifest.ErrAliasBomb.Error(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Objects) != 1 || res.Objects[0].Name != "good" {
		t.Errorf("objects: %v", res.Objects)
	}
}
