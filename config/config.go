// Package config reads .meshlint.yaml: which rules run and how loudly, which
// paths to skip, where user policies live, and the mesh facts that manifests
// do not say. It only reads and checks the file; the command line decides how
// flags and the file combine.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// FileName and AltFileName are the names a config file is found by.
const (
	FileName    = ".meshlint.yaml"
	AltFileName = ".meshlint.yml"
)

// Config is the content of a config file. Keys are the long names of the
// command-line flags they stand for, so one vocabulary serves both; the JSON
// schema in docs/config.schema.json describes the same keys (a test keeps the
// two in step).
type Config struct {
	// Enable, when not empty, runs only these rules (IDs or names).
	Enable []string `yaml:"enable,omitempty"`
	// Disable removes rules from what would run.
	Disable []string `yaml:"disable,omitempty"`
	// Severity overrides a rule's default severity: error, warning or note.
	Severity map[string]string `yaml:"severity,omitempty"`
	// FailOn is the lowest severity that fails the run: error, warning, note
	// or none.
	FailOn string `yaml:"fail-on,omitempty"`
	// Ignore holds gitignore-style patterns, relative to the config file's
	// directory, of paths not to read while walking directories.
	Ignore []string `yaml:"ignore,omitempty"`
	// Policies are directories (or files) of user Rego policies. In the file
	// they are relative to the config file's directory; after Load they are
	// joined to it, so they can be opened from anywhere.
	Policies []string `yaml:"policies,omitempty"`

	Namespace       string `yaml:"namespace,omitempty"`
	TrustDomain     string `yaml:"trust-domain,omitempty"`
	RootNamespace   string `yaml:"root-namespace,omitempty"`
	IstiodNamespace string `yaml:"istiod-namespace,omitempty"`
	// OutboundTrafficPolicy is the mesh-wide outboundTrafficPolicy mode:
	// ALLOW_ANY or REGISTRY_ONLY.
	OutboundTrafficPolicy string `yaml:"outbound-traffic-policy,omitempty"`

	// AllowRemote lets kustomizations fetch remote bases and resources.
	AllowRemote bool `yaml:"allow-remote,omitempty"`
	// AllowEmpty makes finding no Kubernetes object in the paths no error.
	AllowEmpty bool `yaml:"allow-empty,omitempty"`
	// HelmRelease is the release name charts are rendered with (default:
	// each chart's name); HelmHooks lints their hooks too.
	HelmRelease string `yaml:"helm-release,omitempty"`
	HelmHooks   bool   `yaml:"helm-hooks,omitempty"`
	// Baseline is a baseline file to apply, relative to the config file's
	// directory (joined to it after Load).
	Baseline string `yaml:"baseline,omitempty"`
	// PolicyTimeout stops a Rego rule that runs longer (a Go duration).
	PolicyTimeout string `yaml:"policy-timeout,omitempty"`
	// PolicyNamespace lists the packages whose rules run conftest-style.
	PolicyNamespace []string `yaml:"policy-namespace,omitempty"`

	// ClusterServices says which cluster services meshlint assumes when the
	// manifests lack them.
	ClusterServices *ClusterServices `yaml:"cluster-services,omitempty"`

	// Environments, when listed, say which objects are applied to one
	// cluster together, instead of the grouping meshlint works out.
	Environments []Environment `yaml:"environments,omitempty"`

	// Helm gives charts values sets, by the chart's directory (relative to
	// the config file's directory; joined to it after Load): each set
	// renders the chart once, as an environment of its own (helm.go).
	Helm map[string][]HelmValues `yaml:"helm,omitempty"`

	// Diff holds the settings of `meshlint diff`.
	Diff *Diff `yaml:"diff,omitempty"`

	// Path is the file the config was read from; "" for no file.
	Path string `yaml:"-"`

	ignore *Matcher
	// rules records where each rule name appears, for errors found later
	// (an unknown rule is only known to be unknown once user policies load).
	rules map[string]Pos
}

// Environment is one set of paths applied to one cluster together. Paths
// are relative to the config file's directory in the file, and joined to it
// after Load; an element may be a glob pattern (apps/*/overlays/prod).
type Environment struct {
	Name  string   `yaml:"name"`
	Paths []string `yaml:"paths"`
}

// Diff is the settings of `meshlint diff`.
type Diff struct {
	// FailOn is what a change must do to fail the run: added, changed,
	// any, or none (the default).
	FailOn string `yaml:"fail-on,omitempty"`
}

// DiffFailOn lists the values of diff.fail-on and `diff --fail-on`.
var DiffFailOn = []string{"none", "added", "removed", "changed", "any"}

// ClusterServices are the services every cluster has. meshlint stands them in
// when the manifests lack them, so that a policy allowing DNS or the control
// plane matches something; false turns that off for clusters that do not run
// them (or run them under other labels).
type ClusterServices struct {
	KubeDNS *bool `yaml:"kube-dns,omitempty"`
	Istiod  *bool `yaml:"istiod,omitempty"`
}

// AssumeKubeDNS reports whether kube-dns is stood in when missing (default yes).
func (c *Config) AssumeKubeDNS() bool {
	return c.ClusterServices == nil || c.ClusterServices.KubeDNS == nil || *c.ClusterServices.KubeDNS
}

// AssumeIstiod reports whether istiod is stood in when missing (default yes).
func (c *Config) AssumeIstiod() bool {
	return c.ClusterServices == nil || c.ClusterServices.Istiod == nil || *c.ClusterServices.Istiod
}

// Dir is the directory relative paths of the file are relative to.
func (c *Config) Dir() string {
	if c.Path == "" {
		return ""
	}
	return filepath.Dir(c.Path)
}

// RulePos returns where the file names a rule (in enable, disable or
// severity), compared case-insensitively.
func (c *Config) RulePos(name string) (Pos, bool) {
	p, ok := c.rules[strings.ToLower(name)]
	return p, ok
}

// IgnoreFunc returns the loader's ignore hook: it takes paths as the loader
// shows them (relative to workDir) and matches them relative to the config
// file's directory, as .gitignore does. It is nil when nothing is ignored.
func (c *Config) IgnoreFunc(workDir string) func(path string, isDir bool) bool {
	if c.ignore == nil {
		return nil
	}
	return func(path string, isDir bool) bool {
		if !filepath.IsAbs(path) {
			path = filepath.Join(workDir, filepath.FromSlash(path))
		}
		rel, err := filepath.Rel(c.Dir(), path)
		if err != nil {
			return false
		}
		return c.ignore.Match(filepath.ToSlash(rel), isDir)
	}
}

// Pos is a place in the config file.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is a config file that cannot be used, with where and why.
type Error struct {
	Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Find looks for a config file in dir and then in each parent up to the
// repository root (the directory holding .git), and returns the first found,
// or "" when there is none: a file above the repository belongs to someone
// else. Both names in one directory is an error: silently reading one while
// the user edits the other is worse.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		var found []string
		for _, name := range []string{FileName, AltFileName} {
			p := filepath.Join(dir, name)
			if info, err := os.Stat(p); err == nil && !info.IsDir() {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 2:
			return "", fmt.Errorf("both %s and %s exist: keep one", found[0], found[1])
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil // the repository root: look no higher
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads and checks the config file at path. display is how the file is
// named in errors (a path relative to the working directory, typically).
func Load(path, display string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config %s: no such file", display)
		}
		return nil, fmt.Errorf("config %s: %w", display, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return Parse(abs, display, data)
}

// Parse checks data as the config file at path (absolute; relative paths in
// the file are resolved against its directory).
func Parse(path, display string, data []byte) (*Config, error) {
	cfg := &Config{Path: path, rules: map[string]Pos{}}
	at := func(n *yaml.Node, format string, args ...any) error {
		return &Error{Pos: posOf(display, n), Msg: fmt.Sprintf(format, args...)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		return nil, &Error{Pos: Pos{File: display, Line: line, Column: 1}, Msg: "does not parse: " + msg}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return cfg, nil // an empty file: every default holds
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return cfg, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, at(root, "want a mapping of settings (enable:, disable:, fail-on:, ...)")
	}
	if err := checkKeys(root, reflect.TypeOf(Config{}), "", at); err != nil {
		return nil, err
	}
	if err := root.Decode(cfg); err != nil {
		return nil, typeError(err, display)
	}
	if err := cfg.check(root, display); err != nil {
		return nil, err
	}
	return cfg, nil
}
