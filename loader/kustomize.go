package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshlint/meshlint/manifest"
)

// kustomizationNames are the file names kustomize recognises, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

const originAnnotation = "config.kubernetes.io/origin"

// KustomizationFile returns the kustomization file of dir, or "".
func KustomizationFile(dir string) string {
	for _, n := range kustomizationNames {
		p := filepath.Join(dir, n)
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	return ""
}

func isKustomizationName(path string) bool {
	base := filepath.Base(path)
	for _, n := range kustomizationNames {
		if base == n {
			return true
		}
	}
	return false
}

// originFS is the disk, except that every kustomization it hands to krusty
// asks for origin annotations: they are how a built resource is traced back
// to the file and field the user wrote.
type originFS struct {
	filesys.FileSystem
}

func (f originFS) ReadFile(path string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(path)
	if err != nil || !isKustomizationName(path) {
		return data, err
	}
	return withOriginAnnotations(data), nil
}

// withOriginAnnotations adds originAnnotations to the kustomization's
// buildMetadata. A kustomization that does not parse is returned unchanged so
// that kustomize reports its own error.
func withOriginAnnotations(data []byte) []byte {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data
	}
	root := doc.Content[0]
	var bm *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "buildMetadata" {
			bm = root.Content[i+1]
		}
	}
	if bm == nil {
		root.Content = append(root.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"},
			&yaml.Node{Kind: yaml.SequenceNode})
		bm = root.Content[len(root.Content)-1]
	}
	if bm.Kind != yaml.SequenceNode {
		return data
	}
	for _, item := range bm.Content {
		if item.Value == "originAnnotations" {
			return data
		}
	}
	bm.Content = append(bm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "originAnnotations"})
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return data
	}
	return out
}

func looksRemote(ref string) bool {
	if strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@") || strings.Contains(ref, "?ref=") ||
		strings.Contains(ref, ".git/") || strings.HasSuffix(ref, ".git") {
		return true
	}
	first := strings.SplitN(ref, "/", 2)[0]
	return strings.Contains(first, ".") && first != "." && first != ".." && !strings.HasSuffix(first, ".yaml") && !strings.HasSuffix(first, ".yml")
}

// build runs kustomize on dir. Remote resources are refused unless allowed.
func (l *loader) build(k *kustomization) (resmap.ResMap, *buildError) {
	if !l.opts.AllowRemote {
		if remote := l.remoteRefs(k); len(remote) > 0 {
			return nil, &buildError{k: k, ref: remote[0],
				msg: fmt.Sprintf("kustomization refers to remote resources (%s); pass --allow-remote (or set allow-remote: true in the config file) to fetch them", strings.Join(remote, ", "))}
		}
	}
	opts := krusty.MakeDefaultOptions()
	if l.opts.AllowRemote {
		opts.LoadRestrictions = 0 // LoadRestrictionsNone: remote bases need it
	}
	resources, err := l.runKustomize(krusty.MakeKustomizer(opts), k.dir)
	if err != nil {
		if m := missingResource.FindStringSubmatch(err.Error()); m != nil {
			return nil, &buildError{k: k, ref: m[1], msg: fmt.Sprintf("kustomize build failed: resource %s: no such file or directory", m[1])}
		}
		return nil, &buildError{k: k, msg: "kustomize build failed: " + l.buildMessage(k, err)}
	}
	return resources, nil
}

// missingResource finds the resource kustomize could not find in its chain
// of errors ("accumulating resources from 'x.yaml': ... no such file").
var missingResource = regexp.MustCompile(`accumulating resources from '([^']+)': .*no such file or directory`)

// buildMessage is kustomize's error with paths relative to the working
// directory (kustomize prints them absolute).
func (l *loader) buildMessage(k *kustomization, err error) string {
	msg := err.Error()
	for _, dir := range []string{k.dir, l.opts.WorkDir} {
		if abs, e := filepath.Abs(dir); e == nil {
			rel := l.display(abs)
			if rel == "." {
				rel = ""
			} else {
				rel += "/"
			}
			msg = strings.ReplaceAll(msg, abs+string(filepath.Separator), rel)
		}
	}
	return msg
}

// buildError is a kustomization that does not build; ref is the reference
// to blame, when known.
type buildError struct {
	k   *kustomization
	ref string
	msg string
}

// addBuild adds the resources of a kustomization built, as one part.
func (l *loader) addBuild(k *kustomization, named bool, resources resmap.ResMap) {
	l.flush() // objects stay in the order their files and builds were found
	l.part = l.kustomizationPart(k, named)
	sources := map[string][]*manifest.Object{}
	for _, res := range resources.Resources() {
		l.addBuiltResource(k.dir, res, sources)
	}
	// Count the files the resources came from, as a plain directory would.
	if len(sources) == 0 {
		l.countFile(l.display(k.file))
	}
	for src := range sources {
		l.countFile(l.display(src))
	}
}

// addBuiltResource adds one resource of a kustomize build. Its content is
// what kustomize built; its positions are those of the document it came from,
// field by field, so findings point at what the user wrote.
func (l *loader) addBuiltResource(dir string, res *resource.Resource, sources map[string][]*manifest.Object) {
	origin, _ := res.GetOrigin()
	data, err := res.AsYAML()
	if err != nil {
		l.problem(manifest.Position{File: l.display(dir)}, "kustomize produced a resource meshlint cannot read: %v", err)
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		l.problem(manifest.Position{File: l.display(dir)}, "kustomize produced a resource meshlint cannot read: %v", err)
		return
	}
	built := manifest.FromYAML(&doc, 0)
	removeAnnotation(built, originAnnotation)

	file := KustomizationFile(dir)
	var src *manifest.Object
	if origin != nil && origin.Repo == "" && origin.Path != "" {
		srcPath := filepath.Join(dir, origin.Path)
		if origin.ConfiguredIn != "" {
			srcPath = filepath.Join(dir, origin.ConfiguredIn)
		}
		file = srcPath
		objs, ok := sources[srcPath]
		if !ok {
			objs = l.sourceObjects(srcPath)
			sources[srcPath] = objs
		}
		src = matchSource(objs, res.GetKind(), res.GetName())
	}
	var pos *manifest.Node
	if src != nil {
		pos = src.Node
	}
	added := map[*manifest.Node]bool{}
	copyPositions(built, pos, &manifest.Node{Line: 1, Column: 1}, added)
	if k := l.kustomizationAt(dir); k != nil {
		abs, _ := filepath.Abs(file)
		id := resourceID{apiVersion: res.GetApiVersion(), kind: res.GetKind(), name: res.GetName(), namespace: res.GetNamespace(),
			labels: res.GetLabels(), annotations: res.GetAnnotations(), original: res.GetName()}
		if src != nil {
			id.original = src.Name
		}
		l.nodeFiles = l.locatePatches(k, abs, pos, id, built, added)
	}
	l.addObject(l.builtFile(file, src), built, "")
	l.nodeFiles = nil
}

// removeAnnotation drops an annotation meshlint asked kustomize for, so the
// object reads as the user's own.
func removeAnnotation(obj *manifest.Node, key string) {
	meta := manifest.MapGet(obj, "metadata")
	ann := manifest.MapGet(meta, "annotations")
	if ann == nil || ann.Kind != manifest.MappingNode {
		return
	}
	for i := 0; i+1 < len(ann.Content()); i += 2 {
		if ann.Content()[i].Value() == key {
			ann.SetContent(append(ann.Content()[:i], ann.Content()[i+2:]...))
			break
		}
	}
	if len(ann.Content()) == 0 {
		for i := 0; i+1 < len(meta.Content()); i += 2 {
			if meta.Content()[i].Value() == "annotations" {
				meta.SetContent(append(meta.Content()[:i], meta.Content()[i+2:]...))
				break
			}
		}
	}
}

// sourceObjects parses a file a kustomization drew resources from, only to
// learn positions; its objects are not added to the set.
func (l *loader) sourceObjects(path string) []*manifest.Object {
	if objs, ok := l.renderedSource(path); ok {
		return objs
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	sub := &loader{opts: l.opts, res: &Result{}, seenDirs: map[string]bool{}}
	sub.part = sub.filePart(l.display(path), path)
	sub.queueFile(l.display(path), data, false)
	sub.flush()
	return sub.res.Objects
}

// matchSource finds the document a built resource came from. Name prefixes,
// suffixes and hashes change the name, so the longest original name inside
// the built one wins when none is equal.
func matchSource(objs []*manifest.Object, kind, name string) *manifest.Object {
	var best *manifest.Object
	for _, o := range objs {
		if o.Kind != kind {
			continue
		}
		if o.Name == name {
			return o
		}
		if strings.Contains(name, o.Name) && (best == nil || len(o.Name) > len(best.Name)) {
			best = o
		}
	}
	if best != nil {
		return best
	}
	for _, o := range objs {
		if o.Kind == kind {
			return o
		}
	}
	return nil
}

// copyPositions gives every node of built the line and column of the same
// field in src; fields kustomize added take those of their nearest ancestor,
// and their keys are recorded in added.
func copyPositions(built, src, fallback *manifest.Node, added map[*manifest.Node]bool) {
	at := fallback
	if src != nil {
		at = src
	}
	built.Line, built.Column = at.Line, at.Column
	if src != nil {
		copyComments(built, src)
	}
	switch built.Kind {
	case manifest.MappingNode:
		for i := 0; i+1 < len(built.Content()); i += 2 {
			key, val := built.Content()[i], built.Content()[i+1]
			var srcKey, srcVal *manifest.Node
			if src != nil && src.Kind == manifest.MappingNode {
				for j := 0; j+1 < len(src.Content()); j += 2 {
					if src.Content()[j].Value() == key.Value() {
						srcKey, srcVal = src.Content()[j], src.Content()[j+1]
						break
					}
				}
			}
			if srcKey != nil {
				key.Line, key.Column = srcKey.Line, srcKey.Column
				copyComments(key, srcKey)
			} else {
				key.Line, key.Column = at.Line, at.Column
				added[key] = true
			}
			copyPositions(val, srcVal, at, added)
		}
	case manifest.SequenceNode:
		for i, item := range built.Content() {
			var srcItem *manifest.Node
			if src != nil && src.Kind == manifest.SequenceNode {
				// A strategic-merge patch may reorder a list it merges by
				// key (containers by name): find the item by its key.
				if key := itemKey(item); key != "" {
					for _, s := range src.Content() {
						if itemKey(s) == key {
							srcItem = s
							break
						}
					}
				} else if i < len(src.Content()) {
					srcItem = src.Content()[i]
				}
			}
			copyPositions(item, srcItem, at, added)
		}
	}
}

// copyComments carries the source's comments over, since kustomize drops
// them: `# meshlint:ignore` comments must work in kustomizations too.
func copyComments(built, src *manifest.Node) {
	if built.Comments() == (manifest.Comments{}) {
		built.SetComments(src.Comments())
	}
}
