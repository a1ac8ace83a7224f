package rules

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// DuplicateObject reports objects defined twice in one environment.
var DuplicateObject = &analyzer.Rule{
	ID:       "MSH008",
	Name:     "duplicate-object",
	Severity: analyzer.Warning,
	Summary:  "The same kind, namespace and name is defined twice in one environment.",
	Description: `A cluster holds one object per kind, namespace and name. Applied
together, two manifests of the same object do not add up: the one applied
later replaces the other, as ` + "`kubectl apply`" + ` does, and whatever the first said
(a label a policy selects, a port, a rule) is gone. It happens when a file is
copied to make a variant, or when an object is both in a kustomization's base
and in a plain manifest beside it.

meshlint reports both definitions and says which one wins: the later in
apply order (the order meshlint reads the paths: files in name order,
documents in file order, builds where they are met). Only the winner takes
part in the model; the replaced copy is still checked for what makes a
manifest invalid on its own (MSH002, MSH003). Several objects of one file defined again in another (a
directory copied whole) are one finding on each file. Identical copies are
not reported: applying the same object twice changes nothing. Objects of
different environments (two overlays of one base) are alternatives, not
duplicates.`,
	Bad: `# web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
---
# web-canary.yaml, applied after web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web          # the same object: replaces the first
  namespace: shop
`,
	Good: `# web-canary.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-canary
  namespace: shop
`,
	Fix:  "Give the copy a name of its own, or delete the definition that should not be applied (or move it to an overlay of its own).",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		// Copies that differ. A replaced copy is reported once per pair of
		// files (a directory copied whole is not one finding per object),
		// the winner once per file, naming every copy it replaces.
		type pair struct{ replaced, winner string }
		groups := map[pair][]model.Duplicate{}
		var order []pair
		byWinnerFile := map[string][]model.Duplicate{}
		var winnerFiles []string
		for _, d := range pass.Model.Duplicates {
			if d.Identical {
				continue // applying the same object twice changes nothing
			}
			k := pair{d.Replaced.File, d.Winner.File}
			if len(groups[k]) == 0 {
				order = append(order, k)
			}
			groups[k] = append(groups[k], d)
			if len(byWinnerFile[k.winner]) == 0 {
				winnerFiles = append(winnerFiles, k.winner)
			}
			byWinnerFile[k.winner] = append(byWinnerFile[k.winner], d)
		}
		for _, k := range order {
			g := groups[k]
			first := g[0]
			var f *analyzer.Finding
			if len(g) == 1 {
				f = pass.Report(first.Replaced, "metadata.name", "%s is defined again at %s, which is applied later and replaces this definition",
					first.Replaced.Ref(), first.Winner.Position("metadata.name"))
			} else {
				f = pass.Report(first.Replaced, "metadata.name", "%d objects of this file are defined again in %s, which is applied later and replaces them: %s",
					len(g), k.winner, listOf(refs(g, false)))
			}
			f.Key("replaced", k.replaced, k.winner)
			for _, d := range g {
				f.Relate(d.Winner, "metadata.name", "%sthe definition that wins", prefix(len(g), d.Winner))
			}
		}
		for _, file := range winnerFiles {
			g := byWinnerFile[file]
			first := g[0]
			objects := uniq(refs(g, true))
			var f *analyzer.Finding
			if len(objects) == 1 {
				var at []string
				for _, d := range g {
					at = append(at, d.Replaced.Position("metadata.name").String())
				}
				f = pass.Report(first.Winner, "metadata.name", "%s is also defined at %s; this definition, applied later, is the one the cluster keeps",
					first.Winner.Ref(), listOf(at))
			} else {
				var files []string
				for _, d := range g {
					files = append(files, d.Replaced.File)
				}
				f = pass.Report(first.Winner, "metadata.name", "%d objects of this file are also defined in %s, applied earlier; the definitions here are the ones the cluster keeps: %s",
					len(objects), listOf(uniq(files)), listOf(objects))
			}
			f.Key("winner", file)
			for _, d := range g {
				f.Relate(d.Replaced, "metadata.name", "%sreplaced by this definition", prefix(len(objects), d.Replaced))
			}
		}
	},
}

// refs names the replaced (or winning) objects of duplicates.
func refs(ds []model.Duplicate, winners bool) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		o := d.Replaced
		if winners {
			o = d.Winner
		}
		out[i] = o.Ref().String()
	}
	return out
}

// prefix names the object of a related location when a finding is about
// several.
func prefix(objects int, o *manifest.Object) string {
	if objects == 1 {
		return ""
	}
	return o.Ref().String() + ": "
}

func uniq(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return out
}

// listOf names up to three items and how many more there are.
func listOf(items []string) string {
	if len(items) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(items[:3], ", "), len(items)-3)
	}
	return strings.Join(items, ", ")
}
