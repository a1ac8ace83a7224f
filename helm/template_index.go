package helm

import (
	"regexp"
	"strconv"
	"strings"
)

// A template is YAML with Go template actions in it, so it cannot be parsed
// as YAML. templateIndex reads it line by line instead: every line that
// writes a literal key ("  port: {{ .Values.port }}", "- name: http") is
// placed in the mapping and sequence nesting its indentation gives, so that
// a rendered field can be traced back to the line that wrote its key. Keys
// an action writes (include, toYaml) are not in the template: a field under
// them is traced to the nearest key that is.

// templateIndex is one template's documents.
type templateIndex struct {
	docs []*templateDoc
	// conflicts says a document writes a key on more than one line (in
	// branches of an if, most likely).
	conflicts bool
}

// templateDoc is one document of a template (the text between "---" lines).
type templateDoc struct {
	// start is the document's first line; object is the line of its
	// first key (apiVersion or kind, usually): where an object rendered
	// from it starts.
	start, object int
	// kind and name are literal when the template writes them so.
	kind, name string
	entries    map[string]*templateKey
}

// templateKey is one literal key (or sequence item) of a template.
type templateKey struct {
	line, column int
	// refs are the values the key's line, and the lines of actions that
	// follow it indented deeper (the "{{- toYaml .Values.x | nindent 4 }}"
	// under "matchLabels:"), write out: what its value may be made of.
	refs [][]string
}

// pathKey joins a path of keys and item numbers.
func pathKey(parent, seg string) string {
	if parent == "" {
		return seg
	}
	return parent + "\x00" + seg
}

func itemSeg(i int) string { return "\x01" + strconv.Itoa(i) }

var (
	// A key: plain (no action in it) or quoted, followed by ':' and a space
	// or the end of the line.
	literalKey = regexp.MustCompile(`^("[^"]*"|'[^']*'|[^\s"'{#\-?:][^#]*?|-[^\s#][^#]*?):(\s|$)`)
	actions    = regexp.MustCompile(`\{\{.*?\}\}`)
)

type frame struct {
	indent int
	path   string
	item   bool
	block  bool // a key whose value is on the next lines
	items  int  // items seen of the sequence under this key
	entry  *templateKey
}

// indexTemplate indexes text, leaving out the dead lines (those only
// branches that did not run write) but for the control actions on them.
func indexTemplate(text string, dead map[int]bool) *templateIndex {
	idx := &templateIndex{}
	lines := strings.Split(text, "\n")
	var doc *templateDoc
	var stack []*frame
	var last *frame     // the last key, which owns the action lines after it
	blockScalarAt := -1 // indentation of a key whose value is a block scalar
	var sc scopes       // what "." is; control actions span documents
	newDoc := func(line int) {
		doc = &templateDoc{start: line, entries: map[string]*templateKey{}}
		idx.docs = append(idx.docs, doc)
		stack, last, blockScalarAt = nil, nil, -1
	}
	newDoc(1)
	for i, raw := range lines {
		lineNo := i + 1
		if dead[lineNo] {
			sc.scan(raw)
			continue
		}
		if strings.HasPrefix(raw, "---") && (len(raw) == 3 || raw[3] == ' ' || raw[3] == '\t' || raw[3] == '\r') {
			newDoc(lineNo + 1)
			continue
		}
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		refs := sc.scan(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if blockScalarAt >= 0 {
			if indent > blockScalarAt {
				continue
			}
			blockScalarAt = -1
		}
		if strings.TrimSpace(actions.ReplaceAllString(trimmed, "")) == "" {
			// Only actions: they write what the key above them holds, when
			// indented under it, or level with it when its value is on
			// the next lines (nindent indents what they write).
			if last != nil && last.entry != nil && (indent > last.indent || indent == last.indent && last.block) {
				last.entry.refs = append(last.entry.refs, refs...)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "{{") {
			// An action and then text ("{{- if .x }}key: v"): its nesting
			// cannot be told.
			continue
		}
		col := indent
		rest := trimmed
		for rest == "-" || strings.HasPrefix(rest, "- ") {
			// A sequence item: its parent is the key above at a smaller
			// indentation, or one at the same indentation whose value is
			// on the next lines (a sequence not indented under its key).
			for len(stack) > 0 {
				top := stack[len(stack)-1]
				if top.indent < col || (top.indent == col && !top.item && top.block) {
					break
				}
				stack = stack[:len(stack)-1]
			}
			parent := ""
			n := 0
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				parent = top.path
				n = top.items
				top.items++
			} else {
				n = 0
			}
			p := pathKey(parent, itemSeg(n))
			e := &templateKey{line: lineNo, column: col + 1, refs: refs}
			doc.entries[p] = e
			f := &frame{indent: col, path: p, item: true, entry: e}
			stack = append(stack, f)
			last = f
			after := strings.TrimLeft(strings.TrimPrefix(rest, "-"), " ")
			col += len(rest) - len(after)
			rest = after
		}
		if rest == "" {
			continue
		}
		m := literalKey.FindStringSubmatch(rest)
		if m == nil || strings.Contains(m[1], "{{") {
			continue // a scalar item, a flow collection, a key an action writes
		}
		key := strings.Trim(m[1], `"'`)
		if strings.HasPrefix(m[1], `"`) {
			if s, err := strconv.Unquote(m[1]); err == nil {
				key = s
			}
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= col {
			stack = stack[:len(stack)-1]
		}
		parent := ""
		if len(stack) > 0 {
			parent = stack[len(stack)-1].path
		}
		value := strings.TrimSpace(rest[len(m[0]):])
		if strings.HasPrefix(value, "#") {
			value = ""
		}
		p := pathKey(parent, key)
		e := &templateKey{line: lineNo, column: col + 1, refs: refs}
		if _, dup := doc.entries[p]; !dup {
			doc.entries[p] = e
		} else {
			idx.conflicts = true
		}
		f := &frame{indent: col, path: p, entry: e,
			block: value == "" || strings.TrimSpace(actions.ReplaceAllString(value, "")) == ""}
		stack = append(stack, f)
		last = f
		if strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">") {
			blockScalarAt = col
		}
		if parent == "" {
			if doc.object == 0 {
				doc.object = lineNo
			}
			if key == "kind" && !strings.Contains(value, "{{") {
				doc.kind = strings.Trim(value, `"'`)
			}
		}
		if parent == "metadata" && key == "name" && !strings.Contains(value, "{{") {
			doc.name = strings.Trim(value, `"'`)
		}
	}
	// Documents with no key at all (a comment, an empty "if") render
	// nothing.
	out := idx.docs[:0]
	for _, d := range idx.docs {
		if d.object != 0 {
			out = append(out, d)
		}
	}
	idx.docs = out
	return idx
}
