package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/meshlint/meshlint/manifest"
)

// ValuesSource is one values set given for a chart: a values file, one
// key=value of --helm-set (Helm's own parser reads it), or values written
// inline (a kustomization's valuesInline).
type ValuesSource struct {
	// File is a values file, absolute.
	File string
	// Set is one key=value.
	Set string
	// Inline are values given as data; InlineFile is where they are
	// written, for messages.
	Inline     map[string]any
	InlineFile string
}

func (s ValuesSource) String() string {
	switch {
	case s.File != "":
		return s.File
	case s.Set != "":
		return "--helm-set " + s.Set
	default:
		return "inline values in " + s.InlineFile
	}
}

// mergeValues merges the values sets as Helm's -f and --set do: maps merge
// key by key, anything else is replaced by the later set.
func mergeValues(sources []ValuesSource) (map[string]any, error) {
	base := map[string]any{}
	for _, s := range sources {
		switch {
		case s.File != "":
			vals, err := chartutil.ReadValuesFile(s.File)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, &Failure{File: s.File, Chart: true, Message: "values file: no such file"}
			}
			if err != nil {
				line := 1
				fmt.Sscanf(yamlLine(err.Error()), "%d", &line)
				return nil, &Failure{File: s.File, Line: line, Chart: true, Message: "values file does not parse: " + err.Error()}
			}
			base = mergeMaps(base, vals)
		case s.Set != "":
			if err := strvals.ParseInto(s.Set, base); err != nil {
				return nil, &Failure{File: "--helm-set", Chart: true, Message: fmt.Sprintf("--helm-set %s: %v", s.Set, err)}
			}
		default:
			base = mergeMaps(base, s.Inline)
		}
	}
	return base, nil
}

func yamlLine(msg string) string {
	if i := strings.Index(msg, "line "); i >= 0 {
		return msg[i+len("line "):]
	}
	return "1"
}

// mergeMaps merges b into a: b wins, nested maps merge.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// locate finds the line of a key (a path of map keys) in a values set:
// ok is false when the set is not a file or the file does not set the key.
func (r *Rendering) locate(s ValuesSource, key []string) (manifest.Position, bool) {
	if s.File == "" || len(key) == 0 {
		return manifest.Position{}, false
	}
	if r.trees == nil {
		r.trees = map[string]*manifest.Node{}
	}
	n, ok := r.trees[s.File]
	if !ok {
		n = readTree(s.File)
		r.trees[s.File] = n
	}
	var at *manifest.Node
	for _, k := range key {
		if n == nil || n.Kind != manifest.MappingNode {
			return manifest.Position{}, false
		}
		var next *manifest.Node
		for i := 0; i+1 < len(n.Content()); i += 2 {
			if n.Content()[i].Value() == k {
				at, next = n.Content()[i], n.Content()[i+1]
				break
			}
		}
		if next == nil {
			return manifest.Position{}, false
		}
		n = next
	}
	return manifest.Position{File: s.File, Line: int(at.Line), Column: int(at.Column)}, true
}

// readTree parses a values file for positions (nil when it cannot).
func readTree(file string) *manifest.Node {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	return manifest.FromYAML(&doc, 0)
}

// ownValues is the values.yaml of the chart at dir.
func ownValues(dir string) ValuesSource {
	return ValuesSource{File: filepath.Join(dir, chartutil.ValuesfileName)}
}
