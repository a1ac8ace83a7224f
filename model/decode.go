package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	kjson "sigs.k8s.io/json"

	"github.com/meshlint/meshlint/manifest"
)

// decodeK8s decodes the field at path of o strictly into v (a k8s.io/api
// type). Unknown fields and wrong types become spec errors at their field.
// usable says v holds the object (less any unknown fields); clean says no
// field was unknown, so the API server would accept the object as written.
func (m *Model) decodeK8s(o *manifest.Object, path string, v any) (usable, clean bool) {
	node := o.Lookup(path)
	if node == nil {
		return true, true
	}
	data, ok := m.fieldJSON(o, path, node)
	if !ok {
		return false, false
	}
	strict, err := kjson.UnmarshalStrict(data, v, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	clean = true
	for _, e := range strict {
		msg := e.Error()
		field := strings.Trim(strings.TrimPrefix(msg, "unknown field "), `"`)
		full := joinPath(path, field)
		if IsLegacyRBAC(o.Kind) {
			m.addSpecError(o, full, "unknown field %q: the %s schema (rbac.istio.io/v1alpha1) never had it", lastSegment(full), o.Kind)
		} else {
			m.addSpecError(o, full, "unknown field %q: %s %s has no such field (misspelt?)", lastSegment(full), o.APIVersion, o.Kind)
		}
		clean = false
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// The offset tells which list item holds the field; FindLoose
			// (the first item that has it) is the fallback.
			full := ""
			if rel, ok := typeErrorPath(data, te.Field, te.Value, te.Offset); ok {
				full = underPath(path, rel)
			} else if full = manifest.FindLoose(o.Node, joinPath(path, te.Field)); full == "" {
				full = path
			}
			m.addSpecError(o, full, "%s must be %s, not %s", lastSegment(joinPath(path, te.Field)), jsonTypeName(te.Type.Kind().String()), te.Value)
		} else {
			m.addSpecError(o, path, "%s does not decode: %v", path, err)
		}
		return false, false
	}
	return true, clean
}

// fieldJSON encodes a field as JSON for the API types' decoders.
func (m *Model) fieldJSON(o *manifest.Object, path string, node *manifest.Node) ([]byte, bool) {
	value, err := manifest.NodeValue(node)
	if err != nil {
		m.addSpecError(o, path, "%v", err)
		return nil, false
	}
	data, err := json.Marshal(value)
	if err != nil {
		m.addSpecError(o, path, "%s cannot be encoded as JSON: %v", path, err)
		return nil, false
	}
	return data, true
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "int", "int32", "int64", "uint32", "uint64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	}
	return goKind
}

func joinPath(a, b string) string {
	switch {
	case b == "":
		return a
	case a == "":
		return b
	}
	return a + "." + b
}

func lastSegment(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return strings.Trim(path[i+1:], `]"`)
	}
	return path
}

// decodeProto decodes the field at path of o into msg (an istio.io/api type)
// strictly: field names and value shapes are checked against the message
// descriptors first, so that a misspelt field is reported at its own line;
// then protojson decodes what is known. usable and clean mean what they mean
// for decodeK8s.
func (m *Model) decodeProto(o *manifest.Object, path string, msg proto.Message) (usable, clean bool) {
	node := o.Lookup(path)
	if node == nil {
		return true, true
	}
	before := len(m.SpecErrors)
	m.checkProtoFields(o, path, node, msg.ProtoReflect().Descriptor())
	clean = len(m.SpecErrors) == before
	data, ok := m.fieldJSON(o, path, node)
	if !ok {
		return false, false
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, msg); err != nil {
		if clean {
			// protojson stops at the first value it refuses; its position
			// in the JSON names that value's field in the user's YAML.
			// protojson's message names the field and value; the position
			// says where it is.
			if rel, ok := protoErrorPath(data, err); ok {
				m.addSpecError(o, underPath(path, rel), "%s", cleanProtoError(err))
			} else {
				m.addSpecError(o, path, "%s does not decode: %s", path, cleanProtoError(err))
			}
		}
		return false, false
	}
	return true, clean
}

// jsonPosition is protojson's position in the JSON meshlint made from the
// YAML: meaningless to the user, whose file the finding points at.
var jsonPosition = regexp.MustCompile(`\s*\(line \d+:\d+\)`)

func cleanProtoError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "proto:")
	s = strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	s = jsonPosition.ReplaceAllString(s, "")
	return strings.TrimPrefix(strings.TrimSpace(s), ": ")
}

// kindName says what a field's values must be, for messages.
func kindName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "an object"
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.EnumKind:
		return "a string"
	case protoreflect.BoolKind:
		return "true or false"
	}
	return "a number"
}

// checkProtoFields walks the YAML beside the message descriptor and reports
// names the message does not have, and values of the wrong shape.
func (m *Model) checkProtoFields(o *manifest.Object, path string, n *manifest.Node, md protoreflect.MessageDescriptor) {
	if n == nil || isNull(n) {
		return
	}
	switch md.FullName() {
	case "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any":
		return
	}
	if isWrapper(md) || md.FullName() == "google.protobuf.Duration" || md.FullName() == "google.protobuf.Timestamp" {
		if n.Kind != manifest.ScalarNode {
			m.addSpecError(o, path, "%s must be a single value", lastSegment(path))
		}
		return
	}
	if n.Kind != manifest.MappingNode {
		m.addSpecError(o, path, "%s must be an object", lastSegment(path))
		return
	}
	fields := md.Fields()
	for i := 0; i+1 < len(n.Content()); i += 2 {
		key, val := n.Content()[i], n.Content()[i+1]
		fpath := manifest.JoinKey(path, key.Value())
		fd := fields.ByJSONName(key.Value())
		if fd == nil {
			fd = fields.ByName(protoreflect.Name(key.Value()))
		}
		if fd == nil {
			m.addSpecError(o, fpath, "unknown field %q in %s%s", key.Value(), md.Name(), suggest(key.Value(), fields))
			continue
		}
		m.checkProtoValue(o, fpath, val, fd)
	}
}

func (m *Model) checkProtoValue(o *manifest.Object, path string, n *manifest.Node, fd protoreflect.FieldDescriptor) {
	if n == nil || isNull(n) {
		return
	}
	switch {
	case fd.IsMap():
		if n.Kind != manifest.MappingNode {
			m.addSpecError(o, path, "%s must be a map", lastSegment(path))
			return
		}
		if fd.MapValue().Kind() == protoreflect.MessageKind {
			for i := 0; i+1 < len(n.Content()); i += 2 {
				m.checkProtoFields(o, manifest.JoinKey(path, n.Content()[i].Value()), n.Content()[i+1], fd.MapValue().Message())
			}
		}
	case fd.IsList():
		if n.Kind != manifest.SequenceNode {
			m.addSpecError(o, path, "%s must be a list", lastSegment(path))
			return
		}
		for i, item := range n.Content() {
			if isNull(item) {
				// A dash with nothing after it (or only a comment): the API
				// refuses a null item.
				m.addSpecError(o, manifest.JoinIndex(path, i), "%s[%d] is empty: each item must be %s", lastSegment(path), i, kindName(fd))
				continue
			}
			m.checkSingular(o, manifest.JoinIndex(path, i), item, fd)
		}
	default:
		m.checkSingular(o, path, n, fd)
	}
}

func (m *Model) checkSingular(o *manifest.Object, path string, n *manifest.Node, fd protoreflect.FieldDescriptor) {
	if n == nil {
		return
	}
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		m.checkProtoFields(o, path, n, fd.Message())
	case protoreflect.EnumKind:
		if n.Kind != manifest.ScalarNode {
			m.addSpecError(o, path, "%s must be one of %s", lastSegment(path), enumNames(fd.Enum()))
			return
		}
		if fd.Enum().Values().ByName(protoreflect.Name(n.Value())) == nil {
			m.addSpecError(o, path, "%s: %q is not one of %s", lastSegment(path), n.Value(), enumNames(fd.Enum()))
		}
	case protoreflect.StringKind, protoreflect.BytesKind:
		if n.Kind != manifest.ScalarNode {
			m.addSpecError(o, path, "%s must be a string", lastSegment(path))
		}
	case protoreflect.BoolKind:
		if n.Kind != manifest.ScalarNode || n.ShortTag() != "!!bool" {
			m.addSpecError(o, path, "%s must be true or false", lastSegment(path))
		}
	default: // numbers
		if n.Kind != manifest.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float" && n.ShortTag() != "!!str") {
			m.addSpecError(o, path, "%s must be a number", lastSegment(path))
		}
	}
}

func isNull(n *manifest.Node) bool { return n.IsNull() }

func isWrapper(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile() != nil && md.ParentFile().Path() == "google/protobuf/wrappers.proto"
}

func enumNames(ed protoreflect.EnumDescriptor) string {
	vals := ed.Values()
	names := make([]string, 0, vals.Len())
	for i := 0; i < vals.Len(); i++ {
		names = append(names, string(vals.Get(i).Name()))
	}
	return strings.Join(names, ", ")
}

// suggest names the field a misspelling most likely meant.
func suggest(name string, fields protoreflect.FieldDescriptors) string {
	best, bestDist := "", 3
	for i := 0; i < fields.Len(); i++ {
		cand := fields.Get(i).JSONName()
		if d := editDistance(strings.ToLower(name), strings.ToLower(cand)); d < bestDist {
			best, bestDist = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
