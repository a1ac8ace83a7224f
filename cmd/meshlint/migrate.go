package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/urfave/cli/v2"
	yaml "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

func init() {
	extraCommands = append(extraCommands, &cli.Command{
		Name:         "migrate",
		Usage:        "print the AuthorizationPolicies that legacy ServiceRole/ServiceRoleBinding meant",
		ArgsUsage:    "PATH...",
		Description:  "Exit codes: 0 every binding was migrated; 1 some field has no equivalent (each is named on stderr); 2 the run failed.",
		Flags:        append(settingsFlags(), catalogueFlags()...),
		OnUsageError: usageError,
		Action:       migrateAction,
	})
}

// migrateAction prints one AuthorizationPolicy per binding and Service, ready
// to apply. Fields with no equivalent are reported on stderr with their
// position, and the exit code is 1: the output is then incomplete.
func migrateAction(c *cli.Context) error {
	paths := c.Args().Slice()
	if len(paths) == 0 {
		return fmt.Errorf("no PATH given (see meshlint migrate --help)")
	}
	started := time.Now()
	res, err := loadEnvironments(c, paths)
	if err != nil {
		return err
	}
	verbose(c, res, started)
	failed := false
	for i, e := range res.Environments {
		if res.Several() {
			if i > 0 {
				fmt.Fprintln(c.App.Writer, "---")
			}
			fmt.Fprintf(c.App.Writer, "# environment: %s\n", e.Name)
		}
		ok, err := migrateModel(c, e.Model)
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if failed {
		return exitCode(exitFindings)
	}
	return nil
}

// migrateModel prints the policies of one environment; ok is false when
// some field could not be migrated.
func migrateModel(c *cli.Context, m *model.Model) (ok bool, err error) {
	t := mesh.Legacy(m)
	out := c.App.Writer
	if len(t.Policies) == 0 {
		fmt.Fprintln(c.App.ErrWriter, "meshlint: no ServiceRoleBinding with a ServiceRole to migrate")
	}
	for i, p := range t.Policies {
		doc, err := migratedPolicy(p, t.Names[i], t.Namespaces[i])
		if err != nil {
			return false, err
		}
		if i > 0 {
			fmt.Fprintln(out, "---")
		}
		fmt.Fprint(out, doc)
	}
	if !t.Enforced {
		fmt.Fprintln(c.App.ErrWriter, "meshlint: note: a ClusterRbacConfig turns RBAC OFF; these policies are what the roles describe, not what was enforced")
	}
	for _, p := range t.Problems {
		fmt.Fprintf(c.App.ErrWriter, "%s: error: cannot migrate: %s\n", p.Object.Position(p.Path), p.Message)
	}
	return len(t.Problems) == 0, nil
}

func migratedPolicy(p *mesh.Policy, name, namespace string) (string, error) {
	specJSON, err := protojson.Marshal(p.Spec)
	if err != nil {
		return "", err
	}
	var spec map[string]any
	if err := json.Unmarshal(specJSON, &spec); err != nil {
		return "", err
	}
	// protojson leaves out ALLOW, the default; a policy meant to allow
	// should say so.
	if _, ok := spec["action"]; !ok {
		spec["action"] = "ALLOW"
	}
	// Keys in the order people write them: yaml.v3 would sort a map's.
	obj, err := orderedMapping([]keyValue{
		{"apiVersion", "security.istio.io/v1"},
		{"kind", "AuthorizationPolicy"},
		{"metadata", map[string]any{"name": name, "namespace": namespace}},
		{"spec", nil},
	})
	if err != nil {
		return "", err
	}
	specNode, err := orderedMapping(specFields(spec))
	if err != nil {
		return "", err
	}
	obj.Content[len(obj.Content)-1] = specNode
	var buf bytes.Buffer
	from := p.Name()
	if p.Object.Kind == "ClusterRbacConfig" {
		from = "ClusterRbacConfig " + p.Object.Name // cluster-scoped
	}
	fmt.Fprintf(&buf, "# Migrated from %s (%s)\n", from, p.Object.Position(""))
	if p.Role != nil {
		fmt.Fprintf(&buf, "# and ServiceRole %s/%s (%s),\n", p.Role.Namespace, p.Role.Name, p.Role.Position(""))
	}
	buf.WriteString("# which Istio stopped enforcing in 1.6.\n")
	if len(p.Spec.GetRules()) == 0 {
		buf.WriteString("# An ALLOW policy with no rules allows nothing: what RBAC ON meant for\n# the workloads no ServiceRole covers.\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&obj); err != nil {
		return "", err
	}
	return buf.String(), enc.Close()
}

type keyValue struct {
	key   string
	value any
}

// specFields lists selector, action and rules first, then any other field
// in name order.
func specFields(spec map[string]any) []keyValue {
	var out []keyValue
	for _, key := range []string{"selector", "action", "rules"} {
		if v, ok := spec[key]; ok {
			out = append(out, keyValue{key, v})
			delete(spec, key)
		}
	}
	rest := make([]string, 0, len(spec))
	for key := range spec {
		rest = append(rest, key)
	}
	sort.Strings(rest)
	for _, key := range rest {
		out = append(out, keyValue{key, spec[key]})
	}
	return out
}

func orderedMapping(fields []keyValue) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range fields {
		var val yaml.Node
		if err := val.Encode(f.value); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: f.key}, &val)
	}
	return n, nil
}
