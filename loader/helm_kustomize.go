package loader

import (
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshlint/meshlint/helm"
	"github.com/meshlint/meshlint/manifest"
)

// A kustomization's helmCharts are rendered by kustomize's
// HelmChartInflationGenerator, which runs a helm binary (kustomize api
// internal/builtins/HelmChartInflationGenerator.go: exec.Command of
// HelmConfig.Command); krusty offers no way to plug another generator in.
// So meshlint renders them first, with package helm, and hands krusty a
// kustomization without them: the rendered objects are a resource file of
// its own, which exists only in helmChartsFS. They then go through the
// kustomization's transformers (namespace, labels, patches) as kustomize's
// generated ones would.

// renderedPrefix names the files of rendered charts, in the kustomization's
// directory (so that kustomize's load restrictions accept them).
const renderedPrefix = ".meshlint-helm-chart-"

// helmChartsFS is the file system krusty reads: kustomization files with
// helmCharts are read without them, and with the rendered files among their
// resources.
type helmChartsFS struct {
	filesys.FileSystem
	l *loader
	// files are the rendered charts, by absolute path.
	files map[string][]byte
	// kustomizations are kustomization files read, rewritten, by path.
	kustomizations map[string][]byte
	// err is the first chart that did not render.
	err error
}

// runKustomize builds the kustomization in dir from the disk, with origin
// annotations and its helmCharts rendered. A chart that does not render is
// the build's error: kustomize would only say it found no kustomization.
func (l *loader) runKustomize(k *krusty.Kustomizer, dir string) (resmap.ResMap, error) {
	fs := &helmChartsFS{FileSystem: originFS{filesys.MakeFsOnDisk()}, l: l, files: map[string][]byte{}, kustomizations: map[string][]byte{}}
	res, err := k.Run(fs, dir)
	if fs.err != nil {
		return nil, fs.err
	}
	return res, err
}

func (f *helmChartsFS) ReadFile(path string) ([]byte, error) {
	if data, ok := f.files[path]; ok {
		return data, nil
	}
	if data, ok := f.kustomizations[path]; ok {
		return data, nil
	}
	data, err := f.FileSystem.ReadFile(path)
	if err != nil || !isKustomizationName(path) {
		return data, err
	}
	out, err := f.inflate(path, data)
	if err != nil {
		if f.err == nil {
			f.err = fmt.Errorf("%s: %v", f.l.display(path), err)
		}
		return data, nil
	}
	f.kustomizations[path] = out
	return out, nil
}

func (f *helmChartsFS) Exists(path string) bool {
	_, ok := f.files[path]
	return ok || f.FileSystem.Exists(path)
}

func (f *helmChartsFS) IsDir(path string) bool {
	if _, ok := f.files[path]; ok {
		return false
	}
	return f.FileSystem.IsDir(path)
}

func (f *helmChartsFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if _, ok := f.files[path]; ok {
		return filesys.ConfirmedDir(filepath.Dir(path)), filepath.Base(path), nil
	}
	return f.FileSystem.CleanedAbs(path)
}

// inflate renders the kustomization's helmCharts and returns the
// kustomization with the rendered files as resources instead. A
// kustomization without helmCharts is returned as it is.
func (f *helmChartsFS) inflate(path string, data []byte) ([]byte, error) {
	if !strings.Contains(string(data), "helmCharts") {
		return data, nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data, nil // kustomize says what is wrong
	}
	root := doc.Content[0]
	var charts, globals *yaml.Node
	var kept []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "helmCharts":
			charts = root.Content[i+1]
		case "helmGlobals":
			globals = root.Content[i+1]
		default:
			kept = append(kept, root.Content[i], root.Content[i+1])
		}
	}
	if charts == nil {
		return data, nil
	}
	var g types.HelmGlobals
	if globals != nil {
		if err := globals.Decode(&g); err != nil {
			return nil, fmt.Errorf("helmGlobals: %v", err)
		}
	}
	dir := filepath.Dir(path)
	var added []string
	for i, item := range charts.Content {
		var c types.HelmChart
		if err := item.Decode(&c); err != nil {
			return nil, fmt.Errorf("helmCharts entry %d: %v", i+1, err)
		}
		name := fmt.Sprintf("%s%d-%s.yaml", renderedPrefix, i, c.Name)
		rendered, err := f.render(filepath.Join(dir, name), g, c)
		if err != nil {
			return nil, fmt.Errorf("helmCharts %q: %v", c.Name, err)
		}
		f.files[filepath.Join(dir, name)] = rendered
		added = append(added, name)
	}
	root.Content = kept
	var resources *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "resources" {
			resources = root.Content[i+1]
		}
	}
	if resources == nil {
		resources = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "resources"}, resources)
	}
	for _, name := range added {
		resources.Content = append(resources.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name})
	}
	return yaml.Marshal(&doc)
}

// render renders one helmCharts entry as kustomize's generator asks helm
// to (types.HelmChart.AsHelmArgs): the chart in chartHome/name (or
// chartHome/name-version/name for a versioned remote one), the values file
// (the chart's own by default) and the additional ones, valuesInline
// merged as valuesMerge says, hooks and tests unless skipped. It records
// the rendered objects, placed on their templates, for the loader.
func (f *helmChartsFS) render(file string, g types.HelmGlobals, c types.HelmChart) ([]byte, error) {
	dir := filepath.Dir(file)
	chartDir := chartDir(dir, g, c)
	home := filepath.Dir(chartDir)
	if !f.FileSystem.IsDir(chartDir) {
		if c.Repo != "" {
			return nil, fmt.Errorf("the chart is not in %s and comes from the remote repository %s: meshlint does not pull charts (not even with --allow-remote); pull it there first (helm pull --untar --untardir %s %s)",
				f.l.display(chartDir), c.Repo, f.l.display(home), c.Name)
		}
		return nil, fmt.Errorf("no chart found at %s", f.l.display(chartDir))
	}
	valuesFile := c.ValuesFile
	if valuesFile == "" {
		valuesFile = filepath.Join(chartDir, "values.yaml")
	} else if !filepath.IsAbs(valuesFile) {
		valuesFile = filepath.Join(dir, valuesFile)
	}
	var sources []helm.ValuesSource
	inline := helm.ValuesSource{Inline: c.ValuesInline, InlineFile: f.l.display(filepath.Join(dir, "kustomization.yaml"))}
	switch {
	case len(c.ValuesInline) == 0:
		sources = append(sources, helm.ValuesSource{File: valuesFile})
	case c.ValuesMerge == "replace":
		sources = append(sources, inline)
	case c.ValuesMerge == "merge":
		// kustomize merges the file over the inline values.
		sources = append(sources, inline, helm.ValuesSource{File: valuesFile})
	default: // override
		sources = append(sources, helm.ValuesSource{File: valuesFile}, inline)
	}
	for _, extra := range c.AdditionalValuesFiles {
		if !filepath.IsAbs(extra) {
			extra = filepath.Join(dir, extra)
		}
		sources = append(sources, helm.ValuesSource{File: extra})
	}
	release := c.ReleaseName
	if release == "" {
		release = f.l.opts.Helm.Release
	}
	ns := c.Namespace
	if ns == "" {
		ns = f.l.opts.DefaultNamespace
	}
	r, err := helm.Render(chartDir, helm.Options{
		ReleaseName: release,
		Namespace:   ns,
		Values:      sources,
		Hooks:       !c.SkipHooks,
		Tests:       !c.SkipHooks && !c.SkipTests,
		IncludeCRDs: c.IncludeCRDs,
		APIVersions: c.ApiVersions,
		KubeVersion: c.KubeVersion,
		AllowRemote: f.l.opts.AllowRemote,
	})
	if err == nil && len(r.Failures) > 0 {
		err = r.Failures[0]
	}
	if err != nil {
		if fail, ok := err.(*helm.Failure); ok {
			return nil, fmt.Errorf("%s:%d: %s", f.l.display(fail.File), fail.Line, fail.Message)
		}
		return nil, err
	}
	var out strings.Builder
	var objs []*manifest.Object
	for _, d := range r.Docs {
		placed, nodes := f.l.renderedDoc(r, d)
		for _, n := range nodes {
			meta := manifest.MapGet(n, "metadata")
			objs = append(objs, &manifest.Object{
				Kind: manifest.ScalarString(manifest.MapGet(n, "kind")),
				Name: manifest.ScalarString(manifest.MapGet(meta, "name")),
				File: f.l.display(placed.File),
				Node: n,
			})
		}
		out.WriteString("---\n" + d.Content + "\n")
	}
	if f.l.rendered == nil {
		f.l.rendered = map[string][]*manifest.Object{}
	}
	f.l.rendered[file] = objs
	return []byte(out.String()), nil
}

// renderedSource returns the rendered objects of a chart file a
// kustomization drew on (nil, false for a file on disk).
func (l *loader) renderedSource(path string) ([]*manifest.Object, bool) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	objs, ok := l.rendered[path]
	return objs, ok
}

// builtFile is the file a built resource is shown in: the template of a
// chart the kustomization rendered, else the file it came from.
func (l *loader) builtFile(file string, src *manifest.Object) string {
	if _, ok := l.renderedSource(file); ok && src != nil {
		return src.File
	}
	return l.display(file)
}

// helmChartDirs are the chart directories a kustomization's helmCharts
// render (dir absolute; root its parsed file): they are read by its build,
// not charts of their own.
func helmChartDirs(dir string, root *yaml.Node) []string {
	var charts, globals *yaml.Node
	for i := 0; root != nil && i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "helmCharts":
			charts = root.Content[i+1]
		case "helmGlobals":
			globals = root.Content[i+1]
		}
	}
	if charts == nil {
		return nil
	}
	var g types.HelmGlobals
	if globals != nil && globals.Decode(&g) != nil {
		return nil
	}
	var out []string
	for _, item := range charts.Content {
		var c types.HelmChart
		if item.Decode(&c) == nil && c.Name != "" {
			out = append(out, chartDir(dir, g, c))
		}
	}
	return out
}

// chartDir is where kustomize looks for a helmCharts entry's chart:
// chartHome/name, or chartHome/name-version/name for a versioned remote one.
func chartDir(dir string, g types.HelmGlobals, c types.HelmChart) string {
	home := g.ChartHome
	if home == "" {
		home = types.HelmDefaultHome
	}
	if !filepath.IsAbs(home) {
		home = filepath.Join(dir, home)
	}
	if c.Version != "" && c.Repo != "" {
		home = filepath.Join(home, c.Name+"-"+c.Version)
	}
	return filepath.Join(home, c.Name)
}
