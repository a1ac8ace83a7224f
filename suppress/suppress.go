// Package suppress reads the suppressions users write in their manifests and
// applies them to findings. There are two kinds:
//
//   - annotations on an object: `ignore-check.meshlint.io/<ID or name>: "reason"`
//     silences one rule on that object, `meshlint.io/ignore-all: "reason"`
//     every rule;
//   - comments: `# meshlint:ignore <ID or name>[,<ID or name>...] reason` at the
//     end of a field's line, or in the comment lines directly above it,
//     silences those rules' findings on that line.
//
// Suppressed findings are marked, never dropped: reports list them with the
// reason.
package suppress

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// The forms a suppression takes.
const (
	AnnotationPrefix = "ignore-check.meshlint.io/"
	AnnotationAll    = "meshlint.io/ignore-all"
	CommentDirective = "meshlint:ignore"
)

// SelfRules are the rules that report on suppressions themselves (MSH006,
// MSH007). A suppression cannot silence them: a reasonless ignore-all would
// otherwise hide the very note that it has no reason.
var SelfRules = map[string]bool{"MSH006": true, "MSH007": true}

// Directive is one suppression written in a manifest.
type Directive struct {
	Object *manifest.Object
	// Path is the field that carries the directive: the annotation, or the
	// field the comment is attached to. Findings about the directive point
	// there.
	Path string
	// Rules are the IDs or names it silences, as written. Empty with All, and
	// empty (a mistake) when a comment or annotation names no rule.
	Rules []string
	All   bool
	// Reason is the text after the rules (comment) or the value (annotation).
	Reason string
	// Comment is set for `# meshlint:ignore`; File and Line are then the
	// line whose findings it silences (File is the object's, or the patch
	// that wrote the field).
	Comment bool
	File    string
	Line    int
	// Detached marks a comment that is neither on a field's line nor
	// directly above one (a blank line between, or after a block's end): it
	// silences nothing, and MSH007 says so.
	Detached bool
}

// Form says how the directive is written, for messages.
func (d Directive) Form() string {
	switch {
	case d.Comment && len(d.Rules) == 0:
		return "comment `# " + CommentDirective + "`"
	case d.Comment:
		return "comment `# " + CommentDirective + " " + strings.Join(d.Rules, ",") + "`"
	case d.All:
		return "annotation " + AnnotationAll
	}
	return "annotation " + AnnotationPrefix + strings.Join(d.Rules, "")
}

// Names reports whether the directive silences rule r.
func (d Directive) Names(r *analyzer.Rule) bool {
	if d.All {
		return true
	}
	for _, n := range d.Rules {
		if strings.EqualFold(n, r.ID) || strings.EqualFold(n, r.Name) {
			return true
		}
	}
	return false
}

// Directives returns every suppression in the model's objects, in object
// order. It is computed once per model.
func Directives(m *model.Model) []Directive {
	return m.Derived("suppress.directives", func() any {
		var out []Directive
		for _, o := range m.Objects {
			out = append(out, annotations(o)...)
			out = append(out, comments(o)...)
		}
		return out
	}).([]Directive)
}

func annotations(o *manifest.Object) []Directive {
	ann := manifest.MapGet(manifest.MapGet(o.Node, "metadata"), "annotations")
	if ann == nil || ann.Kind != manifest.MappingNode {
		return nil
	}
	var out []Directive
	for i := 0; i+1 < len(ann.Content()); i += 2 {
		key := ann.Content()[i].Value()
		d := Directive{Object: o, Path: manifest.JoinKey("metadata.annotations", key), Reason: strings.TrimSpace(manifest.ScalarString(ann.Content()[i+1]))}
		switch {
		case key == AnnotationAll:
			d.All = true
		case strings.HasPrefix(key, AnnotationPrefix):
			if rule := strings.TrimPrefix(key, AnnotationPrefix); rule != "" {
				d.Rules = []string{rule}
			}
		default:
			continue
		}
		out = append(out, d)
	}
	return out
}

// comments walks the object's YAML for `# meshlint:ignore` comments. A line
// comment silences its own line; a head comment the line of the field below
// it, provided no blank line stands between them.
func comments(o *manifest.Object) []Directive {
	var out []Directive
	// The path of a node is built only when it carries a directive: most
	// nodes carry no comment at all.
	var segs []manifest.Segment
	add := func(n *manifest.Node) {
		cs := n.Comments()
		if cs == (manifest.Comments{}) {
			return
		}
		attached, detached := splitHead(cs.Head)
		for _, c := range []struct {
			text     string
			detached bool
		}{{attached, false}, {cs.Line, false}, {detached, true}, {cs.Foot, true}} {
			for _, line := range strings.Split(c.text, "\n") {
				rules, reason, ok := ParseComment(line)
				if ok {
					out = append(out, Directive{Object: o, Path: manifest.FormatPath(segs), Rules: rules, Reason: reason, Comment: true, File: o.FileOf(n), Line: int(n.Line), Detached: c.detached})
				}
			}
		}
	}
	var walk func(n *manifest.Node)
	walk = func(n *manifest.Node) {
		add(n)
		switch n.Kind {
		case manifest.MappingNode:
			for i := 0; i+1 < len(n.Content()); i += 2 {
				k, v := n.Content()[i], n.Content()[i+1]
				segs = append(segs, manifest.Segment{Key: k.Value()})
				add(k)
				walk(v)
				segs = segs[:len(segs)-1]
			}
		case manifest.SequenceNode:
			for i, item := range n.Content() {
				segs = append(segs, manifest.Segment{Index: i, IsIdx: true})
				walk(item)
				segs = segs[:len(segs)-1]
			}
		}
	}
	if o.Node != nil {
		walk(o.Node)
	}
	return out
}

// splitHead separates the comment lines directly above a node from those
// further up: yaml.v3 keeps a blank line inside a head comment as an empty
// line, and a comment separated by one is about something else.
func splitHead(c string) (attached, detached string) {
	if strings.HasSuffix(c, "\n") {
		return "", c
	}
	if i := strings.LastIndex(c, "\n\n"); i >= 0 {
		return c[i+2:], c[:i]
	}
	return c, ""
}

// ParseComment reads one comment line. It reports ok for a meshlint:ignore
// directive, with the rules it names (comma-separated, as written) and the
// reason after them.
func ParseComment(line string) (rules []string, reason string, ok bool) {
	s := strings.TrimSpace(line)
	s = strings.TrimSpace(strings.TrimPrefix(s, "#"))
	rest, found := strings.CutPrefix(s, CommentDirective)
	if !found || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return nil, "", false
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil, "", true
	}
	// A colon after the rules ("MSH101: why") separates, as in prose.
	for _, r := range strings.Split(strings.TrimSuffix(fields[0], ":"), ",") {
		if r = strings.TrimSpace(r); r != "" {
			rules = append(rules, r)
		}
	}
	reason = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), fields[0]))
	// "-- because" and ": because" read naturally; the separator is not the reason.
	reason = strings.TrimSpace(strings.TrimLeft(reason, "-:"))
	return rules, reason, true
}

// Apply marks the findings that a suppression in the manifests names
// (Kind "inSource"). The most specific suppression gives the reason: a
// comment on the finding's line, then an annotation naming the rule, then
// ignore-all. Findings already suppressed are left as they are.
func Apply(m *model.Model, findings []analyzer.Finding) {
	type lineKey struct {
		file string
		line int
	}
	byLine := map[lineKey][]Directive{}
	byPath := map[string][]Directive{}
	byObject := map[string][]Directive{}
	for _, d := range Directives(m) {
		if d.Detached {
			continue
		}
		if d.Comment {
			byLine[lineKey{d.File, d.Line}] = append(byLine[lineKey{d.File, d.Line}], d)
			k := objectKey(d.Object.File, d.Object.Ref()) + "#" + d.Path
			byPath[k] = append(byPath[k], d)
			continue
		}
		k := objectKey(d.Object.File, d.Object.Ref())
		byObject[k] = append(byObject[k], d)
	}
	for i := range findings {
		f := &findings[i]
		if f.Suppressed != nil || SelfRules[f.Rule.ID] {
			continue
		}
		candidates := byLine[lineKey{f.Pos.File, f.Pos.Line}]
		var onObject []Directive
		if f.Object != nil {
			file := f.ObjectFile
			if file == "" {
				file = f.Pos.File
			}
			k := objectKey(file, *f.Object)
			candidates = append(candidates, byPath[k+"#"+f.Path]...)
			onObject = byObject[k]
		}
		// Rules named beat ignore-all: its reason is the less specific one.
		for _, d := range onObject {
			if !d.All {
				candidates = append(candidates, d)
			}
		}
		for _, d := range onObject {
			if d.All {
				candidates = append(candidates, d)
			}
		}
		for _, d := range candidates {
			if d.Names(f.Rule) {
				f.Suppressed = &analyzer.Suppression{Kind: "inSource", Reason: d.Reason}
				break
			}
		}
	}
}

// objectKey identifies an object within a file: findings carry a Ref, not
// the object.
func objectKey(file string, r manifest.Ref) string {
	return file + "\x00" + r.APIVersion + "\x00" + r.Kind + "\x00" + r.Namespace + "\x00" + r.Name
}
