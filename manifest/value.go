package manifest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// MaxExpandedNodes bounds how many nodes a document's aliases may expand
// to: a "billion laughs" document is refused instead of eating memory. Only
// nodes reached through an alias count, so a document that is merely large
// (a List of 20,000 objects) is no bomb.
const MaxExpandedNodes = 1 << 20

// ErrAliasBomb is returned for documents whose aliases expand past MaxExpandedNodes.
var ErrAliasBomb = errors.New("document expands to too many nodes through YAML aliases (alias bomb?)")

// maxDepth bounds the nesting of a document; yaml.v3 refuses deeper ones, so
// only a document whose anchor holds an alias of itself gets near it.
const maxDepth = 10000

// AliasExpansion counts the nodes n's aliases expand to: each alias counts
// every node of its anchor's subtree, aliases within it expanded in turn
// (which is how a few lines become a billion nodes). The nodes written out
// are not counted. It stops early, returning more than limit, once the count
// passes limit; an anchor that holds an alias of itself expands forever.
func AliasExpansion(n *yaml.Node, limit int) int {
	e := expansion{limit: limit, sizes: map[*yaml.Node]int{}}
	e.walk(n, 0)
	return e.count
}

type expansion struct {
	limit, count int
	// sizes holds the expanded size of each anchored node measured; -1
	// while it is being measured (an alias met then is a cycle).
	sizes map[*yaml.Node]int
}

// walk visits the nodes written out, adding what each alias expands to.
func (e *expansion) walk(n *yaml.Node, depth int) {
	if n == nil || e.count > e.limit {
		return
	}
	if depth > maxDepth {
		e.count = e.limit + 1
		return
	}
	if n.Kind == yaml.AliasNode {
		e.count = e.sat(e.count + e.size(n.Alias, depth+1))
		return
	}
	for _, c := range n.Content {
		e.walk(c, depth+1)
	}
}

// size is how many nodes n stands for, aliases within it expanded, at most
// limit+1.
func (e *expansion) size(n *yaml.Node, depth int) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		return e.size(n.Alias, depth+1)
	}
	if s, ok := e.sizes[n]; ok {
		if s < 0 {
			return e.limit + 1 // an alias of the anchor being expanded
		}
		return s
	}
	if depth > maxDepth {
		return e.limit + 1
	}
	if n.Anchor != "" {
		e.sizes[n] = -1
	}
	s := 1
	for _, c := range n.Content {
		if s > e.limit {
			break
		}
		s = e.sat(s + e.size(c, depth+1))
	}
	if n.Anchor != "" {
		e.sizes[n] = s
	}
	return s
}

func (e *expansion) sat(n int) int { return min(n, e.limit+1) }

// NodeValue converts a YAML node into JSON-like Go values: map[string]any,
// []any, string, int64, float64, bool and nil. Nodes reached through an
// alias count against MaxExpandedNodes, as in AliasExpansion.
func NodeValue(n *Node) (any, error) {
	v := valuer{budget: MaxExpandedNodes}
	return v.value(n, false)
}

// valuer converts nodes; budget is what aliases may still expand to.
type valuer struct {
	budget int
	// seen holds the anchors (nodes aliases share) already converted once:
	// converting one again is an alias's expansion.
	seen map[*Node]bool
}

func (v *valuer) value(n *Node, expanding bool) (any, error) {
	if n == nil {
		return nil, nil
	}
	if !expanding && n.Shared() {
		if v.seen[n] {
			expanding = true
		} else {
			if v.seen == nil {
				v.seen = map[*Node]bool{}
			}
			v.seen[n] = true
		}
	}
	if expanding {
		v.budget--
		if v.budget < 0 {
			return nil, ErrAliasBomb
		}
	}
	switch n.Kind {
	case MappingNode:
		m := make(map[string]any, len(n.Content())/2)
		for i := 0; i+1 < len(n.Content()); i += 2 {
			k, c := n.Content()[i], n.Content()[i+1]
			if k.Kind == ScalarNode && k.tag == tagMerge {
				if err := v.mergeInto(m, c, expanding); err != nil {
					return nil, err
				}
				continue
			}
			val, err := v.value(c, expanding)
			if err != nil {
				return nil, err
			}
			m[k.Value()] = val
		}
		return m, nil
	case SequenceNode:
		s := make([]any, 0, len(n.Content()))
		for _, c := range n.Content() {
			val, err := v.value(c, expanding)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	case ScalarNode:
		return ScalarValue(n), nil
	}
	return nil, fmt.Errorf("unexpected YAML node kind %v", n.Kind)
}

func (v *valuer) mergeInto(m map[string]any, c *Node, expanding bool) error {
	c = resolveAlias(c)
	sources := []*Node{c}
	if c != nil && c.Kind == SequenceNode {
		sources = c.Content()
	}
	for _, src := range sources {
		val, err := v.value(src, expanding)
		if err != nil {
			return err
		}
		if mm, ok := val.(map[string]any); ok {
			for k, x := range mm {
				if _, exists := m[k]; !exists {
					m[k] = x
				}
			}
		}
	}
	return nil
}

// ScalarValue returns the typed value of a scalar node, following YAML 1.2's
// core schema as Kubernetes reads it.
func ScalarValue(n *Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value()))
		if err != nil {
			return n.Value()
		}
		return b
	case "!!int":
		v := strings.ReplaceAll(n.Value(), "_", "")
		if i, err := strconv.ParseInt(v, 0, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
		return n.Value()
	case "!!float":
		switch strings.ToLower(n.Value()) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(n.Value(), 64); err == nil {
			return f
		}
		return n.Value()
	}
	return n.Value()
}

// ScalarString returns the scalar text of n, or "" when n is not a scalar.
func ScalarString(n *Node) string {
	n = resolveAlias(n)
	if n == nil || n.Kind != ScalarNode || n.tag == tagNull {
		return ""
	}
	return n.Value()
}

// StringMap reads a mapping of scalars (labels, annotations).
func StringMap(n *Node) map[string]string {
	n = resolveAlias(n)
	if n == nil || n.Kind != MappingNode {
		return nil
	}
	m := make(map[string]string, len(n.Content())/2)
	for i := 0; i+1 < len(n.Content()); i += 2 {
		m[n.Content()[i].Value()] = ScalarString(n.Content()[i+1])
	}
	return m
}
