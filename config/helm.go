package config

import (
	"path/filepath"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// HelmValues is one values set of a chart: values files (relative to the
// config file's directory in the file; joined to it after Load) and
// --helm-set style key=value pairs, applied in that order after the chart's
// values.yaml. In the file a set is a mapping (name, values, set), a list
// of values files, or one values file.
type HelmValues struct {
	// Name names the set in the environment's name (chart[NAME]); without
	// it the files and pairs do.
	Name   string   `yaml:"name,omitempty"`
	Values []string `yaml:"values,omitempty"`
	Set    []string `yaml:"set,omitempty"`
}

// UnmarshalYAML reads the three forms of a values set.
func (h *HelmValues) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		h.Values = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		return n.Decode(&h.Values)
	}
	type plain HelmValues // without this method
	return n.Decode((*plain)(h))
}

// checkHelm wants chart paths mapped to lists of values sets whose files
// are named and whose pairs are key=value; it resolves the paths.
func (c *Config) checkHelm(n *yaml.Node, at atFunc) error {
	const want = "helm: want chart paths mapped to lists of values sets (a values file, a list of them, or {name: NAME, values: [FILE, ...], set: [KEY=VALUE, ...]})"
	if n.Kind != yaml.MappingNode {
		return at(n, "%s", want)
	}
	resolved := map[string][]HelmValues{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		chart := k.Value
		if strings.TrimSpace(chart) == "" {
			return at(k, "helm: empty chart path")
		}
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			return at(v, "helm: %s: want a list of values sets", chart)
		}
		sets := c.Helm[chart]
		for j, item := range v.Content {
			if item.Kind == yaml.MappingNode {
				if err := checkKeys(item, typeOfHelmValues, " in a values set of "+chart, at); err != nil {
					return err
				}
			}
			set := &sets[j]
			if len(set.Values) == 0 && len(set.Set) == 0 {
				return at(item, "helm: %s: values set %d names no values file and sets nothing", chart, j+1)
			}
			for f, file := range set.Values {
				if strings.TrimSpace(file) == "" {
					return at(item, "helm: %s: values set %d: empty values file", chart, j+1)
				}
				if !filepath.IsAbs(file) {
					set.Values[f] = filepath.Join(c.Dir(), filepath.FromSlash(file))
				}
			}
			for _, pair := range set.Set {
				if k, _, ok := strings.Cut(pair, "="); !ok || strings.TrimSpace(k) == "" {
					return at(item, "helm: %s: values set %d: %q is not KEY=VALUE", chart, j+1, pair)
				}
			}
		}
		dir := filepath.FromSlash(chart)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(c.Dir(), dir)
		}
		resolved[filepath.Clean(dir)] = sets
	}
	c.Helm = resolved
	return nil
}

var typeOfHelmValues = reflect.TypeOf(HelmValues{})
