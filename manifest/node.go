package manifest

import (
	"math"
	"unsafe"

	yaml "go.yaml.in/yaml/v3"
)

// Kind is the kind of a node, as in YAML.
type Kind uint8

const (
	SequenceNode Kind = iota + 1
	MappingNode
	ScalarNode
)

// Node is a YAML node as meshlint keeps it: the kind, the resolved tag, the
// position, and the scalar's text or the container's children, in 24 bytes.
// A cluster of 10,000 objects holds over half a million nodes, and they are
// kept for the whole run because any field may need its position: yaml.v3's
// nodes (160 bytes each, with style, anchor and three comment strings) were
// most of meshlint's memory, and a struct with a string, a slice and a
// comment pointer still 64 bytes.
//
// The text and the children share one pointer: flags say which it is. The
// rare node with comments (or with text longer than 4 GiB) points at an
// extra struct instead.
//
// Aliases are resolved when nodes are made: an alias shares the node of its
// anchor (documents that would expand too far are refused before).
type Node struct {
	data   unsafe.Pointer // first byte of the text, first child, or *extra
	n      uint32         // bytes of text or number of children
	Line   int32          // 1-based line in the file
	Column int32          // 1-based column
	Kind   Kind
	tag    tag
	flags  flags
}

type flags uint8

const (
	payloadMask    flags = 3 // what data points at
	payloadNone    flags = 0
	payloadText    flags = 1
	payloadContent flags = 2
	payloadExtra   flags = 3
	flagShared     flags = 4 // aliases share this node (with its anchor)
)

// extra holds what does not fit a Node's 24 bytes.
type extra struct {
	value    string
	content  []*Node
	comments Comments
}

func (n *Node) extra() *extra {
	if n.flags&payloadMask == payloadExtra {
		return (*extra)(n.data)
	}
	return nil
}

// Value is a scalar's text ("" for mappings and sequences).
func (n *Node) Value() string {
	switch n.flags & payloadMask {
	case payloadText:
		return unsafe.String((*byte)(n.data), n.n)
	case payloadExtra:
		return (*extra)(n.data).value
	}
	return ""
}

// Content are a mapping's keys and values (key, value, key, value, ...) or
// a sequence's items; nil for scalars. The slice is the node's own:
// changing an element changes the node, and appending to it copies.
func (n *Node) Content() []*Node {
	switch n.flags & payloadMask {
	case payloadContent:
		return unsafe.Slice((**Node)(n.data), n.n)
	case payloadExtra:
		return (*extra)(n.data).content
	}
	return nil
}

// SetValue replaces the scalar's text.
func (n *Node) SetValue(v string) {
	if e := n.extra(); e != nil {
		c := *e // a copy of the node (c := *n) may share e
		c.value = v
		n.setExtra(c)
		return
	}
	if n.flags&payloadMask == payloadContent || uint64(len(v)) > math.MaxUint32 {
		n.setExtra(extra{value: v, content: n.Content()})
		return
	}
	n.setPayload(payloadText, unsafe.Pointer(unsafe.StringData(v)), len(v))
}

// SetContent replaces the children.
func (n *Node) SetContent(c []*Node) {
	if e := n.extra(); e != nil {
		x := *e
		x.content = c
		n.setExtra(x)
		return
	}
	if n.flags&payloadMask == payloadText || uint64(len(c)) > math.MaxUint32 {
		n.setExtra(extra{value: n.Value(), content: c})
		return
	}
	n.setPayload(payloadContent, unsafe.Pointer(unsafe.SliceData(c)), len(c))
}

func (n *Node) setPayload(kind flags, data unsafe.Pointer, size int) {
	if size == 0 {
		kind, data = payloadNone, nil
	}
	n.data, n.n = data, uint32(size)
	n.flags = n.flags&^payloadMask | kind
}

func (n *Node) setExtra(e extra) {
	n.data, n.n = unsafe.Pointer(&e), 0
	n.flags = n.flags&^payloadMask | payloadExtra
}

// Comments are the comments yaml.v3 attaches to a node.
type Comments struct {
	Head, Line, Foot string
}

// Comments returns the node's comments (zero when it has none).
func (n *Node) Comments() Comments {
	if n == nil {
		return Comments{}
	}
	if e := n.extra(); e != nil {
		return e.comments
	}
	return Comments{}
}

// SetComments replaces the node's comments.
func (n *Node) SetComments(c Comments) {
	if e := n.extra(); e != nil {
		x := *e
		x.comments = c
		n.setExtra(x)
		return
	}
	if c != (Comments{}) {
		n.setExtra(extra{value: n.Value(), content: n.Content(), comments: c})
	}
}

type tag uint8

const (
	tagOther tag = iota
	tagStr
	tagInt
	tagFloat
	tagBool
	tagNull
	tagMerge
	tagMap
	tagSeq
	tagBinary
	tagTimestamp
)

var tagNames = [...]string{
	tagOther: "", tagStr: "!!str", tagInt: "!!int", tagFloat: "!!float",
	tagBool: "!!bool", tagNull: "!!null", tagMerge: "!!merge", tagMap: "!!map",
	tagSeq: "!!seq", tagBinary: "!!binary", tagTimestamp: "!!timestamp",
}

func tagOf(short string) tag {
	for i, name := range tagNames {
		if name == short && i != int(tagOther) {
			return tag(i)
		}
	}
	return tagOther
}

// ShortTag is the node's resolved tag ("!!str", "!!int", ...), or "" for a
// custom tag, which meshlint reads as a string.
func (n *Node) ShortTag() string { return tagNames[n.tag] }

// Shared reports a node that YAML aliases share with their anchor: it
// appears in the document more than once.
func (n *Node) Shared() bool { return n.flags&flagShared != 0 }

// IsNull reports a null scalar.
func (n *Node) IsNull() bool { return n != nil && n.Kind == ScalarNode && n.tag == tagNull }

// NewScalar makes a string scalar, for nodes meshlint adds to a document.
func NewScalar(value string, line, column int32) *Node {
	n := &Node{Kind: ScalarNode, tag: tagStr, Line: line, Column: column}
	n.SetValue(value)
	return n
}

// FromYAML converts a parsed yaml.v3 tree, shifting lines by lineOffset (the
// line of the file the document's text starts after). All nodes of the tree
// are allocated together.
func FromYAML(root *yaml.Node, lineOffset int) *Node {
	return NewStrings().FromYAML(root, lineOffset)
}

// Strings keeps one copy of each short scalar text converted through it:
// keys and many values repeat across the objects of a cluster (apiVersion,
// metadata, the same labels), and yaml.v3 allocates each anew. It is not
// safe for concurrent use: each goroutine that converts has its own.
type Strings struct{ m map[string]string }

// Texts longer than maxInterned are kept as yaml.v3 made them, and Strings
// stops adding texts once it holds maxStrings: a run of unique values must
// not grow the table without bound.
const (
	maxInterned = 128
	maxStrings  = 1 << 16
)

// NewStrings returns an empty table.
func NewStrings() *Strings { return &Strings{m: map[string]string{}} }

func (s *Strings) intern(v string) string {
	if len(v) > maxInterned {
		return v
	}
	if i, ok := s.m[v]; ok {
		return i
	}
	if len(s.m) < maxStrings {
		s.m[v] = v
	}
	return v
}

// FromYAML is the package's FromYAML, sharing texts through s.
func (s *Strings) FromYAML(root *yaml.Node, lineOffset int) *Node {
	if root == nil {
		return nil
	}
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	nodes, links := countNodes(root, map[*yaml.Node]bool{})
	c := &converter{
		nodes:   make([]Node, 0, nodes),
		links:   make([]*Node, 0, links),
		anchors: map[*yaml.Node]*Node{},
		offset:  int32(lineOffset),
		strings: s,
	}
	return c.convert(root)
}

// countNodes counts the nodes and child links of a tree, each aliased
// subtree once, to size the slabs.
func countNodes(n *yaml.Node, seen map[*yaml.Node]bool) (nodes, links int) {
	if n == nil || seen[n] {
		return 0, 0
	}
	if n.Kind == yaml.AliasNode {
		return countNodes(n.Alias, seen)
	}
	if n.Anchor != "" {
		seen[n] = true
	}
	nodes, links = 1, len(n.Content)
	for _, c := range n.Content {
		cn, cl := countNodes(c, seen)
		nodes += cn
		links += cl
	}
	return nodes, links
}

type converter struct {
	nodes   []Node
	links   []*Node
	anchors map[*yaml.Node]*Node
	offset  int32
	strings *Strings
}

func (c *converter) alloc() *Node {
	if len(c.nodes) < cap(c.nodes) {
		c.nodes = c.nodes[:len(c.nodes)+1]
		return &c.nodes[len(c.nodes)-1]
	}
	return &Node{} // the count was short (it never is); stay correct
}

func (c *converter) convert(y *yaml.Node) *Node {
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return &Node{Kind: ScalarNode, tag: tagNull, Line: int32(y.Line) + c.offset, Column: int32(y.Column)}
		}
		n := c.convert(y.Alias)
		n.flags |= flagShared
		return n
	}
	if n, ok := c.anchors[y]; ok {
		return n
	}
	n := c.alloc()
	if y.Anchor != "" {
		c.anchors[y] = n
	}
	n.Line, n.Column = int32(y.Line)+c.offset, int32(y.Column)
	n.tag = tagOf(y.ShortTag())
	switch y.Kind {
	case yaml.MappingNode:
		n.Kind = MappingNode
	case yaml.SequenceNode:
		n.Kind = SequenceNode
	default:
		n.Kind = ScalarNode
	}
	if y.Value != "" {
		n.SetValue(c.strings.intern(y.Value))
	}
	if len(y.Content) > 0 {
		var content []*Node
		start := len(c.links)
		if start+len(y.Content) <= cap(c.links) {
			c.links = c.links[:start+len(y.Content)]
			content = c.links[start : start+len(y.Content) : start+len(y.Content)]
		} else {
			content = make([]*Node, len(y.Content))
		}
		for i, child := range y.Content {
			content[i] = c.convert(child)
		}
		n.SetContent(content)
	}
	if y.HeadComment != "" || y.LineComment != "" || y.FootComment != "" {
		n.SetComments(Comments{Head: y.HeadComment, Line: y.LineComment, Foot: y.FootComment})
	}
	return n
}
