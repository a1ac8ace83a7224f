package helm

import (
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/manifest"
)

// ValueRef is a value of a values set that a rendered field was written
// from, and where that set writes it.
type ValueRef struct {
	// Key is the value's path (selector.app).
	Key string
	Pos manifest.Position
}

// Placed is a rendered document traced to its template.
type Placed struct {
	// File is the template on disk (absolute), or the archive of a
	// vendored subchart.
	File string
	// Values are, for the fields an action wrote from .Values, the values
	// behind them that a values file sets.
	Values map[*manifest.Node][]ValueRef
}

// Place moves every node of root (the parsed document of doc) to the line
// of the template that wrote it: the line of the same key at the same
// nesting when the template writes the key itself, else the line of the
// nearest enclosing key it writes, else the object's first line.
func (r *Rendering) Place(doc Doc, root *manifest.Node) Placed {
	out := Placed{File: r.TemplateFile(doc.Template)}
	src, ok := r.templates[doc.Template]
	if !ok || root == nil {
		setAll(root, 1, 1)
		return out
	}
	if r.indexes == nil {
		r.indexes = map[string]*templateIndex{}
	}
	idx := r.indexes[doc.Template]
	if idx == nil {
		idx = indexTemplate(src, nil)
		if idx.conflicts {
			// Several lines write one key: keep those of the branches
			// this rendering ran.
			if dead := r.deadLinesOf(doc.Template); len(dead) > 0 {
				idx = indexTemplate(src, dead)
			}
		}
		r.indexes[doc.Template] = idx
	}
	td := r.templateDoc(doc.Template, idx)[doc.Index]
	if td == nil {
		setAll(root, 1, 1)
		return out
	}
	p := &placer{r: r, doc: td, template: doc.Template, values: map[*manifest.Node][]ValueRef{}}
	objectAt := &templateKey{line: td.object, column: 1}
	p.place(root, "", objectAt, nil, true)
	if len(p.values) > 0 {
		out.Values = p.values
	}
	return out
}

type placer struct {
	r        *Rendering
	doc      *templateDoc
	template string
	values   map[*manifest.Node][]ValueRef
}

// place positions n, found at template path tpath (exact says the path
// is the node's own, not an ancestor's); at is the template key it is
// placed on, rest the keys below at that the template does not write.
func (p *placer) place(n *manifest.Node, tpath string, at *templateKey, rest []string, exact bool) {
	n.Line, n.Column = int32(at.line), int32(at.column)
	if len(at.refs) > 0 {
		if refs := p.refs(at.refs, rest); len(refs) > 0 {
			p.values[n] = refs
		}
	}
	switch n.Kind {
	case manifest.MappingNode:
		for i := 0; i+1 < len(n.Content()); i += 2 {
			key, val := n.Content()[i], n.Content()[i+1]
			child, childPath, childRest, childExact := at, tpath, append(append([]string(nil), rest...), key.Value()), false
			if exact {
				if e, ok := p.doc.entries[pathKey(tpath, key.Value())]; ok {
					child, childPath, childRest, childExact = e, pathKey(tpath, key.Value()), nil, true
				}
			}
			key.Line, key.Column = int32(child.line), int32(child.column)
			p.place(val, childPath, child, childRest, childExact)
			if refs, ok := p.values[val]; ok {
				p.values[key] = refs
			}
		}
	case manifest.SequenceNode:
		for i, item := range n.Content() {
			child, childPath, childRest, childExact := at, tpath, rest, false
			if exact {
				// Items a range writes come from one template item: the
				// last one written at or before i.
				for j := i; j >= 0; j-- {
					if e, ok := p.doc.entries[pathKey(tpath, itemSeg(j))]; ok {
						child, childPath, childRest, childExact = e, pathKey(tpath, itemSeg(j)), nil, true
						break
					}
				}
			}
			if !childExact {
				childRest = append(append([]string(nil), rest...), "["+strconv.Itoa(i)+"]")
			}
			p.place(item, childPath, child, childRest, childExact)
		}
	}
}

// refs are the values behind a field: the values the template line's
// actions read, followed by the keys below it the template does not write,
// as far as a values set writes them.
func (p *placer) refs(written [][]string, rest []string) []ValueRef {
	var out []ValueRef
	for _, ref := range written {
		key := append(append([]string(nil), ref...), keysOnly(rest)...)
		if v, ok := p.r.locateValue(p.template, key, len(ref)); ok {
			out = append(out, v)
		}
	}
	return out
}

func keysOnly(segs []string) []string {
	var out []string
	for _, s := range segs {
		if strings.HasPrefix(s, "[") {
			break // a list in values: its items have no keys to find
		}
		out = append(out, s)
	}
	return out
}

// locateValue finds the values set that writes key (at least its first min
// elements), the last set that does: the one whose value wins. A template
// of a subchart reads its part of the parent's values, then its own
// values.yaml.
func (r *Rendering) locateValue(template string, key []string, min int) (ValueRef, bool) {
	// The chart whose template this is, and its path below the root.
	var prefix []string
	best := r.Chart.ChartFullPath()
	for full := range r.paths {
		if strings.HasPrefix(template, full+"/templates/") && len(full) > len(best) {
			best = full
		}
	}
	if rel := strings.TrimPrefix(best, r.Chart.ChartFullPath()); rel != "" {
		for _, part := range strings.Split(strings.Trim(rel, "/"), "/") {
			if part != "charts" {
				prefix = append(prefix, part)
			}
		}
	}
	try := func(s ValuesSource, key []string) (ValueRef, bool) {
		for n := len(key); n >= min && n > 0; n-- {
			if pos, ok := r.locate(s, key[:n]); ok {
				return ValueRef{Key: strings.Join(key[:n], "."), Pos: pos}, true
			}
		}
		return ValueRef{}, false
	}
	full := append(append([]string(nil), prefix...), key...)
	for i := len(r.Sources) - 1; i >= 0; i-- {
		if v, ok := try(r.Sources[i], full); ok {
			return v, true
		}
	}
	if v, ok := try(ownValues(r.Dir), full); ok {
		return v, true
	}
	if len(prefix) > 0 {
		if dir, ok := r.paths[best]; ok && !strings.HasSuffix(dir, ".tgz") {
			return try(ownValues(dir), key)
		}
	}
	return ValueRef{}, false
}

func setAll(n *manifest.Node, line, col int32) {
	if n == nil {
		return
	}
	n.Line, n.Column = line, col
	for _, c := range n.Content() {
		setAll(c, line, col)
	}
}

// templateDoc matches the documents a template rendered to the template's
// documents, in order: each goes to the next template document that fits
// its kind and name (where the template writes them literally), or to the
// one before again when none does (a range writes several objects from one
// document). Documents an if left out are skipped over.
func (r *Rendering) templateDoc(template string, idx *templateIndex) map[int]*templateDoc {
	if m, ok := r.docOf[template]; ok {
		return m
	}
	if r.docOf == nil {
		r.docOf = map[string]map[int]*templateDoc{}
	}
	var docs []Doc
	for _, d := range r.Docs {
		if d.Template == template {
			docs = append(docs, d)
		}
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Index < docs[j].Index })
	out := map[int]*templateDoc{}
	fits := func(td *templateDoc, d Doc) bool {
		return (td.kind == "" || td.kind == d.Kind) && (td.name == "" || td.name == d.Name)
	}
	prev := -1
	for _, d := range docs {
		at := -1
		for j := prev + 1; j < len(idx.docs) && at < 0; j++ {
			if fits(idx.docs[j], d) {
				at = j
			}
		}
		if at < 0 && prev >= 0 && fits(idx.docs[prev], d) {
			at = prev
		}
		for j := 0; j < len(idx.docs) && at < 0; j++ {
			if fits(idx.docs[j], d) {
				at = j
			}
		}
		if at < 0 {
			if len(idx.docs) == 0 {
				continue
			}
			at = min(max(prev, 0), len(idx.docs)-1)
		}
		out[d.Index] = idx.docs[at]
		prev = at
	}
	r.docOf[template] = out
	return out
}
