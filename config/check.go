package config

// Checking a config file: unknown keys with a suggestion, values out of
// range, environments, each at its line.

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

type atFunc func(n *yaml.Node, format string, args ...any) error

// checkKeys rejects keys that the struct does not have, naming the key and
// its line: a misspelt key silently ignored is a setting silently lost.
func checkKeys(n *yaml.Node, t reflect.Type, where string, at atFunc) error {
	known := keys(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field, ok := fieldByKey(t, k.Value)
		if !ok {
			msg := fmt.Sprintf("unknown key %q%s", k.Value, where)
			if s := suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += " (known keys: " + strings.Join(known, ", ") + ")"
			}
			return at(k, "%s", msg)
		}
		ft := field.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && v.Kind == yaml.MappingNode {
			if err := checkKeys(v, ft, " in "+k.Value, at); err != nil {
				return err
			}
		}
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && v.Kind == yaml.SequenceNode {
			for _, item := range v.Content {
				if item.Kind == yaml.MappingNode {
					if err := checkKeys(item, ft.Elem(), " in "+k.Value, at); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// Keys lists the keys a config file may have at its top level.
func Keys() []string { return keys(reflect.TypeOf(Config{})) }

// keys lists the YAML keys of a struct type, in field order.
func keys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func yamlKey(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); yamlKey(f) == key && key != "" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// suggest finds the known key a misspelt one most likely means: the same
// letters in another case or separator style (failOn, fail_on).
func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", ".", "").Replace(strings.ToLower(s))
	}
	for _, k := range known {
		if norm(k) == norm(key) {
			return k
		}
	}
	return ""
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError pulls the line out of yaml.v3's "yaml: line N: msg".
func yamlError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		return line, m[2]
	}
	return 0, msg
}

// typeError turns yaml.v3's decoding errors ("line 3: cannot unmarshal ...")
// into file:line errors.
func typeError(err error, display string) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return &Error{Pos: Pos{File: display}, Msg: err.Error()}
	}
	var msgs []string
	for _, e := range te.Errors {
		line, msg := yamlError(errors.New(e))
		msg = strings.NewReplacer("!!seq", "a list", "!!map", "a mapping", "!!str", "a string",
			"!!int", "a number", "!!bool", "a boolean", "!!float", "a number").Replace(msg)
		msgs = append(msgs, (&Error{Pos: Pos{File: display, Line: line}, Msg: msg}).Error())
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// dns1123Label is what Kubernetes accepts as a namespace name.
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// check validates values the YAML types alone do not: severities, names,
// patterns. It also resolves policy paths and compiles ignore patterns.
func (c *Config) check(root *yaml.Node, display string) error {
	at := func(n *yaml.Node, format string, args ...any) error {
		return &Error{Pos: posOf(display, n), Msg: fmt.Sprintf(format, args...)}
	}
	get := func(key string) (k, v *yaml.Node) {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == key {
				return root.Content[i], root.Content[i+1]
			}
		}
		return nil, nil
	}
	for _, key := range []string{"enable", "disable", "ignore", "policies", "policy-namespace"} {
		if _, n := get(key); n != nil {
			for _, item := range n.Content {
				if strings.TrimSpace(item.Value) == "" {
					return at(item, "%s: empty entry", key)
				}
			}
		}
	}
	for _, key := range []string{"enable", "disable"} {
		if _, n := get(key); n != nil {
			for _, item := range n.Content {
				c.notePos(item.Value, posOf(display, item))
			}
		}
	}
	if _, n := get("severity"); n != nil {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if strings.TrimSpace(k.Value) == "" {
				return at(k, "severity: empty rule name")
			}
			if !oneOf(v.Value, "error", "warning", "note") {
				return at(v, "severity of %s: %q is not error, warning or note (to turn a rule off, list it under disable)", k.Value, v.Value)
			}
			c.notePos(k.Value, posOf(display, k))
		}
	}
	if _, n := get("fail-on"); n != nil && !oneOf(c.FailOn, "error", "warning", "note", "none") {
		return at(n, "fail-on: %q is not error, warning, note or none", c.FailOn)
	}
	for _, key := range []string{"namespace", "root-namespace", "istiod-namespace"} {
		if _, n := get(key); n != nil && (len(n.Value) > 63 || !dns1123Label.MatchString(n.Value)) {
			return at(n, "%s: %q is not a namespace name (at most 63 lower-case letters, digits and '-')", key, n.Value)
		}
	}
	if _, n := get("trust-domain"); n != nil && (strings.TrimSpace(c.TrustDomain) == "" || strings.ContainsAny(c.TrustDomain, "/ \t")) {
		return at(n, "trust-domain: %q is not a trust domain (like cluster.local)", c.TrustDomain)
	}
	if _, n := get("outbound-traffic-policy"); n != nil && !oneOf(strings.ToUpper(c.OutboundTrafficPolicy), "ALLOW_ANY", "REGISTRY_ONLY") {
		return at(n, "outbound-traffic-policy: %q is not ALLOW_ANY or REGISTRY_ONLY", c.OutboundTrafficPolicy)
	}
	if _, n := get("cluster-services"); n != nil && n.Kind != yaml.MappingNode {
		return at(n, "cluster-services: want a mapping such as {kube-dns: true, istiod: true}")
	}
	if len(c.Ignore) > 0 {
		m, err := CompileIgnore(c.Ignore)
		if err != nil {
			k, n := get("ignore")
			var pe *PatternError
			if errors.As(err, &pe) {
				return at(n.Content[pe.Index], "ignore: %v", pe)
			}
			return at(k, "ignore: %v", err)
		}
		c.ignore = m
	}
	for i, p := range c.Policies {
		if !filepath.IsAbs(p) {
			c.Policies[i] = filepath.Join(c.Dir(), filepath.FromSlash(p))
		}
	}
	if _, n := get("policy-timeout"); n != nil {
		if d, err := time.ParseDuration(c.PolicyTimeout); err != nil || d <= 0 {
			return at(n, "policy-timeout: %q is not a duration (like 10s or 1m)", c.PolicyTimeout)
		}
	}
	if c.Baseline != "" && !filepath.IsAbs(c.Baseline) {
		c.Baseline = filepath.Join(c.Dir(), filepath.FromSlash(c.Baseline))
	}
	if _, n := get("environments"); n != nil {
		if err := c.checkEnvironments(n, at); err != nil {
			return err
		}
	}
	if _, n := get("helm"); n != nil {
		if err := c.checkHelm(n, at); err != nil {
			return err
		}
	}
	if _, n := get("diff"); n != nil {
		if n.Kind != yaml.MappingNode {
			return at(n, "diff: want a mapping such as {fail-on: added}")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; n.Content[i].Value == "fail-on" && !oneOf(v.Value, DiffFailOn...) {
				return at(v, "diff: fail-on: %q is not %s", v.Value, strings.Join(DiffFailOn, ", "))
			}
		}
	}
	return nil
}

// checkEnvironments wants a name and at least one path per environment,
// names once each, and patterns that compile; it resolves the paths.
func (c *Config) checkEnvironments(n *yaml.Node, at atFunc) error {
	if n.Kind != yaml.SequenceNode {
		return at(n, "environments: want a list of {name: NAME, paths: [PATH, ...]}")
	}
	seen := map[string]bool{}
	for i, item := range n.Content {
		env := c.Environments[i]
		field := func(key string) *yaml.Node {
			for k := 0; k+1 < len(item.Content); k += 2 {
				if item.Content[k].Value == key {
					return item.Content[k+1]
				}
			}
			return item
		}
		if strings.TrimSpace(env.Name) == "" {
			return at(field("name"), "environments: entry %d has no name", i+1)
		}
		if seen[env.Name] {
			return at(field("name"), "environments: %q is listed twice", env.Name)
		}
		seen[env.Name] = true
		if len(env.Paths) == 0 {
			return at(field("paths"), "environments: %q lists no paths", env.Name)
		}
		paths := field("paths")
		for j, p := range env.Paths {
			pn := paths
			if j < len(paths.Content) {
				pn = paths.Content[j]
			}
			if strings.TrimSpace(p) == "" {
				return at(pn, "environments: %q: empty path", env.Name)
			}
			if _, err := filepath.Match(p, ""); err != nil {
				return at(pn, "environments: %q: path %q is not a valid pattern", env.Name, p)
			}
			if !filepath.IsAbs(p) {
				env.Paths[j] = filepath.Join(c.Dir(), filepath.FromSlash(p))
			}
		}
	}
	return nil
}

// notePos keeps the first place a rule is named.
func (c *Config) notePos(rule string, p Pos) {
	if _, ok := c.rules[strings.ToLower(rule)]; !ok {
		c.rules[strings.ToLower(rule)] = p
	}
}

func posOf(display string, n *yaml.Node) Pos {
	return Pos{File: display, Line: n.Line, Column: n.Column}
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
