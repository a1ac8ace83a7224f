// Package loader reads manifests from files, directories, stdin and
// kustomizations into one object set, keeping the position of every field.
package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

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

// pendingFile is a file read but not parsed yet: files are parsed together,
// in parallel, and their objects added in the order the files were found.
type pendingFile struct {
	name   string
	data   []byte
	part   int32
	walked bool
}

// queueFile queues a file for parsing, in the current part.
func (l *loader) queueFile(name string, data []byte, walked bool) {
	l.pending = append(l.pending, pendingFile{name: name, data: data, part: l.part, walked: walked})
}

// parsedDoc is one document's parse result.
type parsedDoc struct {
	roots []parsedRoot
	err   error
}

// parsedRoot is one document's root, or the position of a document refused
// because its aliases expand too far.
type parsedRoot struct {
	node *manifest.Node
	bomb *manifest.Position
}

// flush parses every queued file. Each file is split into documents, and the
// documents of all files are parsed concurrently: YAML parsing is nearly all
// of the loading time.
func (l *loader) flush() {
	files := l.pending
	l.pending = nil
	type job struct {
		file int
		doc  document
	}
	var jobs []job
	docsOf := make([][]int, len(files))
	for i, f := range files {
		l.part = f.part
		if bytes.IndexByte(f.data, 0) >= 0 {
			if !l.dataFile(f) {
				l.problem(manifest.Position{File: f.name, Line: 1, Column: 1}, "file is binary (it holds NUL bytes), not YAML or JSON")
			}
			continue
		}
		if !utf8.Valid(f.data) {
			if !l.dataFile(f) {
				line, col := invalidUTF8Position(f.data)
				l.problem(manifest.Position{File: f.name, Line: line, Column: col}, "file is not valid UTF-8")
			}
			continue
		}
		for _, d := range splitDocuments(f.data) {
			docsOf[i] = append(docsOf[i], len(jobs))
			jobs = append(jobs, job{file: i, doc: d})
		}
	}
	results := make([]parsedDoc, len(jobs))
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			strs := manifest.NewStrings() // one per worker: no locks
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				results[i] = parseDocument(jobs[i].doc, strs)
			}
		}()
	}
	wg.Wait()
	for i, f := range files {
		l.part = f.part
		for _, j := range docsOf[i] {
			r := results[j]
			for _, root := range r.roots {
				if root.bomb != nil {
					root.bomb.File = f.name
					l.problem(*root.bomb, "%v", manifest.ErrAliasBomb)
					continue
				}
				l.addDocument(f.name, root.node)
			}
			if r.err != nil && !l.dataFile(f) {
				line, msg := yamlErrorLine(r.err)
				doc := jobs[j].doc
				line = min(line, bytes.Count(doc.data, []byte("\n"))+1)
				l.problem(manifest.Position{File: f.name, Line: doc.firstLine + line - 1, Column: 1}, "YAML does not parse: %s", msg)
			}
		}
	}
}

// manifestText finds the keys every Kubernetes manifest has.
var manifestText = regexp.MustCompile(`(?m)(^|[\s{,"'])(apiVersion|kind)["']?\s*:`)

// dataFile reports (and counts as skipped) a file found while walking a
// tree that does not parse and does not look like a manifest at all, such
// as a data file beside the manifests: not Kubernetes, so not a finding.
// Each of its unreadable documents counts once.
func (l *loader) dataFile(f pendingFile) bool {
	if !f.walked || manifestText.Match(f.data) {
		return false
	}
	l.skip()
	return true
}

func invalidUTF8Position(data []byte) (int, int) {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	return line, col
}

type document struct {
	data      []byte
	firstLine int // 1-based line of data's first byte in the file
}

// splitDocuments cuts a YAML stream at its "---" markers. yaml.v3 cannot go on
// after a syntax error, so each document is parsed alone, and its line
// numbers are shifted back to file lines.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine, line := 0, 1, 1
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		text := data[i:next]
		if isDocMarker(text) && i > start {
			docs = append(docs, document{data: data[start:i], firstLine: startLine})
			start, startLine = i, line
		}
		i = next
		line++
	}
	docs = append(docs, document{data: data[start:], firstLine: startLine})
	return docs
}

func isDocMarker(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

// parseDocument parses one chunk of a file (usually one document; more when
// the chunk holds several without a line of its own between them).
func parseDocument(doc document, strs *manifest.Strings) parsedDoc {
	var out parsedDoc
	dec := yaml.NewDecoder(bytes.NewReader(doc.data))
	for {
		root := &yaml.Node{}
		err := dec.Decode(root)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.err = err
			return out
		}
		if len(root.Content) == 0 {
			continue // empty document or only comments
		}
		if manifest.AliasExpansion(root.Content[0], manifest.MaxExpandedNodes) > manifest.MaxExpandedNodes {
			n := root.Content[0]
			out.roots = append(out.roots, parsedRoot{bomb: &manifest.Position{Line: n.Line + doc.firstLine - 1, Column: n.Column}})
			continue
		}
		// yaml.v3's nodes are dropped here, in the worker: only the compact
		// ones live on.
		out.roots = append(out.roots, parsedRoot{node: strs.FromYAML(root, doc.firstLine-1)})
	}
}

// yamlErrorLine pulls the line out of yaml.v3's "yaml: line N: msg" errors.
// yaml.v3 prints the parser's context mark, which is 0-based, as the line of
// parser errors ("did not find expected ..."), so those are shifted by one;
// scanner errors are already 1-based.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		return max(line, 1), msg
	}
	return 1, msg
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
