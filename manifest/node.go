package manifest

import (
	yaml "go.yaml.in/yaml/v3"
)

// Kind is the kind of a node, as in YAML.
type Kind uint8

const (
	SequenceNode Kind = iota + 1
	MappingNode
	ScalarNode
)

// Node is a YAML node as meshlint keeps it: the value, the position and any
// comments, in a quarter of yaml.v3's Node. A cluster of 10,000 objects holds
// over half a million nodes, and they are kept for the whole run because any
// field may need its position; yaml.v3's nodes (160 bytes each, with style,
// anchor and three comment strings) were most of meshlint's memory.
//
// Aliases are resolved when nodes are made: an alias shares the node of its
// anchor (documents that would expand too far are refused before).
type Node struct {
	Kind     Kind
	tag      tag
	shared   bool  // aliases share this node (with its anchor)
	Line     int32 // 1-based line in the file
	Column   int32 // 1-based column
	Value    string
	Content  []*Node // mappings: key, value, key, value, ...
	comments *Comments
}

// Comments are the comments yaml.v3 attaches to a node.
type Comments struct {
	Head, Line, Foot string
}

// Comments returns the node's comments (zero when it has none).
func (n *Node) Comments() Comments {
	if n == nil || n.comments == nil {
		return Comments{}
	}
	return *n.comments
}

// SetComments replaces the node's comments.
func (n *Node) SetComments(c Comments) {
	if c == (Comments{}) {
		n.comments = nil
		return
	}
	n.comments = &c
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
func (n *Node) Shared() bool { return n.shared }

// IsNull reports a null scalar.
func (n *Node) IsNull() bool { return n != nil && n.Kind == ScalarNode && n.tag == tagNull }

// NewScalar makes a string scalar, for nodes meshlint adds to a document.
func NewScalar(value string, line, column int32) *Node {
	return &Node{Kind: ScalarNode, tag: tagStr, Value: value, Line: line, Column: column}
}

// FromYAML converts a parsed yaml.v3 tree, shifting lines by lineOffset (the
// line of the file the document's text starts after). All nodes of the tree
// are allocated together.
func FromYAML(root *yaml.Node, lineOffset int) *Node {
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
		n.shared = true
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
	n.Value = y.Value
	n.tag = tagOf(y.ShortTag())
	switch y.Kind {
	case yaml.MappingNode:
		n.Kind = MappingNode
	case yaml.SequenceNode:
		n.Kind = SequenceNode
	default:
		n.Kind = ScalarNode
	}
	if y.HeadComment != "" || y.LineComment != "" || y.FootComment != "" {
		n.comments = &Comments{Head: y.HeadComment, Line: y.LineComment, Foot: y.FootComment}
	}
	if len(y.Content) > 0 {
		start := len(c.links)
		if start+len(y.Content) <= cap(c.links) {
			c.links = c.links[:start+len(y.Content)]
			n.Content = c.links[start : start+len(y.Content) : start+len(y.Content)]
		} else {
			n.Content = make([]*Node, len(y.Content))
		}
		for i, child := range y.Content {
			n.Content[i] = c.convert(child)
		}
	}
	return n
}
