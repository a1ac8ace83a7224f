package loader

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/helm"
	"github.com/meshlint/meshlint/manifest"
)

// HelmOptions say how the charts of a run are rendered.
type HelmOptions struct {
	// Release is the release name (default: each chart's name).
	Release string
	// Values are --helm-values files and Set --helm-set key=value pairs:
	// they apply to every chart, after the values sets the config file
	// gives it.
	Values []string
	Set    []string
	// Hooks lints the charts' hooks too (test hooks never).
	Hooks bool
	// Charts are the values sets the config file gives charts, by the
	// chart's directory (absolute): each set renders the chart once, as an
	// environment of its own.
	Charts map[string][]ValuesSet
}

// ValuesSet is one way to render a chart: values files (absolute) and
// key=value pairs, in the order Helm applies them.
type ValuesSet struct {
	// Name, when set, names the set in the environment's name instead of
	// its files.
	Name  string
	Files []string
	Set   []string
}

// PartHelm is one chart rendered with one values set.
const PartHelm PartKind = PartKustomization + 1

// valuesSets lists how the chart in dir is rendered: each of the config
// file's values sets (or the chart's defaults), followed by the command
// line's values.
func (l *loader) valuesSets(dir string) []ValuesSet {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sets := l.opts.Helm.Charts[abs]
	if len(sets) == 0 {
		sets = []ValuesSet{{}}
	}
	out := make([]ValuesSet, len(sets))
	for i, s := range sets {
		s.Files = append(append([]string(nil), s.Files...), l.opts.Helm.Values...)
		s.Set = append(append([]string(nil), s.Set...), l.opts.Helm.Set...)
		out[i] = s
	}
	return out
}

// loadChart renders the chart in dir once per values set. A chart named on
// the command line that does not render fails the run; one found while
// walking is an MSH009 finding, and the rest is linted.
func (l *loader) loadChart(dir string, named bool) error {
	// A values file the command line names that is not there is a bad
	// flag, whichever chart reads it.
	for _, f := range l.opts.Helm.Values {
		if !filepath.IsAbs(f) {
			f = filepath.Join(l.opts.WorkDir, f)
		}
		if !fileExists(f) {
			return fmt.Errorf("--helm-values %s: no such file", l.display(f))
		}
	}
	for _, set := range l.valuesSets(dir) {
		if err := l.renderChart(dir, set, named); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) renderChart(dir string, set ValuesSet, named bool) error {
	var sources []helm.ValuesSource
	for _, f := range set.Files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(l.opts.WorkDir, f)
		}
		sources = append(sources, helm.ValuesSource{File: f})
	}
	for _, s := range set.Set {
		sources = append(sources, helm.ValuesSource{Set: s})
	}
	r, err := helm.Render(dir, helm.Options{
		ReleaseName: l.opts.Helm.Release,
		Namespace:   l.opts.DefaultNamespace,
		Values:      sources,
		Hooks:       l.opts.Helm.Hooks,
		AllowRemote: l.opts.AllowRemote,
	})
	l.flush() // objects stay in the order their files and builds were found
	l.part = l.chartPart(dir, set, named)
	var failure *helm.Failure
	if errors.As(err, &failure) {
		l.countFile(l.display(filepath.Join(dir, "Chart.yaml")))
		return l.chartFailed(failure, named)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", l.display(dir), err)
	}
	for _, f := range r.Failures {
		if err := l.chartFailed(f, named); err != nil {
			return err
		}
	}
	part := l.current()
	part.Hooks = r.Hooks
	files := map[string]bool{}
	for _, d := range r.Docs {
		placed, nodes := l.renderedDoc(r, d)
		files[placed.File] = true
		for _, n := range nodes {
			l.addObject(l.display(placed.File), n, "")
		}
		for n, refs := range placed.Values {
			if part.values == nil {
				part.values = map[*manifest.Node][]helm.ValueRef{}
			}
			shown := make([]helm.ValueRef, len(refs))
			for i, ref := range refs {
				ref.Pos.File = l.display(ref.Pos.File)
				shown[i] = ref
			}
			part.values[n] = shown
		}
	}
	for _, s := range append([]helm.ValuesSource{{File: filepath.Join(r.Dir, "values.yaml")}}, sources...) {
		if s.File != "" && fileExists(s.File) {
			files[s.File] = true
		}
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, l.display(f))
	}
	sort.Strings(names)
	for _, n := range names {
		l.countFile(n)
	}
	if len(names) == 0 {
		l.countFile(l.display(filepath.Join(dir, "Chart.yaml")))
	}
	return nil
}

// renderedDoc parses one rendered document and places its nodes on the
// template's lines.
func (l *loader) renderedDoc(r *helm.Rendering, d helm.Doc) (helm.Placed, []*manifest.Node) {
	var nodes []*manifest.Node
	dec := yaml.NewDecoder(bytes.NewReader([]byte(d.Content)))
	var placed helm.Placed
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			// The end, or an error Helm's own parse of the document
			// would have reported first.
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		if manifest.AliasExpansion(doc.Content[0], manifest.MaxExpandedNodes) > manifest.MaxExpandedNodes {
			pos := manifest.Position{File: l.display(r.TemplateFile(d.Template)), Line: 1, Column: 1}
			l.problem(pos, "%v", manifest.ErrAliasBomb)
			continue
		}
		n := manifest.FromYAML(&doc, 0)
		p := r.Place(d, n)
		if placed.File == "" {
			placed.File = p.File
		}
		for k, v := range p.Values {
			if placed.Values == nil {
				placed.Values = map[*manifest.Node][]helm.ValueRef{}
			}
			placed.Values[k] = v
		}
		nodes = append(nodes, n)
	}
	if placed.File == "" {
		placed.File = r.TemplateFile(d.Template)
	}
	return placed, nodes
}

// chartFailed reports a chart, or one of its templates, that does not
// render.
func (l *loader) chartFailed(f *helm.Failure, named bool) error {
	pos := manifest.Position{File: l.display(f.File), Line: f.Line, Column: f.Column}
	if pos.Line > 0 && pos.Column == 0 {
		pos.Column = 1 // Helm gave the line alone
	}
	if f.File == "--helm-set" {
		pos = manifest.Position{File: l.current().Name}
	}
	msg := "Helm chart does not render: " + f.Message
	if !f.Chart {
		msg = "Helm template does not render: " + f.Message + " (the chart's other templates are linted)"
	}
	if named {
		return fmt.Errorf("%s: %s", pos, msg)
	}
	l.buildFailed(pos, msg)
	return nil
}

// buildFailed records a build that fails while walking a tree (MSH009).
func (l *loader) buildFailed(pos manifest.Position, msg string) {
	l.addProblem(Problem{Kind: ProblemBuild, Pos: pos, Message: msg})
}

// chartPart starts the part of the chart in dir rendered with set: named by
// the chart's directory, and the set's files (or name) in brackets when it
// has any: helm-chart[values-prod.yaml].
func (l *loader) chartPart(dir string, set ValuesSet, named bool) int32 {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	name := l.display(dir)
	var label []string
	switch {
	case set.Name != "":
		label = []string{set.Name}
	default:
		for _, f := range set.Files {
			if !filepath.IsAbs(f) {
				f = filepath.Join(l.opts.WorkDir, f)
			}
			if rel, err := filepath.Rel(abs, f); err == nil && !strings.HasPrefix(rel, "..") {
				label = append(label, filepath.ToSlash(rel))
			} else {
				label = append(label, l.display(f))
			}
		}
		label = append(label, set.Set...)
	}
	if len(label) > 0 {
		name += "[" + strings.Join(label, ",") + "]"
	}
	return l.newPart(&Part{Kind: PartHelm, Name: name, Dir: abs, Named: named})
}

// ValuesOf returns the values behind a field of a rendered object (path as
// findings give it; the deepest field of it the object has): where the
// values sets write them. It is nil for objects not rendered from a chart.
func (r *Result) ValuesOf(obj *manifest.Object, path string) []helm.ValueRef {
	var part *Part
	for _, p := range r.Parts {
		if p.values == nil {
			continue
		}
		for _, o := range p.Objects {
			if o == obj {
				part = p
			}
		}
	}
	if part == nil {
		return nil
	}
	n := obj.Node
	refs := part.values[n]
	segs, err := manifest.ParsePath(path)
	if err != nil {
		return refs
	}
	for _, s := range segs {
		var next *manifest.Node
		switch {
		case s.IsIdx && n.Kind == manifest.SequenceNode && s.Index < len(n.Content()):
			next = n.Content()[s.Index]
		case !s.IsIdx:
			next = manifest.MapGet(n, s.Key)
		}
		if next == nil {
			break
		}
		n = next
		if v, ok := part.values[n]; ok {
			refs = v
		}
	}
	if own, ok := part.values[n]; ok {
		return own
	}
	// A field written from values below it (a selector whose labels come
	// from values): those values, when they are few.
	var below []helm.ValueRef
	seen := map[manifest.Position]bool{}
	var walk func(n *manifest.Node)
	walk = func(n *manifest.Node) {
		for _, v := range part.values[n] {
			if !seen[v.Pos] {
				seen[v.Pos] = true
				below = append(below, v)
			}
		}
		for _, c := range n.Content() {
			walk(c)
		}
	}
	walk(n)
	if len(below) > 0 && len(below) <= 3 {
		return below
	}
	return refs
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}
