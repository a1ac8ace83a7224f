package helm

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/manifest"
)

// Each literal key of a template is found at its line, at the nesting its
// indentation gives, whatever the layout.
func TestIndexTemplate(t *testing.T) {
	text := strings.Join([]string{
		/* 1 */ `{{- if .Values.enabled }}`,
		/* 2 */ `apiVersion: v1`,
		/* 3 */ `kind: Service`,
		/* 4 */ `metadata:`,
		/* 5 */ `  name: {{ .Values.name }}`,
		/* 6 */ `  annotations:`,
		/* 7 */ `    note: |`,
		/* 8 */ `      port: not a key`,
		/* 9 */ `    "quoted.key/x": "y"`,
		/* 10 */ `spec:`,
		/* 11 */ `  ports:`,
		/* 12 */ `  - name: http`,
		/* 13 */ `    port: 80`,
		/* 14 */ `  - name: grpc`,
		/* 15 */ `    port: {{ .Values.grpc }}`,
		/* 16 */ `  selector:`,
		/* 17 */ `    {{- toYaml .Values.selector | nindent 4 }}`,
		/* 18 */ `  items:`,
		/* 19 */ `    - - nested: true`,
		/* 20 */ `{{- end }}`,
		/* 21 */ `---`,
		/* 22 */ `# second`,
		/* 23 */ `apiVersion: v1`,
		/* 24 */ `kind: ConfigMap`,
	}, "\n")
	idx := indexTemplate(text, nil)
	if len(idx.docs) != 2 {
		t.Fatalf("%d documents, want 2", len(idx.docs))
	}
	d := idx.docs[0]
	if d.object != 2 || d.kind != "Service" || idx.docs[1].object != 23 || idx.docs[1].kind != "ConfigMap" {
		t.Errorf("documents start at %d (%s) and %d (%s)", d.object, d.kind, idx.docs[1].object, idx.docs[1].kind)
	}
	for _, c := range []struct {
		path []string
		line int
	}{
		{[]string{"metadata", "name"}, 5},
		{[]string{"metadata", "annotations", "note"}, 7},
		{[]string{"metadata", "annotations", "quoted.key/x"}, 9},
		{[]string{"spec", "ports", itemSeg(0)}, 12},
		{[]string{"spec", "ports", itemSeg(0), "name"}, 12},
		{[]string{"spec", "ports", itemSeg(1), "port"}, 15},
		{[]string{"spec", "selector"}, 16},
		{[]string{"spec", "items", itemSeg(0), itemSeg(0), "nested"}, 19},
	} {
		key := ""
		for _, s := range c.path {
			key = pathKey(key, s)
		}
		e, ok := d.entries[key]
		if !ok || e.line != c.line {
			t.Errorf("%q: line %v, want %d", strings.Join(c.path, "."), e, c.line)
		}
	}
	if _, ok := d.entries[pathKey(pathKey(pathKey("metadata", "annotations"), "note"), "port")]; ok {
		t.Error("a line of a block scalar was read as a key")
	}
	if got := d.entries[pathKey("spec", "selector")].refs; len(got) != 1 || strings.Join(got[0], ".") != "selector" {
		t.Errorf("values under selector: %v", got)
	}
	level := indexTemplate("metadata:\n  annotations:\n  {{- toYaml .Values.ann | nindent 4 }}\n  name: x\n  {{- include \"more\" .Values.more | nindent 2 }}\n", nil)
	if got := level.docs[0].entries[pathKey("metadata", "annotations")].refs; len(got) != 1 || got[0][0] != "ann" {
		t.Errorf("an action level with a key whose value is below writes that value: %v", got)
	}
	if got := level.docs[0].entries[pathKey("metadata", "name")].refs; len(got) != 0 {
		t.Errorf("an action level with a key that has its value writes a sibling, yet: %v", got)
	}
}

// The values an action writes out, in the scope of the with and range
// around it; those an if, with or range reads are not written.
func TestScopes(t *testing.T) {
	var sc scopes
	for _, c := range []struct {
		line string
		want string
	}{
		{`{{- if .Values.enabled }}{{ .Values.a.b | quote }}`, "a.b"},
		{`{{- with .Values.sel }}`, ""},
		{`  matchLabels: {{- toYaml . | nindent 4 }}`, "sel"},
		{`  port: {{ .port }} {{ $.Values.other }} {{ $.Release.Name }}`, "sel.port other"},
		{`{{- range .ports }}`, ""},
		{`  - {{ .name }} {{ . }}`, ""},
		{`{{- end }}`, ""},
		{`{{- with .Values.sel.inner }}{{ .x }}{{ end }}{{ .y }}`, "sel.inner.x sel.y"},
		{`{{- end }}{{ .z }}`, ""},
		{`{{- end }}{{ .Values.top }}`, "top"},
	} {
		var got []string
		for _, r := range sc.scan(c.line) {
			got = append(got, strings.Join(r, "."))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %v, want %q", c.line, got, c.want)
		}
	}
}

// A rendered object's fields land on the template's lines; fields an
// action writes land on the key above them, with the values behind them.
func TestPlaceFixture(t *testing.T) {
	broken, err := filepath.Abs(filepath.Join(shop, "values-broken-peer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := render(t, shop, Options{Values: []ValuesSource{{File: broken}}})
	var doc Doc
	for _, d := range r.Docs {
		if strings.Contains(d.Content, "kind: NetworkPolicy") && strings.Contains(d.Content, "name: cart") {
			doc = d
		}
	}
	root := parse(t, doc.Content)
	placed := r.Place(doc, root)
	if filepath.Base(placed.File) != "networkpolicy.yaml" {
		t.Errorf("placed in %s", placed.File)
	}
	obj := &manifest.Object{Node: root, File: "np.yaml"}
	for _, c := range []struct {
		path string
		line int
	}{
		{"", 3},
		{"metadata.name", 6},
		{`metadata.labels["app.kubernetes.io/managed-by"]`, 7}, // from _helpers.tpl: the labels key
		{"spec.ingress[0].from[0].podSelector", 17},
		{"spec.ingress[0].from[0].podSelector.matchLabels.app", 18},
		{"spec.ingress[0].ports[0].port", 21},
	} {
		if got := obj.Position(c.path).Line; got != c.line {
			t.Errorf("%s at line %d, want %d", c.path, got, c.line)
		}
	}
	app := obj.Lookup("spec.ingress[0].from[0].podSelector.matchLabels.app")
	refs := placed.Values[app]
	if len(refs) != 1 || refs[0].Key != "networkPolicy.allowFrom.app" || refs[0].Pos.File != broken || refs[0].Pos.Line != 5 {
		t.Errorf("values behind the peer's label: %+v", refs)
	}
	port := obj.Lookup("spec.ingress[0].ports[0].port")
	if refs := placed.Values[port]; len(refs) != 1 || refs[0].Key != "cart.port" || filepath.Base(refs[0].Pos.File) != "values.yaml" {
		t.Errorf("values behind the port: %+v", refs)
	}
}

// Objects a range writes from one template document all land on it.
func TestPlaceRange(t *testing.T) {
	r := render(t, shop, Options{})
	for _, d := range r.Docs {
		if !strings.HasSuffix(d.Template, "serviceaccounts.yaml") {
			continue
		}
		root := parse(t, d.Content)
		r.Place(d, root)
		if root.Line != 3 {
			t.Errorf("service account %d at line %d, want 3", d.Index, root.Line)
		}
	}
}

func parse(t *testing.T, content string) *manifest.Node { return parseDoc(t, content) }

func parseDoc(t testing.TB, content string) *manifest.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader([]byte(content))).Decode(&doc); errors.Is(err, io.EOF) {
		return nil // only comments
	} else if err != nil {
		t.Fatal(err)
	}
	return manifest.FromYAML(&doc, 0)
}

// parseFuzz parses a rendered document, nil when it is not one node.
func parseFuzz(content string) *manifest.Node {
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader([]byte(content))).Decode(&doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	return manifest.FromYAML(&doc, 0)
}
