package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/loader"
)

// OutsideBuild notes manifests below a kustomization that no build reads.
var OutsideBuild = &analyzer.Rule{
	ID:       "MSH010",
	Name:     "outside-build",
	Severity: analyzer.Note,
	Summary:  "Manifests below a kustomization are part of no kustomize build.",
	Description: `A directory with a kustomization file is applied with ` + "`kubectl apply -k`" + `,
which applies what the kustomization lists and nothing else. Manifests below
it that neither it nor another kustomization of the run reads (say, a root
kustomization listing only ` + "`infra/`" + ` beside an ` + "`apps/`" + ` directory) are not
applied that way. meshlint still lints them, as plain manifests applied
beside the builds, and says so once per kustomization, naming the files.

Whether they should be in the build or are applied some other way, only the
repository's owners know: list them under ` + "`resources`" + `, or tell meshlint to
ignore them (the config file's ` + "`ignore`" + `).`,
	Bad: `# kustomization.yaml, beside infra/ and apps/
resources:
  - infra
`,
	Good: `# kustomization.yaml, beside infra/ and apps/
resources:
  - infra
  - apps
`,
	Fix:  "List the files (or their directory) under resources, or add them to the config file's ignore.",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		for _, p := range pass.Model.Problems {
			if p.Kind == loader.ProblemOutsideBuild {
				pass.ReportFile(p.Pos, "%s", p.Message)
			}
		}
	},
}
