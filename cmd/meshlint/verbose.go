package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/loader"
)

// verbose writes, with -v, what the run used to stderr: the config file,
// what was loaded, the environments with their objects and parts, and how
// long each step took.
func verbose(c *cli.Context, res *lint.Result, started time.Time) {
	if !c.Bool("verbose") {
		return
	}
	w := c.App.ErrWriter
	say := func(format string, args ...any) { fmt.Fprintf(w, "meshlint: "+format+"\n", args...) }
	if cfg, err := loadConfig(c); err == nil && cfg.Path != "" {
		say("config %s", displayPath(cfg.Path))
	} else if c.Bool("no-config") {
		say("no config file (--no-config)")
	} else {
		say("no config file (none from the working directory up to the repository root)")
	}
	l := res.Loaded
	skipped := ""
	if l.Skipped > 0 {
		skipped = ", " + plural(l.Skipped, "non-Kubernetes document", "non-Kubernetes documents") + " skipped"
	}
	say("loaded %s from %s in %s%s", plural(len(l.Objects), "object", "objects"), plural(l.Files, "file", "files"), round(res.LoadTime), skipped)
	if own := skippedOwnFiles(c); own != "" {
		say("%s", own)
	}
	if res.Rules != nil {
		say("%s", plural(len(res.Rules), "rule", "rules"))
	}
	if len(res.Split.Envs) > 1 && len(res.Environments) == 1 {
		say("%d environments; --environment keeps %s", len(res.Split.Envs), res.Environments[0].Name)
	} else {
		say("%s:", plural(len(res.Environments), "environment", "environments"))
	}
	for _, e := range res.Environments {
		name := e.Name
		if name == "" {
			name = "(the whole set)"
		}
		rules := ""
		if res.Rules != nil {
			rules = ", rules " + round(e.RulesTime).String()
		}
		say("  %s: %s from %s; model %s%s", name, plural(len(e.Model.Objects), "object", "objects"), parts(e.Env.Parts), round(e.ModelTime), rules)
	}
	for _, p := range res.Split.LeftOut {
		say("left out %s: an overlay of a base a declared environment lists, listed by none", p.Name)
	}
	for _, name := range res.Split.Empty {
		say("declared environment %s matches nothing loaded", name)
	}
	say("done in %s", round(time.Since(started)))
}

// parts says what an environment is made of: its builds by name, and how
// many plain files.
func parts(ps []*loader.Part) string {
	var builds []string
	files := 0
	for _, p := range ps {
		if p.Kind == loader.PartManifests {
			files++
		} else {
			builds = append(builds, p.Name)
		}
	}
	var out []string
	if len(builds) > 0 {
		list := builds
		if len(list) > 3 {
			list = append(list[:3:3], fmt.Sprintf("%d more", len(builds)-3))
		}
		out = append(out, plural(len(builds), "build", "builds")+" ("+strings.Join(list, ", ")+")")
	}
	if files > 0 || len(out) == 0 {
		out = append(out, plural(files, "plain file", "plain files"))
	}
	return strings.Join(out, " and ")
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
