package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// checkDependencies fails a chart whose Chart.yaml lists a dependency that
// is not vendored in its charts/ directory, as `helm template` does
// (helm pkg/action CheckDependencies, by chart name). meshlint never
// fetches a chart: the message says how to vendor it.
func checkDependencies(ch *chart.Chart, dir string, allowRemote bool) *Failure {
	chartFile := filepath.Join(dir, chartutil.ChartfileName)
	for _, dep := range ch.Metadata.Dependencies {
		if findDependency(ch, dep.Name) != nil {
			continue
		}
		msg := fmt.Sprintf("dependency %q is not vendored in charts/", dep.Name)
		if dep.Repository != "" {
			msg = fmt.Sprintf("dependency %q (repository %s) is not vendored in charts/", dep.Name, dep.Repository)
		}
		build := fmt.Sprintf("`helm dependency build %s`", dir)
		switch {
		case !IsRemoteRepository(dep.Repository):
			msg += "; vendor it with " + build
		case allowRemote:
			msg += "; --allow-remote does not make meshlint fetch Helm charts (it never does): vendor it with " + build
		default:
			msg += "; it is a remote chart, which meshlint refuses as it does remote kustomize bases (and never fetches, even with --allow-remote): vendor it with " + build
		}
		return &Failure{File: chartFile, Line: dependencyLine(chartFile, dep.Name), Chart: true, Message: msg}
	}
	return nil
}

// IsRemoteRepository reports chart repositories on the network (OCI
// registries, HTTP repositories, repository aliases) as opposed to a
// file:// path or none.
func IsRemoteRepository(repo string) bool {
	if repo == "" || strings.HasPrefix(repo, "file://") {
		return false
	}
	return true
}

// dependencyLine is the line of the dependency's "name:" in Chart.yaml (1
// when it cannot be found).
func dependencyLine(chartFile, name string) int {
	root := yamlRoot(chartFile)
	deps := mapValue(root, "dependencies")
	if deps == nil || deps.Kind != yaml.SequenceNode {
		return 1
	}
	for _, item := range deps.Content {
		if v := mapValue(item, "name"); v != nil && v.Value == name {
			return v.Line
		}
	}
	return deps.Line
}

// keyLine is the line of a top-level key of a YAML file (1 when it has none).
func keyLine(file, key string) int {
	root := yamlRoot(file)
	if root == nil {
		return 1
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i].Line
		}
	}
	return 1
}

func yamlRoot(file string) *yaml.Node {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return doc.Content[0]
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
