package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
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
documents in file order, builds where they are met). Only the winner is
linted further. Objects of different environments (two overlays of one base)
are alternatives, not duplicates.`,
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
		others := map[*manifest.Object][]*manifest.Object{}
		var winners []*manifest.Object
		for _, d := range pass.Model.Duplicates {
			if len(others[d.Winner]) == 0 {
				winners = append(winners, d.Winner)
			}
			others[d.Winner] = append(others[d.Winner], d.Replaced)
			// Both copies are one object: the file tells them apart.
			pass.Report(d.Replaced, "metadata.name", "%s is defined again at %s, which is applied later and replaces this definition",
				d.Replaced.Ref(), d.Winner.Position("metadata.name")).
				Relate(d.Winner, "metadata.name", "the definition that wins").
				Key("replaced", d.Replaced.File)
		}
		for _, w := range winners {
			var at []string
			for _, o := range others[w] {
				at = append(at, o.Position("metadata.name").String())
			}
			f := pass.Report(w, "metadata.name", "%s is also defined at %s; this definition, applied later, is the one the cluster keeps",
				w.Ref(), strings.Join(at, " and ")).Key("winner", w.File)
			for _, o := range others[w] {
				f.Relate(o, "metadata.name", "replaced by this definition")
			}
		}
	},
}
