package loader

// Parsing: the files a load found are split into documents and parsed in
// parallel, then their objects are added in the order the files were found.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/manifest"
)

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
