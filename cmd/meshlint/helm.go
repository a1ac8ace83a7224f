package main

import (
	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/config"
	"github.com/meshlint/meshlint/loader"
)

// helmFlags say how charts are rendered; lint, graph and the other commands
// that load manifests share them.
func helmFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "helm-release", Usage: "release `NAME` charts are rendered with (default: each chart's name)"},
		&cli.StringSliceFlag{Name: "helm-values", Usage: "values `FILE` for every chart, after the config file's (repeatable, as helm's -f)"},
		&cli.StringSliceFlag{Name: "helm-set", Usage: "set a chart value, `KEY=VALUE` in helm's --set syntax (repeatable)"},
		&cli.BoolFlag{Name: "helm-hooks", Usage: "lint charts' hooks (helm.sh/hook) too; test hooks never"},
	}
}

// helmOptions are the flags' and the config file's Helm settings.
func helmOptions(c *cli.Context, cfg *config.Config) loader.HelmOptions {
	opts := loader.HelmOptions{
		Release: c.String("helm-release"),
		Values:  c.StringSlice("helm-values"),
		Set:     c.StringSlice("helm-set"),
		Hooks:   c.Bool("helm-hooks") || (cfg.HelmHooks && !c.IsSet("helm-hooks")),
	}
	if !c.IsSet("helm-release") {
		opts.Release = cfg.HelmRelease
	}
	for chart, sets := range cfg.Helm {
		if opts.Charts == nil {
			opts.Charts = map[string][]loader.ValuesSet{}
		}
		for _, s := range sets {
			opts.Charts[chart] = append(opts.Charts[chart], loader.ValuesSet{Name: s.Name, Files: s.Values, Set: s.Set})
		}
	}
	return opts
}

// helmHooks counts the hooks left out of the charts loaded.
func helmHooks(loaded *loader.Result) int {
	n := 0
	for _, p := range loaded.Parts {
		n += p.Hooks
	}
	return n
}

// remapHelm moves the config file's charts and values files into another
// tree, as diff --base does its declared environments.
func remapHelm(opts loader.HelmOptions, remap func(string) string) loader.HelmOptions {
	if remap == nil || opts.Charts == nil {
		return opts
	}
	charts := map[string][]loader.ValuesSet{}
	for chart, sets := range opts.Charts {
		moved := make([]loader.ValuesSet, len(sets))
		for i, s := range sets {
			s.Files = append([]string(nil), s.Files...)
			for j, f := range s.Files {
				s.Files[j] = remap(f)
			}
			moved[i] = s
		}
		charts[remap(chart)] = moved
	}
	opts.Charts = charts
	return opts
}
