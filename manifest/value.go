package manifest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// MaxExpandedNodes bounds how many nodes a document may expand to through
// aliases: a "billion laughs" document is refused instead of eating memory.
const MaxExpandedNodes = 1 << 20

// ErrAliasBomb is returned for documents whose aliases expand past MaxExpandedNodes.
var ErrAliasBomb = errors.New("document expands to too many nodes through YAML aliases (alias bomb?)")

// ExpandedSize counts the nodes n expands to, following aliases, and stops
// early at limit.
func ExpandedSize(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node, int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || count > limit {
			return
		}
		count++
		if depth > 10000 {
			count = limit + 1
			return
		}
		if n.Kind == yaml.AliasNode {
			walk(n.Alias, depth+1)
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return count
}

// NodeValue converts a YAML node into JSON-like Go values: map[string]any,
// []any, string, int64, float64, bool and nil.
func NodeValue(n *Node) (any, error) {
	budget := MaxExpandedNodes
	return nodeValue(n, &budget)
}

func nodeValue(n *Node, budget *int) (any, error) {
	if n == nil {
		return nil, nil
	}
	*budget--
	if *budget < 0 {
		return nil, ErrAliasBomb
	}
	switch n.Kind {
	case MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == ScalarNode && k.tag == tagMerge {
				if err := mergeInto(m, v, budget); err != nil {
					return nil, err
				}
				continue
			}
			val, err := nodeValue(v, budget)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := nodeValue(c, budget)
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

func mergeInto(m map[string]any, v *Node, budget *int) error {
	v = resolveAlias(v)
	sources := []*Node{v}
	if v != nil && v.Kind == SequenceNode {
		sources = v.Content
	}
	for _, src := range sources {
		val, err := nodeValue(src, budget)
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
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		v := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(v, 0, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
		return n.Value
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
		return n.Value
	}
	return n.Value
}

// ScalarString returns the scalar text of n, or "" when n is not a scalar.
func ScalarString(n *Node) string {
	n = resolveAlias(n)
	if n == nil || n.Kind != ScalarNode || n.tag == tagNull {
		return ""
	}
	return n.Value
}

// StringMap reads a mapping of scalars (labels, annotations).
func StringMap(n *Node) map[string]string {
	n = resolveAlias(n)
	if n == nil || n.Kind != MappingNode {
		return nil
	}
	m := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = ScalarString(n.Content[i+1])
	}
	return m
}
