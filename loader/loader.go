// Package loader reads manifests from files, directories, stdin and
// kustomizations into one object set, keeping the position of every field.
package loader

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/helm"
	"github.com/meshlint/meshlint/manifest"
)

// Options control loading.
type Options struct {
	// DefaultNamespace is given to namespaced objects that name none.
	DefaultNamespace string
	// AllowRemote lets kustomizations fetch remote bases and resources.
	AllowRemote bool
	// Stdin is read for the path "-".
	Stdin io.Reader
	// WorkDir is the directory file paths are shown relative to (default: the
	// process's working directory).
	WorkDir string
	// Ignore, when set, drops files and directories found while walking a
	// directory (never a path named on the command line).
	Ignore func(path string, isDir bool) bool
	// Helm says how charts are rendered.
	Helm HelmOptions
}

// Problem is something the loader could not read as the user meant it.
type Problem struct {
	Kind    ProblemKind
	Pos     manifest.Position
	Message string
}

// ProblemKind says what went wrong, and so which rule reports it.
type ProblemKind int

const (
	// ProblemManifest is a document that is not a valid Kubernetes object
	// (MSH001).
	ProblemManifest ProblemKind = iota
	// ProblemBuild is a kustomization found while walking a tree that does
	// not build (MSH009).
	ProblemBuild
	// ProblemOutsideBuild is a kustomization's directory holding manifests
	// no build includes (MSH010): they are linted as plain manifests.
	ProblemOutsideBuild
)

// Result is everything loaded in one run.
type Result struct {
	Objects  []*manifest.Object
	Problems []Problem
	Files    int // files read (including those with problems)
	Skipped  int // documents that are not Kubernetes objects
	// Parts are the units the objects came in (the plain manifests, each
	// kustomization built), in the order they were first met; each object
	// and problem belongs to one.
	Parts []*Part

	objectPart []int32 // index in Parts of each object
}

// StdinName is the file name findings use for objects read from stdin.
const StdinName = "<stdin>"

// Load reads every path. An error means the run cannot go on (a path that
// does not exist, a kustomize build that fails); problems inside files are
// reported in Result.Problems instead.
func Load(paths []string, opts Options) (*Result, error) {
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = "default"
	}
	if opts.WorkDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		opts.WorkDir = wd
	}
	l := &loader{opts: opts, res: &Result{}, seenDirs: map[string]bool{}, kustomizations: map[string]*kustomization{}}
	for _, p := range paths {
		if err := l.loadPath(p); err != nil {
			return nil, err
		}
	}
	if err := l.loadEntries(); err != nil {
		return nil, err
	}
	l.flush()
	return l.res, nil
}

type loader struct {
	opts      Options
	res       *Result
	seenDirs  map[string]bool
	stdinRead bool
	pending   []pendingFile
	// entries are the files and kustomizations met, in order; they are
	// read once every kustomization is known (walk.go).
	entries []entry
	// kustomizations are the kustomization files read, by directory.
	kustomizations map[string]*kustomization
	// part is the index in res.Parts of the part being loaded.
	part int32
	// counted are the files counted in res.Files.
	counted map[string]bool
	// rendered are the charts kustomizations rendered, by the file krusty
	// reads them from (helm_kustomize.go).
	rendered map[string][]*manifest.Object
	// nodeFiles, while a built resource is added, are the fields a patch
	// set (patches.go).
	nodeFiles map[*manifest.Node]string
}

func (l *loader) current() *Part { return l.res.Parts[l.part] }

// countFile counts a file (as shown) read for the current part; the run
// counts each file once, however many builds read it.
func (l *loader) countFile(name string) {
	l.current().Files++
	if !l.counted[name] {
		if l.counted == nil {
			l.counted = map[string]bool{}
		}
		l.counted[name] = true
		l.res.Files++
	}
}

// skip counts a document that is not a Kubernetes object.
func (l *loader) skip() {
	l.res.Skipped++
	l.current().Skipped++
}

func (l *loader) display(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(l.opts.WorkDir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

func (l *loader) loadPath(p string) error {
	if p == "-" {
		if l.stdinRead {
			return nil
		}
		l.stdinRead = true
		if l.opts.Stdin == nil {
			return errors.New("no standard input to read for '-'")
		}
		data, err := io.ReadAll(l.opts.Stdin)
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		l.entries = append(l.entries, entry{path: "-", named: true, data: data})
		return nil
	}
	info, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: no such file or directory", p)
		}
		return fmt.Errorf("%s: %w", p, err)
	}
	if info.IsDir() {
		return l.loadDir(p, true)
	}
	l.entries = append(l.entries, entry{path: p, named: true})
	return nil
}

func (l *loader) loadDir(dir string, named bool) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if l.seenDirs[real] {
		return nil // a symlink led back to a directory already read
	}
	l.seenDirs[real] = true
	if helm.IsChart(dir) {
		// Rendered once every kustomization is known: one that renders
		// it (helmCharts) makes it part of that build (walk.go).
		l.entries = append(l.entries, entry{path: dir, named: named, chart: true})
		return nil
	}
	if k := KustomizationFile(dir); k != "" {
		// The build comes first; the files below it that it leaves out are
		// still read (walk.go decides which).
		l.entries = append(l.entries, entry{path: dir, named: named, kustomization: true})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(path)
			if err != nil {
				continue // dangling link: nothing to read
			}
			isDir = info.IsDir()
		}
		if strings.HasPrefix(e.Name(), ".") && isDir {
			continue // .git and friends
		}
		if l.opts.Ignore != nil && l.opts.Ignore(l.display(path), isDir) {
			continue
		}
		if isDir {
			if err := l.loadDir(path, false); err != nil {
				return err
			}
			continue
		}
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".yaml", ".yml", ".json":
			if !isKustomizationName(path) {
				l.entries = append(l.entries, entry{path: path})
			}
		}
	}
	return nil
}

// loadFile reads a plain manifest file; walked says it was found while
// walking a directory, not named.
func (l *loader) loadFile(path string, walked bool) {
	name := l.display(path)
	l.part = l.filePart(name, path)
	l.countFile(name)
	data, err := os.ReadFile(path)
	if err != nil {
		l.problem(manifest.Position{File: name}, "cannot read file: %v", err)
		return
	}
	l.queueFile(name, data, walked)
}

func (l *loader) problem(pos manifest.Position, format string, args ...any) {
	l.addProblem(Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) addProblem(p Problem) {
	l.res.Problems = append(l.res.Problems, p)
	part := l.current()
	part.Problems = append(part.Problems, p)
}

// addDocument turns one parsed document into objects (expanding kind: List).
func (l *loader) addDocument(name string, n *manifest.Node) {
	if n == nil || n.IsNull() {
		return
	}
	if n.Kind != manifest.MappingNode {
		l.skip() // a scalar or a list: not a Kubernetes object
		return
	}
	l.addObject(name, n, "")
}

func (l *loader) addObject(name string, n *manifest.Node, within string) {
	pos := manifest.Position{File: name, Line: int(n.Line), Column: int(n.Column)}
	apiVersion := manifest.MapGet(n, "apiVersion")
	kind := manifest.MapGet(n, "kind")
	if apiVersion == nil && kind == nil {
		l.skip()
		return
	}
	av, k := manifest.ScalarString(apiVersion), manifest.ScalarString(kind)
	switch {
	case k == "":
		l.problem(pos, "%sdocument has apiVersion %q but no kind", within, av)
		return
	case av == "":
		l.problem(pos, "%s%s has kind but no apiVersion", within, k)
		return
	}
	// kind: List is core v1; a typed list (NetworkPolicyList) lives in its
	// items' group.
	if strings.HasSuffix(k, "List") && (av == "v1" || k != "List") {
		items := manifest.MapGet(n, "items")
		if items != nil && items.Kind == manifest.SequenceNode {
			for i, item := range items.Content() {
				if item.Kind != manifest.MappingNode {
					l.problem(manifest.Position{File: name, Line: int(item.Line), Column: int(item.Column)}, "%s item %d is not an object", k, i)
					continue
				}
				if k != "List" && manifest.MapGet(item, "apiVersion") == nil && manifest.MapGet(item, "kind") == nil {
					item = withTypeMeta(item, av, strings.TrimSuffix(k, "List"))
				}
				l.addObject(name, item, fmt.Sprintf("%s item %d: ", k, i))
			}
			return
		}
	}
	meta := manifest.MapGet(n, "metadata")
	if at, why := metadataProblem(meta); at != nil {
		l.problem(manifest.Position{File: name, Line: int(at.Line), Column: int(at.Column)}, "%s%s: %s", within, k, why)
		return
	}
	obj := &manifest.Object{
		APIVersion:  av,
		Kind:        k,
		Name:        manifest.ScalarString(manifest.MapGet(meta, "name")),
		Namespace:   manifest.ScalarString(manifest.MapGet(meta, "namespace")),
		Labels:      manifest.StringMap(manifest.MapGet(meta, "labels")),
		Annotations: manifest.StringMap(manifest.MapGet(meta, "annotations")),
		File:        name,
		Node:        n,
		NodeFiles:   l.nodeFiles,
	}
	if obj.Name == "" && !InstallTime(av, k) {
		p := pos
		if meta != nil {
			p = manifest.Position{File: name, Line: int(meta.Line), Column: int(meta.Column)}
		}
		l.problem(p, "%s%s has no metadata.name", within, k)
		return
	}
	obj.NamespaceSet = obj.Namespace != ""
	if !obj.NamespaceSet && !ClusterScoped(k) {
		obj.Namespace = l.opts.DefaultNamespace
	}
	l.res.Objects = append(l.res.Objects, obj)
	l.res.objectPart = append(l.res.objectPart, l.part)
	part := l.current()
	part.Objects = append(part.Objects, obj)
}

// withTypeMeta returns a copy of a typed list's item (a PodList's) with the
// list's apiVersion and item kind: the API server lists items without their
// own, and they are objects all the same.
func withTypeMeta(item *manifest.Node, apiVersion, kind string) *manifest.Node {
	scalar := func(v string) *manifest.Node { return manifest.NewScalar(v, item.Line, item.Column) }
	c := *item
	c.SetContent(append([]*manifest.Node{scalar("apiVersion"), scalar(apiVersion), scalar("kind"), scalar(kind)}, item.Content()...))
	return &c
}

// InstallTime reports the kinds read at install time rather than applied
// (istioctl install -f reads an IstioOperator): they need no metadata.name.
func InstallTime(apiVersion, kind string) bool {
	return kind == "IstioOperator" && strings.HasPrefix(apiVersion, "install.istio.io/")
}

// ClusterScoped reports the kinds that live outside namespaces.
func ClusterScoped(kind string) bool {
	switch kind {
	case "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
		"Node", "PersistentVolume", "StorageClass", "ClusterRbacConfig",
		"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
		"PriorityClass", "IngressClass", "APIService", "ClusterIssuer",
		"GatewayClass", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy":
		return true
	}
	return false
}
