package lint

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/helm"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/manifest"
)

// relateValues adds to each finding on a field a chart rendered from values
// the place in a values file that sets them, as a related location: the
// template says where the field is written, the values file what it holds.
func relateValues(loaded *loader.Result, findings []analyzer.Finding) {
	var rendered map[manifest.Ref][]*manifest.Object
	for _, p := range loaded.Parts {
		if p.Kind != loader.PartHelm {
			continue
		}
		if rendered == nil {
			rendered = map[manifest.Ref][]*manifest.Object{}
		}
		for _, o := range p.Objects {
			rendered[o.Ref()] = append(rendered[o.Ref()], o)
		}
	}
	if rendered == nil {
		return
	}
	for i := range findings {
		f := &findings[i]
		if f.Object == nil {
			continue
		}
		for _, o := range rendered[*f.Object] {
			if o.File != f.Pos.File {
				continue
			}
			for _, v := range mostSpecific(loaded.ValuesOf(o, f.Path)) {
				f.Related = append(f.Related, analyzer.Related{
					Pos:     v.Pos,
					Message: "the value " + v.Key + " is set here",
				})
			}
			break
		}
	}
}

// mostSpecific drops a value whose key leads to another one's
// (networkPolicy.allowFrom when networkPolicy.allowFrom.app is there too).
func mostSpecific(refs []helm.ValueRef) []helm.ValueRef {
	var out []helm.ValueRef
	for i, r := range refs {
		covered := false
		for j, o := range refs {
			if i != j && o.Pos.File == r.Pos.File && strings.HasPrefix(o.Key, r.Key+".") {
				covered = true
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

// addRelated adds the related locations of one environment's finding to
// those of the same finding in another: the values files of two values sets
// of a chart set the same field on different lines.
func addRelated(to, from []analyzer.Related) []analyzer.Related {
	for _, r := range from {
		found := false
		for _, o := range to {
			found = found || (o.Pos == r.Pos && o.Message == r.Message)
		}
		if !found {
			to = append(to, r)
		}
	}
	return to
}
