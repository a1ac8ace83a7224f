// Package helm renders Helm charts in process, as `helm template` does,
// with Helm's own packages (helm.sh/helm/v3: chart loader, chartutil,
// engine): no helm binary is run and nothing is fetched.
//
// A rendering keeps, for every object, the template it came from and its
// place among that template's documents, so that the loader can point
// findings at the template the user wrote (locate.go).
package helm

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	chartloader "helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/releaseutil"

	"github.com/meshlint/meshlint/manifest"
)

// Options say how a chart is rendered.
type Options struct {
	// ReleaseName is .Release.Name (default: the chart's name).
	ReleaseName string
	// Namespace is .Release.Namespace (default "default").
	Namespace string
	// Values are the values sets given for the chart, in order: each
	// overrides the ones before it, all override the chart's values.yaml.
	Values []ValuesSource
	// Hooks keeps the chart's hooks (helm.sh/hook) among the objects; test
	// hooks are never objects.
	Hooks bool
	// AllowRemote is --allow-remote: it changes what the message about a
	// dependency that is not vendored says, never what is fetched.
	AllowRemote bool

	// What a kustomization's helmCharts entry may ask for: test hooks
	// among the objects, the chart's crds/ too, more API versions and
	// another Kubernetes version in .Capabilities.
	Tests       bool
	IncludeCRDs bool
	APIVersions []string
	KubeVersion string
}

// Doc is one rendered document.
type Doc struct {
	// Template is the template's name as Helm writes it after "# Source:"
	// (chart/templates/x.yaml, chart/charts/sub/templates/y.yaml).
	Template string
	// Index is the document's place among its template's documents.
	Index int
	// Content is the document's YAML.
	Content string
	// Hook is the document's helm.sh/hook annotation, "" for none.
	Hook string
	// Kind and Name are the object's, as Helm read them.
	Kind, Name string
}

// Rendering is a chart's rendering.
type Rendering struct {
	Chart *chart.Chart
	// Dir is the chart's directory, absolute.
	Dir string
	// Docs are the objects' documents in the order `helm template` prints
	// them (Helm's install order).
	Docs []Doc
	// Hooks and Tests count the hook and test documents left out.
	Hooks, Tests int
	// Failures are the templates that did not render (or, when the chart
	// as a whole cannot be rendered, the one reason why): when there are
	// some, Docs holds what the other templates rendered.
	Failures []*Failure
	// Values are the values the templates saw, the chart's own merged in.
	Values chartutil.Values
	// Sources are the values sets used, in order.
	Sources []ValuesSource

	templates map[string]string // template name -> source text
	paths     map[string]string // chart full path -> directory or archive on disk
	indexes   map[string]*templateIndex
	// docOf is, by template, the template document each rendered one
	// (by its number) came from.
	docOf map[string]map[int]*templateDoc
	trees map[string]*manifest.Node // values files parsed for positions
	// top is what the templates were rendered with; dead, by template, the
	// lines of branches that did not run (branches.go).
	top  chartutil.Values
	dead map[string]map[int]bool
}

// IsChart reports whether dir holds a chart (a Chart.yaml).
func IsChart(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, chartutil.ChartfileName))
	return err == nil && !info.IsDir()
}

// Render renders the chart in dir. An error is a failure of the whole chart
// (a *Failure); templates that fail alone are in Rendering.Failures.
func Render(dir string, opts Options) (*Rendering, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	chartFile := filepath.Join(abs, chartutil.ChartfileName)
	ch, err := chartloader.LoadDir(abs)
	if err != nil {
		return nil, &Failure{File: chartFile, Line: 1, Message: "Helm cannot load the chart: " + err.Error(), Chart: true}
	}
	if f := checkDependencies(ch, abs, opts.AllowRemote); f != nil {
		return nil, f
	}
	caps, err := capabilitiesFor(opts)
	if err != nil {
		return nil, &Failure{File: chartFile, Line: 1, Chart: true, Message: err.Error()}
	}
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, &Failure{File: chartFile, Line: keyLine(chartFile, "kubeVersion"), Chart: true,
			Message: fmt.Sprintf("chart requires kubeVersion %s, which meshlint's Kubernetes %s is not", ch.Metadata.KubeVersion, caps.KubeVersion.String())}
	}
	vals, err := mergeValues(opts.Values)
	if err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, &Failure{File: chartFile, Line: 1, Message: "Helm cannot process the chart's dependencies: " + err.Error(), Chart: true}
	}
	release := opts.ReleaseName
	if release == "" {
		release = ch.Name()
	}
	ns := opts.Namespace
	if ns == "" {
		ns = "default"
	}
	r := &Rendering{Chart: ch, Dir: abs, Sources: opts.Values, paths: chartPaths(ch, abs)}
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{
		Name: release, Namespace: ns, Revision: 1, IsInstall: true,
	}, caps)
	if err != nil {
		return nil, r.schemaFailure(err, chartFile)
	}
	if v, ok := top["Values"].(chartutil.Values); ok {
		r.Values = v
	}
	r.top = top
	r.templates = map[string]string{}
	for _, c := range allCharts(ch) {
		for _, t := range c.Templates {
			r.templates[path.Join(c.ChartFullPath(), t.Name)] = string(t.Data)
		}
	}
	files, err := r.renderAll(ch, top)
	if err != nil {
		return nil, err
	}
	if opts.IncludeCRDs {
		for _, crd := range ch.CRDObjects() {
			r.Docs = append(r.Docs, Doc{Template: crd.Filename, Content: string(crd.File.Data), Kind: "CustomResourceDefinition"})
		}
	}
	if err := r.sort(files, opts); err != nil {
		return nil, err
	}
	return r, nil
}

// sort splits the rendered files into documents, in Helm's order, leaving
// out empty documents, partials, NOTES.txt, tests and (unless hooks) hooks.
func (r *Rendering) sort(files map[string]string, opts Options) error {
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	hookDocs, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return r.yamlFailure(err, files)
	}
	// Helm's sort keeps no document numbers; they come from splitting each
	// file the way Helm does.
	index := map[string]map[string][]int{}
	for name, content := range files {
		byContent := map[string][]int{}
		docs := releaseutil.SplitManifests(content)
		keys := make([]string, 0, len(docs))
		for k := range docs {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for i, k := range keys {
			byContent[docs[k]] = append(byContent[docs[k]], i)
		}
		index[name] = byContent
	}
	indexOf := func(name, content string) int {
		list := index[name][content]
		if len(list) == 0 {
			return 0
		}
		index[name][content] = list[1:]
		return list[0]
	}
	for _, m := range manifests {
		d := Doc{Template: m.Name, Index: indexOf(m.Name, m.Content), Content: m.Content}
		if m.Head != nil {
			d.Kind = m.Head.Kind
			if m.Head.Metadata != nil {
				d.Name = m.Head.Metadata.Name
			}
		}
		r.Docs = append(r.Docs, d)
	}
	for _, h := range hookDocs {
		isTest := false
		for _, e := range h.Events {
			if e == "test" {
				isTest = true
			}
		}
		switch {
		case isTest && !opts.Tests:
			r.Tests++
		case opts.Hooks || isTest:
			kinds := make([]string, len(h.Events))
			for i, e := range h.Events {
				kinds[i] = string(e)
			}
			r.Docs = append(r.Docs, Doc{Template: h.Path, Index: indexOf(h.Path, h.Manifest), Content: h.Manifest, Hook: strings.Join(kinds, ","), Kind: h.Kind, Name: h.Name})
		default:
			r.Hooks++
		}
	}
	return nil
}

// TemplateFile is the file on disk a template name (chart/templates/x.yaml)
// is read from: the template in the chart's directory, or the archive a
// vendored subchart came in.
func (r *Rendering) TemplateFile(name string) string {
	best := ""
	for full := range r.paths {
		if (name == full || strings.HasPrefix(name, full+"/")) && len(full) > len(best) {
			best = full
		}
	}
	if best == "" {
		return filepath.Join(r.Dir, filepath.FromSlash(name))
	}
	loc := r.paths[best]
	if strings.HasSuffix(loc, ".tgz") || strings.HasSuffix(loc, ".tar.gz") {
		return loc
	}
	return filepath.Join(loc, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(name, best), "/")))
}

// TemplateSource is a template's text, as Helm read it.
func (r *Rendering) TemplateSource(name string) (string, bool) {
	s, ok := r.templates[name]
	return s, ok
}

// chartPaths maps each chart's full path (parent/charts/sub) to its
// directory or archive: the directory name under charts/ need not be the
// chart's name.
func chartPaths(ch *chart.Chart, dir string) map[string]string {
	out := map[string]string{ch.ChartFullPath(): dir}
	var walk func(c *chart.Chart, dir string)
	walk = func(c *chart.Chart, dir string) {
		entries, err := os.ReadDir(filepath.Join(dir, "charts"))
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(dir, "charts", e.Name())
			var sub *chart.Chart
			if e.IsDir() {
				md, err := chartutil.LoadChartfile(filepath.Join(p, chartutil.ChartfileName))
				if err != nil {
					continue
				}
				sub = findDependency(c, md.Name)
				if sub != nil {
					out[sub.ChartFullPath()] = p
					walk(sub, p)
				}
				continue
			}
			if !strings.HasSuffix(e.Name(), ".tgz") && !strings.HasSuffix(e.Name(), ".tar.gz") {
				continue
			}
			loaded, err := chartloader.LoadFile(p)
			if err != nil {
				continue
			}
			if sub = findDependency(c, loaded.Name()); sub != nil {
				out[sub.ChartFullPath()] = p
				var mark func(c *chart.Chart)
				mark = func(c *chart.Chart) {
					for _, d := range c.Dependencies() {
						out[d.ChartFullPath()] = p
						mark(d)
					}
				}
				mark(sub)
			}
		}
	}
	walk(ch, dir)
	return out
}

func findDependency(c *chart.Chart, name string) *chart.Chart {
	for _, d := range c.Dependencies() {
		if d.Name() == name {
			return d
		}
	}
	return nil
}

func allCharts(ch *chart.Chart) []*chart.Chart {
	out := []*chart.Chart{ch}
	for _, d := range ch.Dependencies() {
		out = append(out, allCharts(d)...)
	}
	return out
}
