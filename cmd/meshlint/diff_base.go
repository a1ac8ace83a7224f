package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/config"
	"github.com/meshlint/meshlint/diff"
	"github.com/meshlint/meshlint/internal/gitrev"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

// baseVersions loads the working tree's paths (NEW) and the same paths at
// git revision rev (OLD). The revision's whole tree is laid out in a
// temporary directory, so that kustomizations whose bases live elsewhere
// in the repository build; its files are shown at the paths they have in
// the working tree. The config file is the working tree's, for both.
func baseVersions(c *cli.Context, cfg *config.Config, wd, rev string, paths []string) (old, new *diffVersion, err error) {
	tree, err := gitrev.Checkout(wd, rev)
	if err != nil {
		return nil, nil, err
	}
	defer tree.Close()
	oldWD, ok := tree.Path(wd)
	if !ok {
		return nil, nil, fmt.Errorf("--base: %s is outside the repository %s", wd, tree.Repo)
	}
	var oldPaths []string
	for _, p := range paths {
		if p == "-" {
			return nil, nil, fmt.Errorf("--base: a path must be a file or directory of the repository, not -")
		}
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, p)
		}
		at, ok := tree.Path(abs)
		if !ok {
			return nil, nil, fmt.Errorf("--base: %s is outside the repository %s", p, tree.Repo)
		}
		// A path the change adds has nothing at the revision.
		if _, err := os.Stat(at); err == nil {
			rel, _ := filepath.Rel(oldWD, at)
			oldPaths = append(oldPaths, rel)
		}
	}
	remap := func(p string) string {
		if at, ok := tree.Path(p); ok {
			return at
		}
		return p
	}
	label := strings.Join(paths, " ")
	new, err = loadVersion(c, cfg, wd, wd, ".", paths, nil)
	if err != nil {
		return nil, nil, err
	}
	short := tree.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	if len(oldPaths) == 0 {
		// Nothing of the paths existed then: every environment was empty.
		old = &diffVersion{label: rev}
		settings := settingsFrom(c)
		applySettings(c, cfg, &settings)
		for _, e := range new.envs {
			old.envs = append(old.envs, diff.Env{Name: e.Name, Key: e.Key, Model: model.Build(&loader.Result{}, settings)})
		}
	} else if old, err = loadVersion(c, cfg, wd, oldWD, ".", oldPaths, remap); err != nil {
		return nil, nil, fmt.Errorf("--base %s: %w", rev, err)
	}
	old.label = rev + " (" + short + ")"
	new.label = label + " (working tree)"
	return old, new, nil
}
