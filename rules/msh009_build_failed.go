package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/loader"
)

// BuildFailed reports kustomizations and Helm charts found while walking a
// tree that do not build.
var BuildFailed = &analyzer.Rule{
	ID:       "MSH009",
	Name:     "build-failed",
	Severity: analyzer.Error,
	Summary:  "A kustomization or Helm chart found while walking a tree does not build.",
	Description: `A kustomization that kustomize cannot build is never applied, so none of
the objects it would make are in the cluster: a missing resource file, a
patch that matches nothing, a remote base meshlint was not allowed to fetch,
a kustomization file that does not parse. meshlint reports it at the
kustomization file (at the reference to blame, when kustomize's error names
one) and lints the rest of the tree; a base the broken overlay included is
then built on its own.

A Helm chart that does not render is never installed either: a template
whose ` + "`required`" + ` value is missing or that calls ` + "`fail`" + `, a
template that does not parse, values that ` + "`values.schema.json`" + ` refuses,
a dependency not vendored in ` + "`charts/`" + `. meshlint reports it at the
template file and line Helm gives, with Helm's message (at the values file's
line for a schema failure, at ` + "`Chart.yaml`" + ` for a dependency), and
still lints the chart's other templates; a failure in a partial
(` + "`_helpers.tpl`" + `) fails the whole chart.

A kustomization or chart named on the command line that does not build fails
the run instead (exit code 2): there is nothing to lint in what was asked
for. Remote bases and resources are fetched only with ` + "`--allow-remote`" + `
(or ` + "`allow-remote: true`" + ` in the config file); Helm charts never are.`,
	Bad: `# deploy/overlays/prod/kustomization.yaml
resources:
  - ../../base
  - netpol.yaml        # no such file
`,
	Good: `# deploy/overlays/prod/kustomization.yaml
resources:
  - ../../base
  - networkpolicy.yaml
`,
	Fix:  "Fix what kustomize's or Helm's error names (`kustomize build DIR` or `helm template DIR` shows the same), allow remote resources with --allow-remote, or vendor a chart's dependencies with `helm dependency build`.",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		for _, p := range pass.Model.Problems {
			if p.Kind == loader.ProblemBuild {
				pass.ReportFile(p.Pos, "%s", p.Message)
			}
		}
	},
}
