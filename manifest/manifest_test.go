package manifest

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	yaml "go.yaml.in/yaml/v3"
)

func parse(t *testing.T, text string) *Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return FromYAML(&doc, 0)
}

func TestPaths(t *testing.T) {
	tests := []struct {
		path string
		segs []Segment
	}{
		{"spec.ingress[0].from[1]", []Segment{{Key: "spec"}, {Key: "ingress"}, {Index: 0, IsIdx: true}, {Key: "from"}, {Index: 1, IsIdx: true}}},
		{`metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"]`, []Segment{{Key: "metadata"}, {Key: "annotations"}, {Key: "traffic.sidecar.istio.io/excludeInboundPorts"}}},
		{`a["x]y"].b`, []Segment{{Key: "a"}, {Key: "x]y"}, {Key: "b"}}},
	}
	for _, tc := range tests {
		got, err := ParsePath(tc.path)
		if err != nil || !reflect.DeepEqual(got, tc.segs) {
			t.Errorf("ParsePath(%q) = %v, %v; want %v", tc.path, got, err, tc.segs)
		}
		if back := FormatPath(got); back != tc.path {
			t.Errorf("FormatPath(ParsePath(%q)) = %q", tc.path, back)
		}
	}
	for _, bad := range []string{"a[", "a[x]", `a["x]`} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) accepted a malformed path", bad)
		}
	}
}

func TestPosition(t *testing.T) {
	o := &Object{File: "f.yaml", Node: parse(t, `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
      targetPort: http
`)}
	tests := []struct {
		path      string
		line, col int
	}{
		{"", 1, 1},
		{"spec.ports[0].targetPort", 8, 7},
		{"spec.ports[0]", 7, 7},
		{"spec.ports[3].port", 6, 3}, // missing: the deepest field that exists
		{"spec.selector", 5, 1},
	}
	for _, tc := range tests {
		if p := o.Position(tc.path); p.Line != tc.line || p.Column != tc.col {
			t.Errorf("Position(%q) = %d:%d, want %d:%d", tc.path, p.Line, p.Column, tc.line, tc.col)
		}
	}
}

func TestFromYAML(t *testing.T) {
	n := parse(t, `# head
base: &b {x: 1}   # line
copy: *b
merged:
  <<: *b
  y: 2
tagged: !Custom text
n: "08"
`)
	if got := n.Content()[0].Comments().Head; got != "# head" {
		t.Errorf("head comment = %q", got)
	}
	if got := n.Content()[1].Comments().Line; got != "# line" {
		t.Errorf("line comment = %q", got)
	}
	// The alias shares the anchor's node.
	if MapGet(n, "copy") != MapGet(n, "base") {
		t.Error("an alias must share its anchor's node")
	}
	v, err := NodeValue(n)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"base":   map[string]any{"x": int64(1)},
		"copy":   map[string]any{"x": int64(1)},
		"merged": map[string]any{"x": int64(1), "y": int64(2)},
		"tagged": "text",
		"n":      "08",
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("NodeValue = %#v\nwant %#v", v, want)
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	text := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range strings.Split("bcdefgh", "") {
		text += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	if AliasExpansion(&doc, MaxExpandedNodes) <= MaxExpandedNodes {
		t.Fatal("a document of 10^8 nodes is not seen as too large")
	}
	if _, err := NodeValue(FromYAML(&doc, 0)); err != ErrAliasBomb {
		t.Errorf("NodeValue = %v, want ErrAliasBomb", err)
	}
}

func TestAliasExpansionCountsAliasesOnly(t *testing.T) {
	big := "items:\n" + strings.Repeat("- {a: 1, b: [2, 3]}\n", 200000) // 1.6 million nodes, no alias
	for _, tc := range []struct {
		name, text string
		want       int
	}{
		{"no alias", "a: {b: [1, 2]}\nc: d\n", 0},
		{"large, no alias", big, 0},
		{"one alias of a mapping of 5 nodes", "a: &x {b: [1, 2]}\nc: *x\n", 5},
		{"two aliases", "a: &x [1, 2]\nb: *x\nc: *x\n", 6},
		{"an alias within an alias's anchor expands too", "a: &x [1]\nb: &y [*x, *x]\nc: *y\n", 2 + 2 + 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.text), &doc); err != nil {
				t.Fatal(err)
			}
			if got := AliasExpansion(&doc, MaxExpandedNodes); got != tc.want {
				t.Errorf("AliasExpansion = %d, want %d", got, tc.want)
			}
			if _, err := NodeValue(FromYAML(&doc, 0)); err != nil {
				t.Errorf("NodeValue: %v", err)
			}
		})
	}
}

// The node is what a lint's memory is made of: over half a million of them
// for 10,000 objects.
func TestNodeIsCompact(t *testing.T) {
	if size := unsafe.Sizeof(Node{}); size != 24 {
		t.Errorf("a Node takes %d bytes, want 24", size)
	}
}

func TestNodeSetters(t *testing.T) {
	n := NewScalar("a", 1, 2)
	if n.Value() != "a" || n.Content() != nil {
		t.Fatalf("scalar: %q %v", n.Value(), n.Content())
	}
	n.SetComments(Comments{Line: "# x"})
	c := *n // copies share nothing they can change
	c.SetValue("b")
	if n.Value() != "a" || c.Value() != "b" || c.Comments().Line != "# x" {
		t.Errorf("after SetValue on a copy: %q %q %q", n.Value(), c.Value(), c.Comments().Line)
	}
	m := &Node{Kind: MappingNode}
	kids := []*Node{NewScalar("k", 1, 1), NewScalar("v", 1, 4)}
	m.SetContent(kids)
	if got := m.Content(); len(got) != 2 || got[1].Value() != "v" || m.Value() != "" {
		t.Fatalf("mapping: %v %q", got, m.Value())
	}
	m.SetContent(nil)
	if m.Content() != nil {
		t.Errorf("emptied mapping: %v", m.Content())
	}
	long := strings.Repeat("x", 1000)
	n.SetValue(long)
	if n.Value() != long || n.Comments().Line != "# x" {
		t.Errorf("long value lost")
	}
	n.SetComments(Comments{})
	if n.Comments() != (Comments{}) || n.Value() != long {
		t.Errorf("cleared comments: %+v %d", n.Comments(), len(n.Value()))
	}
}
