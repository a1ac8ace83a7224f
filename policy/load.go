package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/manifest"
)

// module is one parsed .rego file.
type module struct {
	file   string
	parsed *ast.Module
}

// files is what the policy directories hold.
type files struct {
	modules []module
	data    map[string]any
	// dataFiles maps each top-level data key to the file that set it, for
	// merge conflict messages.
	dataFiles map[string]string
}

// loadDirs reads every .rego file and .json/.yaml/.yml data file below dirs.
// Tests (_test.rego) are read only when withTests is set. Errors name the
// file and, where the parser knows it, the line.
func loadDirs(dirs []string, withTests bool) (*files, error) {
	out := &files{data: map[string]any{}, dataFiles: map[string]string{}}
	var errs []error
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("--policy: %w", err)
		}
		if !info.IsDir() {
			// A single file is accepted too, as opa and conftest accept it.
			errs = append(errs, out.loadFile(filepath.Dir(dir), dir, withTests))
			continue
		}
		walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				// Hidden directories (.git, editor state) are never policy.
				if path != dir && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			errs = append(errs, out.loadFile(dir, path, withTests))
			return nil
		})
		if walkErr != nil {
			return nil, fmt.Errorf("--policy %s: %w", dir, walkErr)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// Sorted so that IDs, errors and evaluation order do not depend on the
	// order directories were named in.
	sort.Slice(out.modules, func(i, j int) bool { return out.modules[i].file < out.modules[j].file })
	return out, nil
}

func (f *files) loadFile(root, path string, withTests bool) error {
	name := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case ext == ".rego":
		if strings.HasSuffix(name, "_test.rego") && !withTests {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := parseModule(path, string(src))
		if err != nil {
			return err
		}
		f.modules = append(f.modules, m)
	case ext == ".json" || ext == ".yaml" || ext == ".yml":
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := parseData(path, src)
		if err != nil {
			return err
		}
		return f.mergeData(root, path, doc)
	}
	return nil
}

// parseModule parses Rego v1 and falls back to v0, so that conftest policies
// written before OPA 1.0 (`deny[msg] { ... }`) run unchanged. A module that
// parses as neither gets the v1 error, unless that error is v1 asking for
// the `if` or `contains` keywords: then the author wrote v0, and v0's error
// is the one that helps.
func parseModule(path, src string) (module, error) {
	m, errV1 := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
	if errV1 == nil {
		return module{file: path, parsed: m}, nil
	}
	m, errV0 := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV0})
	if errV0 == nil {
		return module{file: path, parsed: m}, nil
	}
	if strings.Contains(errV1.Error(), "keyword is required") {
		return module{}, regoError("does not parse (as Rego v0)", errV0)
	}
	return module{}, regoError("does not parse", errV1)
}

// regoError turns OPA's parse and compile errors into one line each:
// file:line:col: code: message.
func regoError(what string, err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return fmt.Errorf("a Rego module %s: %w", what, err)
	}
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		loc := "?"
		if e.Location != nil {
			loc = fmt.Sprintf("%s:%d:%d", e.Location.File, e.Location.Row, e.Location.Col)
		}
		lines = append(lines, fmt.Sprintf("%s: %s: %s", loc, e.Code, e.Message))
	}
	return fmt.Errorf("a Rego module %s:\n  %s", what, strings.Join(lines, "\n  "))
}

// parseData reads a JSON or YAML data document, which must be an object.
func parseData(path string, src []byte) (map[string]any, error) {
	var v any
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		dec := json.NewDecoder(bytes.NewReader(src))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: data file does not parse as JSON: %s", jsonErrorPos(path, src, err), jsonErrorMessage(err))
		}
		if dec.More() {
			return nil, fmt.Errorf("%s: data file holds more than one JSON value", path)
		}
	} else {
		var root yaml.Node
		if err := yaml.Unmarshal(src, &root); err != nil {
			return nil, fmt.Errorf("%s: data file does not parse as YAML: %s", yamlErrorPos(path, err), yamlErrorMessage(err))
		}
		if root.Kind != 0 { // a file of comments alone holds no node
			var err error
			if v, err = manifest.NodeValue(manifest.FromYAML(&root, 0)); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	if v == nil {
		return map[string]any{}, nil // an empty file adds nothing
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a data file must hold an object (a mapping), not %T", path, v)
	}
	return obj, nil
}

// yamlErrorPos reads the line of yaml.v3's "yaml: line N: msg" errors.
// yaml.v3 prints parser errors ("did not find expected ...") with the
// 0-based line of their context mark, scanner errors with a 1-based one.
func yamlErrorPos(path string, err error) string {
	var line int
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n != 1 {
		return path
	}
	if strings.Contains(msg, "did not find expected") {
		line++
	}
	return fmt.Sprintf("%s:%d", path, max(line, 1))
}

func yamlErrorMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			return rest
		}
	}
	return msg
}

func jsonErrorPos(path string, src []byte, err error) string {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset - 1 // Offset counts the offending byte
	case errors.As(err, &typ):
		offset = typ.Offset - 1
	case errors.Is(err, io.ErrUnexpectedEOF):
		offset = int64(len(src))
	}
	if offset < 0 {
		return path
	}
	line, col := 1, 1
	for _, b := range src[:min(int(offset), len(src))] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

func jsonErrorMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// mergeData places a data document the way `opa eval -d DIR` does: a file
// in a subdirectory of the policy directory lands under the keys of its
// directories (a/b/x.yaml under data.a.b), a file at the top at data itself.
func (f *files) mergeData(root, path string, doc map[string]any) error {
	rel, err := filepath.Rel(root, filepath.Dir(path))
	if err != nil {
		return err
	}
	var keys []string
	if rel != "." {
		keys = strings.Split(filepath.ToSlash(rel), "/")
	}
	var at any = doc
	for i := len(keys) - 1; i >= 0; i-- {
		at = map[string]any{keys[i]: at}
	}
	top := at.(map[string]any)
	for k, v := range top {
		if conflict := mergeValue(f.data, k, v, "data"); conflict != "" {
			return fmt.Errorf("%s: data conflicts with %s at %s", path, f.dataFiles[k], conflict)
		}
		if _, ok := f.dataFiles[k]; !ok {
			f.dataFiles[k] = path
		}
	}
	return nil
}

// mergeValue merges v into dst[k]; objects merge key by key, anything else
// may be set once. It returns the path of a conflict, or "".
func mergeValue(dst map[string]any, k string, v any, at string) string {
	at += "." + k
	old, exists := dst[k]
	if !exists {
		dst[k] = v
		return ""
	}
	oldObj, ok1 := old.(map[string]any)
	newObj, ok2 := v.(map[string]any)
	if !ok1 || !ok2 {
		return at
	}
	for nk, nv := range newObj {
		if c := mergeValue(oldObj, nk, nv, at); c != "" {
			return c
		}
	}
	return ""
}
