package loader

import (
	"fmt"

	"github.com/meshlint/meshlint/manifest"
)

// metadataProblem says why the API server would refuse an object's
// metadata, at the field: ObjectMeta decodes strictly into Go strings and
// string maps (k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta), so
// `labels: {version: 1}` fails `kubectl apply` with "cannot unmarshal
// number into ... metadata.labels of type string". Such an object is never
// applied: it is a problem, not an object. A null value decodes as absent.
func metadataProblem(meta *manifest.Node) (*manifest.Node, string) {
	if meta == nil || meta.IsNull() {
		return nil, ""
	}
	if meta.Kind != manifest.MappingNode {
		return meta, fmt.Sprintf("metadata is %s, not a mapping, so Kubernetes refuses the object", describe(meta))
	}
	for _, key := range []string{"name", "namespace", "generateName"} {
		if v := manifest.MapGet(meta, key); v != nil && !stringOrNull(v) {
			return v, fmt.Sprintf("metadata.%s is %s, not a string, so Kubernetes refuses the object", key, describe(v))
		}
	}
	for _, key := range []string{"labels", "annotations"} {
		m := manifest.MapGet(meta, key)
		if m == nil || m.IsNull() {
			continue
		}
		if m.Kind != manifest.MappingNode {
			return m, fmt.Sprintf("metadata.%s is %s, not a mapping of strings, so Kubernetes refuses the object", key, describe(m))
		}
		c := m.Content()
		for i := 0; i+1 < len(c); i += 2 {
			if v := c[i+1]; !stringOrNull(v) {
				hint := ""
				if v.Kind == manifest.ScalarNode {
					hint = fmt.Sprintf("; quote it: %q", v.Value())
				}
				return v, fmt.Sprintf("metadata.%s.%s is %s, not a string, so Kubernetes refuses the object%s", key, c[i].Value(), describe(v), hint)
			}
		}
	}
	return nil, ""
}

func stringOrNull(n *manifest.Node) bool {
	return n.Kind == manifest.ScalarNode && (n.ShortTag() == "!!str" || n.IsNull())
}

// describe names what a YAML node holds, as a user reads it.
func describe(n *manifest.Node) string {
	switch n.Kind {
	case manifest.MappingNode:
		return "a mapping"
	case manifest.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "a number (" + n.Value() + ")"
	case "!!bool":
		return "a boolean (" + n.Value() + ")"
	}
	return "not a string (" + n.Value() + ")"
}
