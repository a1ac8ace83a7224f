package manifest

import (
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// FuzzFromYAML checks the compact nodes against the yaml.v3 tree they are
// made from: every kind, tag, position, text, comment and child survives,
// and an alias shares its anchor's node. `go test -fuzz FuzzFromYAML
// ./manifest/` searches for more inputs.
func FuzzFromYAML(f *testing.F) {
	for _, seed := range []string{
		"a: 1\nb: [x, {y: z}]\n",
		"# head\nk: &a {x: 1} # line\nc: *a\nm:\n  <<: *a\n  y: 2\n# foot\n",
		"- !!binary aGk=\n- !custom t\n- 2001-12-14\n- ~\n- .inf\n- 0x1F\n",
		"{\"json\": [1, 2.5, true, null, \"s\"]}",
		"s: |\n  block\n  text\nf: >-\n  folded\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
			return
		}
		if AliasExpansion(&doc, 1<<12) > 1<<12 {
			return
		}
		n := FromYAML(&doc, 10)
		compare(t, doc.Content[0], n, map[*yaml.Node]*Node{})
	})
}

func compare(t *testing.T, y *yaml.Node, n *Node, anchors map[*yaml.Node]*Node) {
	t.Helper()
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return
		}
		if !n.Shared() {
			t.Fatalf("line %d: an alias's node is not marked shared", y.Line)
		}
		if a, ok := anchors[y.Alias]; ok && a != n {
			t.Fatalf("line %d: an alias does not share its anchor's node", y.Line)
		}
		y = y.Alias
	}
	if y.Anchor != "" {
		if a, ok := anchors[y]; ok {
			if a != n {
				t.Fatalf("line %d: an anchor converted twice", y.Line)
			}
			return
		}
		anchors[y] = n
	}
	want := map[yaml.Kind]Kind{yaml.MappingNode: MappingNode, yaml.SequenceNode: SequenceNode, yaml.ScalarNode: ScalarNode}[y.Kind]
	if n.Kind != want {
		t.Fatalf("line %d: kind %v, want %v", y.Line, n.Kind, want)
	}
	if int(n.Line) != y.Line+10 || int(n.Column) != y.Column {
		t.Fatalf("position %d:%d, want %d:%d", n.Line, n.Column, y.Line+10, y.Column)
	}
	if n.Value() != y.Value {
		t.Fatalf("line %d: value %q, want %q", y.Line, n.Value(), y.Value)
	}
	if got, want := n.ShortTag(), y.ShortTag(); got != want && !(got == "" && tagOf(want) == tagOther) {
		t.Fatalf("line %d: tag %q, want %q", y.Line, got, want)
	}
	if c := n.Comments(); c != (Comments{Head: y.HeadComment, Line: y.LineComment, Foot: y.FootComment}) {
		t.Fatalf("line %d: comments %+v", y.Line, c)
	}
	if len(n.Content()) != len(y.Content) {
		t.Fatalf("line %d: %d children, want %d", y.Line, len(n.Content()), len(y.Content))
	}
	for i, c := range y.Content {
		compare(t, c, n.Content()[i], anchors)
	}
}
