package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resmap"

	"github.com/meshlint/meshlint/manifest"
)

// entry is a file or kustomization met while reading the paths, in order.
// Nothing is read until every kustomization is known: a build decides which
// files below it are its own and which are plain manifests.
type entry struct {
	path          string
	named         bool // on the command line, not found while walking
	kustomization bool // a directory holding a kustomization file
	chart         bool // a directory holding a Helm chart (helm.go)
	data          []byte
}

// kustomization is a kustomization file, read once.
type kustomization struct {
	dir, file string // absolute
	data      []byte
	root      *yaml.Node
	// includes are the local resources, bases and components, absolute.
	includes []string
	// remote are the remote ones, as written.
	remote []string
	// refs are every existing file or directory a value of the file names
	// (resources, patches, generator sources, ...), absolute: what the
	// build reads.
	refs []string
	// patches are its patches, once read (patches.go).
	patches *[]*patch
	// component is set for kind: Component, which kustomize builds only as
	// part of a kustomization that lists it under components.
	component bool
}

// kustomizationAt reads the kustomization of dir once; nil when dir has none.
func (l *loader) kustomizationAt(dir string) *kustomization {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	if k, ok := l.kustomizations[abs]; ok {
		return k
	}
	file := KustomizationFile(abs)
	if file == "" {
		l.kustomizations[abs] = nil
		return nil
	}
	k := &kustomization{dir: abs, file: file}
	l.kustomizations[abs] = k
	data, err := os.ReadFile(file)
	if err != nil {
		return k
	}
	k.data = data
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return k // kustomize reports what is wrong when it builds
	}
	k.root = doc.Content[0]
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		key, val := k.root.Content[i].Value, k.root.Content[i+1]
		if key == "kind" && val.Value == "Component" {
			k.component = true
		}
		if key != "resources" && key != "bases" && key != "components" {
			continue
		}
		for _, item := range val.Content {
			ref := item.Value
			if item.Kind != yaml.ScalarNode || ref == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(abs, ref)); err == nil {
				k.includes = append(k.includes, filepath.Join(abs, ref))
			} else if looksRemote(ref) {
				k.remote = append(k.remote, ref)
			}
		}
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			// Generators name files as "key=path" too.
			for _, v := range []string{n.Value, n.Value[strings.IndexByte(n.Value, '=')+1:]} {
				if v == "" || strings.ContainsAny(v, "\n") || len(v) > 4096 {
					continue
				}
				p := filepath.Join(abs, v)
				if _, err := os.Stat(p); err == nil && p != abs {
					k.refs = append(k.refs, p)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(k.root)
	k.refs = append(k.refs, helmChartDirs(abs, k.root)...)
	return k
}

// closure lists the paths k draws on, following the local kustomizations
// it includes: with all, every file any of them names (patches and
// generator sources too); without, only their resources, bases and
// components.
func (l *loader) closure(k *kustomization, all bool) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(k *kustomization)
	visit = func(k *kustomization) {
		if seen[k.dir] {
			return
		}
		seen[k.dir] = true
		if all {
			out = append(out, k.refs...)
		}
		for _, inc := range k.includes {
			out = append(out, inc)
			if sub := l.kustomizationAt(inc); sub != nil {
				visit(sub)
			}
		}
	}
	visit(k)
	return out
}

// remoteRefs lists the remote resources k and the kustomizations it
// includes name.
func (l *loader) remoteRefs(k *kustomization) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(k *kustomization)
	visit = func(k *kustomization) {
		if seen[k.dir] {
			return
		}
		seen[k.dir] = true
		out = append(out, k.remote...)
		for _, inc := range k.includes {
			if sub := l.kustomizationAt(inc); sub != nil {
				visit(sub)
			}
		}
	}
	visit(k)
	return out
}

// loadEntries reads what loadPath met. Kustomizations named on the command
// line are built; so is each one found while walking that no other build
// includes (a base beside its overlays is built only as part of them). A
// found one that does not build is a problem (MSH009) and the rest is still
// read; if it included others, they are built on their own. Files below a
// kustomization that no build reads are plain manifests, and its directory
// says so (MSH010).
func (l *loader) loadEntries() error {
	type build struct {
		k         *kustomization
		named     bool
		resources resmap.ResMap
		err       *buildError
		tried     bool
	}
	builds := map[int]*build{}
	var order []int
	for i, e := range l.entries {
		if !e.kustomization {
			continue
		}
		if k := l.kustomizationAt(e.path); k != nil {
			builds[i] = &build{k: k, named: e.named}
			order = append(order, i)
		}
	}
	// Which to build depends on which build: those that fail include
	// nothing.
	var toBuild map[int]bool
	for {
		included := map[string]bool{}
		for _, i := range order {
			b := builds[i]
			if b.err != nil {
				continue
			}
			for _, p := range l.closure(b.k, false) {
				if p != b.k.dir {
					included[p] = true
				}
			}
		}
		toBuild = map[int]bool{}
		changed := false
		for _, i := range order {
			b := builds[i]
			if (!b.named && included[b.k.dir]) || b.k.component {
				continue // built as part of another, or never on its own
			}
			toBuild[i] = true
			if b.tried {
				continue
			}
			b.tried = true
			b.resources, b.err = l.build(b.k)
			if b.err != nil {
				if b.named {
					return fmt.Errorf("%s: %s", l.display(b.k.dir), b.err.msg)
				}
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	// The files the builds read are theirs, and so are those of components
	// no build includes: they are pieces of builds, not manifests.
	read := map[string]bool{}
	for _, i := range order {
		if b := builds[i]; (toBuild[i] && b.err == nil) || b.k.component {
			for _, p := range l.closure(b.k, true) {
				read[p] = true
			}
		}
	}
	// Files no build reads below a kustomization's directory: the nearest
	// such kustomization that is built says so.
	outside := map[int][]string{}
	for _, e := range l.entries {
		if e.kustomization || e.named {
			continue
		}
		abs, _ := filepath.Abs(e.path)
		if read[abs] || isChartFile(e.path) || e.chart {
			continue
		}
		best := -1
		for i := range toBuild {
			dir := builds[i].k.dir
			if strings.HasPrefix(abs, dir+string(filepath.Separator)) && (best < 0 || len(dir) > len(builds[best].k.dir)) {
				best = i
			}
		}
		if best >= 0 {
			rel, err := filepath.Rel(builds[best].k.dir, abs)
			if err != nil {
				rel = l.display(e.path)
			}
			outside[best] = append(outside[best], filepath.ToSlash(rel))
		}
	}
	// A file met twice (named, and found while walking) is read once; one
	// a build reads is the build's, even when named.
	readFiles := map[string]bool{}
	for i, e := range l.entries {
		if !e.kustomization && e.path != "-" {
			abs, _ := filepath.Abs(e.path)
			if readFiles[abs] || read[abs] {
				continue
			}
			readFiles[abs] = true
		}
		switch {
		case e.kustomization:
			b := builds[i]
			if b == nil || !toBuild[i] {
				continue
			}
			if b.err != nil {
				l.flush()
				l.part = l.kustomizationPart(b.k, b.named)
				l.addProblem(Problem{Kind: ProblemBuild, Pos: l.kustomizationPos(b.k, b.err.ref, b.err.msg), Message: b.err.msg})
			} else {
				l.addBuild(b.k, b.named, b.resources)
			}
			if files := outside[i]; len(files) > 0 {
				l.addProblem(Problem{Kind: ProblemOutsideBuild, Pos: l.kustomizationPos(b.k, "resources", ""), Message: outsideMessage(l.display(b.k.dir), files)})
			}
		case e.chart:
			if err := l.loadChart(e.path, e.named); err != nil {
				return err
			}
		case e.path == "-":
			l.part = l.filePart(StdinName, "")
			l.countFile(StdinName)
			l.queueFile(StdinName, e.data, false)
		default:
			if !e.named && isChartFile(e.path) {
				// A Helm chart's metadata, not a manifest.
				name := l.display(e.path)
				l.part = l.filePart(name, e.path)
				l.countFile(name)
				l.skip()
				continue
			}
			l.loadFile(e.path, !e.named)
		}
	}
	return nil
}

func isChartFile(path string) bool { return filepath.Base(path) == "Chart.yaml" }

// outsideMessage says which files below a kustomization its build leaves
// out.
func outsideMessage(dir string, files []string) string {
	sort.Strings(files)
	shown := files
	if len(shown) > 3 {
		shown = shown[:3]
	}
	list := strings.Join(shown, ", ")
	if n := len(files) - len(shown); n > 0 {
		list += fmt.Sprintf(" and %d more", n)
	}
	what := "1 manifest file"
	if len(files) > 1 {
		what = fmt.Sprintf("%d manifest files", len(files))
	}
	if len(files) == 1 {
		return fmt.Sprintf("%s below this kustomization (%s) is in no kustomize build: %s; it is linted as a plain manifest (list it under resources, or ignore it in the config file)",
			what, dir, list)
	}
	return fmt.Sprintf("%s below this kustomization (%s) are in no kustomize build: %s; they are linted as plain manifests (list them under resources, or ignore them in the config file)",
		what, dir, list)
}

// kustomizationPos is where a kustomization names ref (a reference, or a
// key), or else the reference its build error quotes, or else its first
// line.
func (l *loader) kustomizationPos(k *kustomization, ref, errText string) manifest.Position {
	pos := manifest.Position{File: l.display(k.file), Line: 1, Column: 1}
	if k.root == nil {
		// The file itself does not parse: kustomize's message has the line.
		var line int
		if _, err := fmt.Sscanf(errText[strings.Index(errText, "line ")+len("line "):], "%d", &line); err == nil && strings.Contains(errText, "line ") && line > 0 {
			pos.Line = line
		}
		return pos
	}
	var found *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if found != nil {
			return
		}
		if n.Kind == yaml.ScalarNode && n.Value != "" && (n.Value == ref ||
			(ref == "" && (strings.Contains(errText, "'"+n.Value+"'") || strings.Contains(errText, `"`+n.Value+`"`)))) {
			found = n
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(k.root)
	if found != nil {
		pos.Line, pos.Column = found.Line, found.Column
	}
	return pos
}
