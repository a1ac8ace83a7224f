package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/baseline"
	"github.com/meshlint/meshlint/config"
)

// ownFiles recognises, while a directory is walked, the files that are
// meshlint's own or its inputs' auxiliaries rather than manifests: config
// files, baselines, Rego policy directories (their data and test inputs are
// YAML and JSON too) and the Helm values files the flags or the config file
// name. They are neither linted nor counted (a values file that sets a
// top-level `kind:` would otherwise be an invalid manifest, MSH001); -v
// lists them.
type ownFiles struct {
	wd string
	// files and dirs are absolute paths named by the flags or the config.
	files map[string]string // path -> what it is
	dirs  map[string]string
	// regoDirs caches whether a directory holds Rego modules.
	regoDirs map[string]bool
	// Skipped are the files left out, as the loader shows them, with what
	// each is.
	Skipped []ownFile
}

type ownFile struct{ Path, What string }

const ownFilesKey = "meshlint.ownFiles"

// newOwnFiles gathers what the flags and the config file name.
func newOwnFiles(c *cli.Context, cfg *config.Config, wd string) *ownFiles {
	o := &ownFiles{wd: wd, files: map[string]string{}, dirs: map[string]string{}, regoDirs: map[string]bool{}}
	add := func(m map[string]string, path, what string) {
		if path == "" {
			return
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(wd, path)
		}
		m[filepath.Clean(path)] = what
	}
	add(o.files, cfg.Path, "config file")
	add(o.files, c.String("config"), "config file")
	add(o.files, cfg.Baseline, "baseline")
	add(o.files, c.String("baseline"), "baseline")
	for _, p := range append(append([]string(nil), cfg.Policies...), c.StringSlice("policy")...) {
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			add(o.files, p, "Rego policy")
		} else {
			add(o.dirs, p, "Rego policy directory")
		}
	}
	for _, sets := range cfg.Helm {
		for _, s := range sets {
			for _, f := range s.Values {
				add(o.files, f, "Helm values file")
			}
		}
	}
	for _, f := range c.StringSlice("helm-values") {
		add(o.files, f, "Helm values file")
	}
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	c.App.Metadata[ownFilesKey] = o
	return o
}

// what says what path (as the loader shows it) is, or "" for a file that
// may be a manifest.
func (o *ownFiles) what(path string, isDir bool) string {
	abs := filepath.FromSlash(path)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(o.wd, abs)
	}
	abs = filepath.Clean(abs)
	if isDir {
		return o.dirs[abs]
	}
	if w, ok := o.files[abs]; ok {
		return w
	}
	switch base := filepath.Base(abs); {
	case base == config.FileName || base == config.AltFileName:
		return "config file"
	case base == filepath.Base(baseline.DefaultFile):
		return "baseline"
	}
	if o.holdsRego(filepath.Dir(abs)) {
		return "Rego policy data"
	}
	return ""
}

// holdsRego says whether dir holds Rego modules: the YAML and JSON beside
// them are the policies' data and test inputs.
func (o *ownFiles) holdsRego(dir string) bool {
	if v, ok := o.regoDirs[dir]; ok {
		return v
	}
	found := false
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".rego") {
				found = true
				break
			}
		}
	}
	o.regoDirs[dir] = found
	return found
}

// Ignore is the loader's hook: it leaves meshlint's own files out, and
// remembers them, before prev (the config file's ignore patterns) is asked.
func (o *ownFiles) Ignore(prev func(string, bool) bool) func(string, bool) bool {
	return func(path string, isDir bool) bool {
		if prev != nil && prev(path, isDir) {
			return true
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
		default:
			if !isDir {
				return false // never read as a manifest anyway
			}
		}
		if w := o.what(path, isDir); w != "" {
			o.Skipped = append(o.Skipped, ownFile{Path: path, What: w})
			return true
		}
		return false
	}
}

// skippedOwnFiles is what -v says of them: "" when there were none.
func skippedOwnFiles(c *cli.Context) string {
	o, ok := c.App.Metadata[ownFilesKey].(*ownFiles)
	if !ok || len(o.Skipped) == 0 {
		return ""
	}
	byWhat := map[string][]string{}
	for _, f := range o.Skipped {
		byWhat[f.What] = append(byWhat[f.What], f.Path)
	}
	var kinds []string
	for w := range byWhat {
		kinds = append(kinds, w)
	}
	sort.Strings(kinds)
	var parts []string
	for _, w := range kinds {
		list := byWhat[w]
		sort.Strings(list)
		if len(list) > 3 {
			list = append(list[:3:3], plural(len(byWhat[w])-3, "more", "more"))
		}
		parts = append(parts, w+" "+strings.Join(list, ", "))
	}
	return "skipped " + plural(len(o.Skipped), "file of meshlint's own, not a manifest", "files of meshlint's own, not manifests") + ": " + strings.Join(parts, "; ")
}
