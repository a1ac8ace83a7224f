package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/loader"
)

// BuildFailed reports kustomizations found while walking a tree that do not
// build.
var BuildFailed = &analyzer.Rule{
	ID:       "MSH009",
	Name:     "build-failed",
	Severity: analyzer.Error,
	Summary:  "A kustomization found while walking a tree does not build.",
	Description: `A kustomization that kustomize cannot build is never applied, so none of
the objects it would make are in the cluster: a missing resource file, a
patch that matches nothing, a remote base meshlint was not allowed to fetch,
a kustomization file that does not parse. meshlint reports it at the
kustomization file (at the reference to blame, when kustomize's error names
one) and lints the rest of the tree; a base the broken overlay included is
then built on its own.

A kustomization named on the command line that does not build fails the run
instead (exit code 2): there is nothing to lint in what was asked for.
Remote bases and resources are fetched only with ` + "`--allow-remote`" + ` (or
` + "`allow-remote: true`" + ` in the config file).`,
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
	Fix:  "Fix what kustomize's error names (`kustomize build DIR` shows the same), or allow remote resources with --allow-remote.",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		for _, p := range pass.Model.Problems {
			if p.Kind == loader.ProblemBuild {
				pass.ReportFile(p.Pos, "%s", p.Message)
			}
		}
	},
}
