package loader

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
)

// A field a kustomize patch sets is located in the patch, at the line the
// patch gives it: that is the line to fix. Kustomize records no such thing
// (its origin annotation names the resource's file only), so meshlint reads
// the patches of the kustomizations a resource went through and lays each
// over the built resource, the way kustomize applied it.

// patch is one patch of a kustomization.
type patch struct {
	file string // as shown
	// docs are the patch's documents: strategic-merge patches, or one
	// sequence of JSON 6902 operations.
	docs     []*manifest.Node
	json6902 bool
	target   *patchTarget // nil: each document names its target
}

// patchTarget selects the resources a patch applies to.
type patchTarget struct {
	Group              string `yaml:"group"`
	Version            string `yaml:"version"`
	Kind               string `yaml:"kind"`
	Name               string `yaml:"name"`
	Namespace          string `yaml:"namespace"`
	LabelSelector      string `yaml:"labelSelector"`
	AnnotationSelector string `yaml:"annotationSelector"`
}

// patchesOf reads the patches k lists, once.
func (l *loader) patchesOf(k *kustomization) []*patch {
	if k.root == nil {
		return nil
	}
	if k.patches != nil {
		return *k.patches
	}
	var out []*patch
	k.patches = &out
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		key, val := k.root.Content[i].Value, k.root.Content[i+1]
		if val.Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range val.Content {
			var p *patch
			switch key {
			case "patchesStrategicMerge":
				if item.Kind == yaml.ScalarNode {
					p = l.readPatch(k, item, nil)
				}
			case "patches", "patchesJson6902":
				if item.Kind != yaml.MappingNode {
					continue
				}
				var entry struct {
					Path   string       `yaml:"path"`
					Target *patchTarget `yaml:"target"`
				}
				if item.Decode(&entry) != nil {
					continue
				}
				var content *yaml.Node
				for j := 0; j+1 < len(item.Content); j += 2 {
					switch item.Content[j].Value {
					case "path", "patch":
						content = item.Content[j+1]
					}
				}
				if content != nil {
					p = l.readPatch(k, content, entry.Target)
				}
			}
			if p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// readPatch parses a patch named (a file) or written inline by ref.
func (l *loader) readPatch(k *kustomization, ref *yaml.Node, target *patchTarget) *patch {
	p := &patch{target: target}
	path := filepath.Join(k.dir, ref.Value)
	if info, err := os.Stat(path); err == nil && !info.IsDir() && !strings.Contains(ref.Value, "\n") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		p.file = l.display(path)
		p.docs = parseNodes(data, 0, 0)
	} else {
		// Inline, in the kustomization file: its lines are the file's.
		p.file = l.display(k.file)
		line, col := inlineStart(k.data, ref)
		p.docs = parseNodes([]byte(ref.Value), line, col)
	}
	if len(p.docs) == 0 {
		return nil
	}
	p.json6902 = p.docs[0].Kind == manifest.SequenceNode
	return p
}

// inlineStart is where a patch written inline as a YAML string starts: the
// line before its first (0-based offset) and the columns its text is
// indented by.
func inlineStart(data []byte, ref *yaml.Node) (lineOffset, colOffset int) {
	if ref.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		// On one line; a quoted string's text starts after its quote
		// (escapes inside it are not counted: approximate).
		if ref.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			return ref.Line - 1, ref.Column
		}
		return ref.Line - 1, ref.Column - 1
	}
	lines := bytes.Split(data, []byte("\n"))
	for i := ref.Line; i < len(lines); i++ {
		if t := bytes.TrimLeft(lines[i], " "); len(t) > 0 {
			return ref.Line, len(lines[i]) - len(t)
		}
	}
	return ref.Line, 0
}

// parseNodes parses every document of data; lines are shifted by
// lineOffset and columns by colOffset.
func parseNodes(data []byte, lineOffset, colOffset int) []*manifest.Node {
	var out []*manifest.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) || err != nil {
			return out
		}
		if len(root.Content) == 0 || manifest.AliasExpansion(root.Content[0], manifest.MaxExpandedNodes) > manifest.MaxExpandedNodes {
			continue
		}
		n := manifest.FromYAML(&root, lineOffset)
		if colOffset > 0 {
			shiftColumns(n, int32(colOffset))
		}
		out = append(out, n)
	}
}

func shiftColumns(n *manifest.Node, by int32) {
	seen := map[*manifest.Node]bool{}
	var walk func(n *manifest.Node)
	walk = func(n *manifest.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		n.Column += by
		for _, c := range n.Content() {
			walk(c)
		}
	}
	walk(n)
}

// resourceID is what patches select a built resource by.
type resourceID struct {
	apiVersion, kind, name, namespace string
	// original is the name in the file the resource came from, before
	// prefixes and suffixes.
	original    string
	labels      map[string]string
	annotations map[string]string
}

func (t *patchTarget) matches(id resourceID) bool {
	group, version := "", id.apiVersion
	if i := strings.LastIndexByte(id.apiVersion, '/'); i >= 0 {
		group, version = id.apiVersion[:i], id.apiVersion[i+1:]
	}
	if (t.Kind != "" && t.Kind != id.kind) || (t.Group != "" && t.Group != group) || (t.Version != "" && t.Version != version) {
		return false
	}
	if t.Name != "" && !anchored(t.Name, id.name) && !anchored(t.Name, id.original) {
		return false
	}
	if t.Namespace != "" && !anchored(t.Namespace, id.namespace) {
		return false
	}
	for _, sel := range []struct {
		text string
		set  map[string]string
	}{{t.LabelSelector, id.labels}, {t.AnnotationSelector, id.annotations}} {
		if sel.text == "" {
			continue
		}
		s, err := labels.Parse(sel.text)
		if err != nil || !s.Matches(labels.Set(sel.set)) {
			return false
		}
	}
	return true
}

// anchored matches a kustomize target name, which is a regular expression
// of the whole name.
func anchored(pattern, s string) bool {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return pattern == s
	}
	return re.MatchString(s)
}

// namesResource reports whether a strategic-merge patch document (without
// a target) is about the resource: its kind and name, before or after the
// kustomization's prefixes and suffixes.
func namesResource(doc *manifest.Node, id resourceID) bool {
	kind := manifest.ScalarString(manifest.MapGet(doc, "kind"))
	name := manifest.ScalarString(manifest.MapGet(manifest.MapGet(doc, "metadata"), "name"))
	return kind == id.kind && name != "" && (name == id.original || name == id.name || strings.Contains(id.name, name))
}

// patchLayer lays patches over one built resource, moving the position of
// every field they set (and the file it is in) to the patch.
type patchLayer struct {
	file  string
	files map[*manifest.Node]string
	// added are the keys of the built resource that its source lacks:
	// a patch that writes them writes all below them.
	added map[*manifest.Node]bool
}

func (pl *patchLayer) set(built, from *manifest.Node) {
	built.Line, built.Column = from.Line, from.Column
	pl.files[built] = pl.file
	if c := from.Comments(); c != (manifest.Comments{}) {
		built.SetComments(c)
	}
}

// all moves every node of built that from has, matched by key and index.
func (pl *patchLayer) all(built, from *manifest.Node) {
	if built == nil || from == nil || built.Kind != from.Kind {
		return
	}
	pl.set(built, from)
	switch from.Kind {
	case manifest.MappingNode:
		for i := 0; i+1 < len(from.Content()); i += 2 {
			if bk, bv := mapPair(built, from.Content()[i].Value()); bk != nil {
				pl.set(bk, from.Content()[i])
				pl.all(bv, from.Content()[i+1])
			}
		}
	case manifest.SequenceNode:
		for i, item := range from.Content() {
			if i < len(built.Content()) {
				pl.all(built.Content()[i], item)
			}
		}
	}
}

// mergeKeys are the fields strategic merge matches list items by.
var mergeKeys = []string{"name", "containerPort", "mountPath", "port", "ip", "topologyKey"}

// merge lays a strategic-merge patch over built: mappings merge key by key,
// lists of items with a merge key merge item by item, other lists and
// scalars are replaced (so all of them comes from the patch).
func (pl *patchLayer) merge(built, from *manifest.Node, depth int) {
	if built == nil || from == nil {
		return
	}
	switch {
	case from.Kind == manifest.MappingNode && built.Kind == manifest.MappingNode:
		for i := 0; i+1 < len(from.Content()); i += 2 {
			key, val := from.Content()[i], from.Content()[i+1]
			if strings.HasPrefix(key.Value(), "$") {
				continue // directives: $patch, $setElementOrder/...
			}
			if depth == 0 && (key.Value() == "apiVersion" || key.Value() == "kind") {
				continue // they name the target
			}
			bk, bv := mapPair(built, key.Value())
			if bk == nil {
				continue
			}
			if depth == 1 && (key.Value() == "name" || key.Value() == "namespace") {
				continue // metadata.name and namespace name the target
			}
			switch {
			case val.Kind == manifest.MappingNode && !pl.added[bk]:
				pl.merge(bv, val, depth+1)
			case val.Kind == manifest.SequenceNode && bv.Kind == manifest.SequenceNode:
				pl.set(bk, key)
				pl.mergeList(bv, val, depth+1)
			default:
				pl.set(bk, key)
				pl.all(bv, val)
			}
		}
	case from.Kind == manifest.SequenceNode && built.Kind == manifest.SequenceNode:
		pl.mergeList(built, from, depth)
	default:
		pl.all(built, from)
	}
}

func (pl *patchLayer) mergeList(built, from *manifest.Node, depth int) {
	for _, item := range from.Content() {
		key := itemKey(item)
		if key == "" {
			pl.all(built, from) // replaced whole
			return
		}
	}
	for _, item := range from.Content() {
		for _, b := range built.Content() {
			if itemKey(b) == itemKey(item) {
				pl.set(b, item)
				pl.merge(b, item, depth+1)
			}
		}
	}
}

// itemKey is a list item's merge key and value, or "".
func itemKey(item *manifest.Node) string {
	if item.Kind != manifest.MappingNode {
		return ""
	}
	for _, k := range mergeKeys {
		if v := manifest.MapGet(item, k); v != nil && v.Kind == manifest.ScalarNode {
			return k + "=" + v.Value()
		}
	}
	return ""
}

func mapPair(n *manifest.Node, key string) (k, v *manifest.Node) {
	if n == nil || n.Kind != manifest.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content()); i += 2 {
		if n.Content()[i].Value() == key {
			return n.Content()[i], n.Content()[i+1]
		}
	}
	return nil, nil
}

// chain lists the kustomizations a build went through, those it includes
// before those that include them: the order their patches apply in.
func (l *loader) chain(k *kustomization) []*kustomization {
	var out []*kustomization
	seen := map[string]bool{}
	var visit func(k *kustomization)
	visit = func(k *kustomization) {
		if seen[k.dir] {
			return
		}
		seen[k.dir] = true
		for _, inc := range k.includes {
			if sub := l.kustomizationAt(inc); sub != nil {
				visit(sub)
			}
		}
		out = append(out, k)
	}
	visit(k)
	return out
}

// locatePatches moves the fields of built that the patches of the
// kustomizations it went through set; srcFile is the resource's file
// (absolute), src its object there (nil: generated). It returns the node
// files, nil when no patch applies.
func (l *loader) locatePatches(k *kustomization, srcFile string, src *manifest.Node, id resourceID, built *manifest.Node, added map[*manifest.Node]bool) map[*manifest.Node]string {
	// The patches in the order kustomize applies them: a strategic-merge
	// document, or one JSON 6902 operation.
	type step struct {
		file string
		doc  *manifest.Node
		op   *jsonOp
	}
	var steps []step
	var ops []*jsonOp
	for _, pk := range l.chain(k) {
		patches := l.patchesOf(pk)
		if len(patches) == 0 || !l.draws(pk, srcFile) {
			continue
		}
		for _, p := range patches {
			switch {
			case p.json6902:
				if p.target != nil && p.target.matches(id) {
					for _, op := range parseOps(p.docs[0], p.file) {
						steps = append(steps, step{file: p.file, op: op})
						ops = append(ops, op)
					}
				}
			default:
				for _, doc := range p.docs {
					if (p.target != nil && p.target.matches(id)) || (p.target == nil && namesResource(doc, id)) {
						steps = append(steps, step{file: p.file, doc: doc})
					}
				}
			}
		}
	}
	if len(steps) == 0 {
		return nil
	}
	resolveOps(built, ops)
	shiftSource(built, src, ops, added)
	files := map[*manifest.Node]string{}
	for _, s := range steps {
		pl := &patchLayer{file: s.file, files: files, added: added}
		if s.op != nil {
			pl.json6902(built, s.op)
		} else {
			pl.merge(built, s.doc, 0)
		}
	}
	if len(files) == 0 {
		return nil
	}
	return files
}

// draws reports whether the resource file src passes through k: k lists
// it, or includes what lists it. A generated resource's file is the
// kustomization that generates it.
func (l *loader) draws(k *kustomization, src string) bool {
	if src == k.file {
		return true
	}
	for _, p := range l.closure(k, false) {
		if p == src {
			return true
		}
		if sub := l.kustomizationAt(p); sub != nil && sub.file == src {
			return true
		}
	}
	return false
}
