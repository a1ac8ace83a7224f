// Package manifest holds Kubernetes objects as the user wrote them: the YAML
// tree with the position of every field, so that any finding can point at the
// field that causes it.
package manifest

import (
	"fmt"
	"strconv"
	"strings"
)

// Position is a place in a file the user wrote. Line and Column are 1-based;
// a zero Line means "the file as a whole".
type Position struct {
	File   string
	Line   int
	Column int
}

func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Ref names an object the way findings and reports do.
type Ref struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
}

func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Object is one Kubernetes object. Node is the document's root mapping; it is
// kept because every field path must resolve to a position.
type Object struct {
	APIVersion  string
	Kind        string
	Name        string
	Namespace   string // filled with the default namespace when the manifest names none
	Labels      map[string]string
	Annotations map[string]string

	File string // path shown to the user
	Node *Node  // mapping node of the object in File

	// NamespaceSet records whether the manifest named a namespace itself.
	NamespaceSet bool

	// NodeFiles holds the fields written in another file than File: those a
	// kustomize patch set are located in the patch. Nil for most objects.
	NodeFiles map[*Node]string

	content map[string]any
}

// Ref returns the object's reference.
func (o *Object) Ref() Ref {
	return Ref{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
}

// Group returns the API group of the object's apiVersion ("" for core).
func (o *Object) Group() string {
	if i := strings.IndexByte(o.APIVersion, '/'); i >= 0 {
		return o.APIVersion[:i]
	}
	return ""
}

// Content returns the object as generic JSON-like data (maps, slices, strings,
// float64/int64, bools). It is computed once, on first use.
func (o *Object) Content() map[string]any {
	if o.content == nil {
		v, err := NodeValue(o.Node)
		if m, ok := v.(map[string]any); ok && err == nil {
			o.content = m
		} else {
			o.content = map[string]any{}
		}
	}
	return o.content
}

// Field returns the generic value at path, or nil.
func (o *Object) Field(path string) any {
	n := o.Lookup(path)
	if n == nil {
		return nil
	}
	v, _ := NodeValue(n)
	return v
}

// Position resolves a field path such as `spec.ingress[0].from[1].podSelector`
// to the position of that field. When the path does not exist in the file
// (a defaulted field), the deepest existing ancestor is used, so a location
// is always inside the object.
func (o *Object) Position(path string) Position {
	node := o.Node
	line, col := 0, 0
	if node != nil {
		line, col = int(node.Line), int(node.Column)
	}
	if node == nil || path == "" {
		return Position{File: o.File, Line: line, Column: col}
	}
	segs, err := ParsePath(path)
	if err != nil {
		return Position{File: o.File, Line: line, Column: col}
	}
	cur := node
	file := o.File
	for _, s := range segs {
		key, val := child(cur, s)
		if val == nil {
			break
		}
		at := val
		if key != nil {
			at = key
		}
		line, col, file = int(at.Line), int(at.Column), o.FileOf(at)
		cur = val
	}
	return Position{File: file, Line: line, Column: col}
}

// FileOf is the file a node of the object was written in: File, unless a
// patch set it.
func (o *Object) FileOf(n *Node) string {
	if f, ok := o.NodeFiles[n]; ok {
		return f
	}
	return o.File
}

// Lookup returns the node at path, or nil when it does not exist.
func (o *Object) Lookup(path string) *Node {
	segs, err := ParsePath(path)
	if err != nil {
		return nil
	}
	cur := o.Node
	for _, s := range segs {
		_, cur = child(cur, s)
		if cur == nil {
			return nil
		}
	}
	return cur
}

// Segment is one step of a field path: a mapping key or a sequence index.
type Segment struct {
	Key   string
	Index int
	IsIdx bool
}

// ParsePath splits `a.b[0]["x.y"].c` into segments.
func ParsePath(path string) ([]Segment, error) {
	var segs []Segment
	i := 0
	for i < len(path) {
		switch path[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ in path %q", path)
			}
			inner := path[i+1 : i+end]
			if strings.HasPrefix(inner, `"`) {
				// A quoted key may itself hold ']', so find the closing quote.
				k, rest, err := unquotePrefix(path[i+1:])
				if err != nil || !strings.HasPrefix(rest, "]") {
					return nil, fmt.Errorf("bad quoted key in path %q", path)
				}
				segs = append(segs, Segment{Key: k})
				i = len(path) - len(rest) + 1
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil {
				return nil, fmt.Errorf("bad index %q in path %q", inner, path)
			}
			segs = append(segs, Segment{Index: n, IsIdx: true})
			i += end + 1
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			segs = append(segs, Segment{Key: path[i:j]})
			i = j
		}
	}
	return segs, nil
}

func unquotePrefix(s string) (string, string, error) {
	for j := 1; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if s[j] == '"' {
			k, err := strconv.Unquote(s[:j+1])
			return k, s[j+1:], err
		}
	}
	return "", "", fmt.Errorf("unterminated quote")
}

// JoinKey appends a mapping key to a path, quoting it when it is not a plain name.
func JoinKey(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if r == '.' || r == '[' || r == ']' || r == '"' {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// JoinIndex appends a sequence index to a path.
func JoinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// resolveAlias is the identity: aliases are resolved when nodes are made.
func resolveAlias(n *Node) *Node { return n }

// child returns the key node (for mappings) and value node of one step.
func child(n *Node, s Segment) (key, val *Node) {
	n = resolveAlias(n)
	if n == nil {
		return nil, nil
	}
	if s.IsIdx {
		if n.Kind != SequenceNode || s.Index < 0 || s.Index >= len(n.Content()) {
			return nil, nil
		}
		return nil, n.Content()[s.Index]
	}
	if n.Kind != MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content()); i += 2 {
		if n.Content()[i].Value() == s.Key {
			return n.Content()[i], n.Content()[i+1]
		}
	}
	return nil, nil
}

// MapGet returns the value node of key in a mapping node, or nil.
func MapGet(n *Node, key string) *Node {
	_, v := child(n, Segment{Key: key})
	return v
}

// FindLoose resolves a dotted path that lacks list indices (as encoding/json
// names fields in its errors) to the first full path that exists, or "".
func FindLoose(root *Node, dotted string) string {
	var find func(n *Node, keys []string, path string) string
	find = func(n *Node, keys []string, path string) string {
		n = resolveAlias(n)
		if n == nil {
			return ""
		}
		if len(keys) == 0 {
			return path
		}
		switch n.Kind {
		case SequenceNode:
			for i, item := range n.Content() {
				if p := find(item, keys, JoinIndex(path, i)); p != "" {
					return p
				}
			}
		case MappingNode:
			if v := MapGet(n, keys[0]); v != nil {
				return find(v, keys[1:], JoinKey(path, keys[0]))
			}
		}
		return ""
	}
	return find(root, strings.Split(dotted, "."), "")
}

// FormatPath writes segments as a field path, the inverse of ParsePath.
func FormatPath(segs []Segment) string {
	path := ""
	for _, s := range segs {
		if s.IsIdx {
			path = JoinIndex(path, s.Index)
		} else {
			path = JoinKey(path, s.Key)
		}
	}
	return path
}
