package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/config"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/diff"
	"github.com/meshlint/meshlint/envs"
	"github.com/meshlint/meshlint/lint"
)

func init() {
	extraCommands = append(extraCommands, diffCommand())
}

// diffFormats are the formats of `meshlint diff`; html joins them when the
// HTML report is built in (diffHTML).
func diffFormats() []string {
	f := []string{"txt", "json", "markdown"}
	if diffHTML != nil {
		f = append(f, "html")
	}
	return f
}

// diffHTML writes a diff as the HTML report's diff view (diff_html.go), so
// that `diff --format html` exists exactly when the report is built in.
var diffHTML func(w io.Writer, r *diff.Result, layer connectivity.Layer, showImplied bool) error

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "what a change opens and closes: connections that differ between two versions",
		ArgsUsage: "OLD NEW | --base REV [PATH...]",
		UsageText: "meshlint diff [flags] OLD NEW\nmeshlint diff [flags] --base REV [PATH...]",
		Description: "OLD and NEW are files, directories or kustomizations; with --base the working tree's\n" +
			"PATHs (default .) are compared with the same paths at git revision REV.",
		OnUsageError: usageError,
		Flags: append(append(settingsFlags(),
			&cli.StringFlag{Name: "base", Usage: "compare the working tree with git revision `REV` (a commit, branch or tag)"},
			&cli.StringFlag{Name: "layer", Value: string(connectivity.LayerEffective), Usage: "`LAYER`: network (NetworkPolicy), mesh (Istio authorization) or effective (both)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "txt", Usage: "output `FORMAT`: txt, json, markdown (a pull-request comment), html"},
			&cli.StringSliceFlag{Name: "report", Usage: "also write a report: `FORMAT=PATH` (repeatable)"},
			&cli.StringFlag{Name: "fail-on", Usage: "exit 1 when the change does `WHAT` in the layer: added, removed, changed, any or none (default none)"},
			&cli.BoolFlag{Name: "show-implied", Usage: "compare the cluster services meshlint assumes (kube-dns, istiod) too"},
		), catalogueFlags()...),
		Action: diffAction,
	}
}

type diffOutput struct {
	format string
	path   string // "" for stdout
}

func diffAction(c *cli.Context) error {
	format := c.String("format")
	if !contains(diffFormats(), format) {
		return fmt.Errorf("--format: unknown format %q (want %s)", format, strings.Join(diffFormats(), ", "))
	}
	outputs := []diffOutput{{format: format}}
	for _, spec := range c.StringSlice("report") {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || path == "" {
			return fmt.Errorf("--report %q: want FORMAT=PATH", spec)
		}
		if !contains(diffFormats(), name) {
			return fmt.Errorf("--report: unknown format %q (want %s)", name, strings.Join(diffFormats(), ", "))
		}
		outputs = append(outputs, diffOutput{format: name, path: path})
	}
	layer := connectivity.Layer(c.String("layer"))
	if !contains([]string{"network", "mesh", "effective"}, string(layer)) {
		return fmt.Errorf("--layer: unknown layer %q (want network, mesh or effective)", layer)
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	failOn := "none"
	if cfg.Diff != nil && cfg.Diff.FailOn != "" {
		failOn = cfg.Diff.FailOn
	}
	if c.IsSet("fail-on") {
		failOn = c.String("fail-on")
	}
	if !contains(config.DiffFailOn, failOn) {
		return fmt.Errorf("--fail-on: %q is not %s", failOn, strings.Join(config.DiffFailOn, ", "))
	}

	old, new, err := diffVersions(c, cfg)
	if err != nil {
		return err
	}
	// txt shows one layer; the others carry every layer.
	opts := diff.Options{ShowImplied: c.Bool("show-implied")}
	needAll := false
	for _, o := range outputs {
		needAll = needAll || o.format != "txt"
	}
	if !needAll {
		opts.Layers = []connectivity.Layer{layer}
	}
	res := diff.Compare(old.label, new.label, old.envs, new.envs, opts)

	for _, o := range outputs {
		if err := writeDiff(c, o, res, layer); err != nil {
			return err
		}
	}
	if diffFails(res, layer, failOn) {
		return exitCode(exitFindings)
	}
	return nil
}

func writeDiff(c *cli.Context, o diffOutput, res *diff.Result, layer connectivity.Layer) error {
	w := c.App.Writer
	var f *os.File
	if o.path != "" {
		var err error
		if f, err = os.Create(o.path); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
		w = f
	}
	var err error
	switch o.format {
	case "txt":
		err = diff.WriteTxt(w, res, layer)
	case "json":
		err = diff.WriteJSON(w, res, toolVersion())
	case "markdown":
		err = diff.WriteMarkdown(w, res, diff.MarkdownOptions{Layer: layer})
	case "html":
		err = diffHTML(w, res, layer, c.Bool("show-implied"))
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// diffFails reports whether the change does what --fail-on names, in the
// layer compared.
func diffFails(res *diff.Result, layer connectivity.Layer, failOn string) bool {
	for _, e := range res.Environments {
		ld := e.Layer(layer)
		if ld == nil {
			continue
		}
		for _, ch := range ld.Changes {
			switch {
			case failOn == "any",
				failOn == "added" && ch.Type == connectivity.Added,
				failOn == "removed" && ch.Type == connectivity.Removed,
				failOn == "changed" && ch.Type == connectivity.Changed:
				return true
			}
		}
	}
	return false
}

// diffVersion is one side of a diff, loaded.
type diffVersion struct {
	label string
	envs  []diff.Env
}

// diffVersions loads the two versions: two paths, or the working tree's
// paths and the same paths at --base.
func diffVersions(c *cli.Context, cfg *config.Config) (old, new *diffVersion, err error) {
	args := c.Args().Slice()
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	if rev := c.String("base"); rev != "" {
		paths := args
		if len(paths) == 0 {
			paths = []string{"."}
		}
		return baseVersions(c, cfg, wd, rev, paths)
	}
	if len(args) != 2 {
		return nil, nil, errors.New("want OLD and NEW (two files, directories or kustomizations), or --base REV [PATH...] (see meshlint diff --help)")
	}
	if args[0] == "-" && args[1] == "-" {
		return nil, nil, errors.New("OLD and NEW cannot both be - (stdin)")
	}
	old, err = loadVersion(c, cfg, wd, wd, args[0], []string{args[0]}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("OLD %s: %w", args[0], err)
	}
	new, err = loadVersion(c, cfg, wd, wd, args[1], []string{args[1]}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("NEW %s: %w", args[1], err)
	}
	return old, new, nil
}

// loadVersion builds one model per environment of paths. workDir is where
// paths are read from and shown relative to; realWD is the directory the
// user runs in (config patterns are relative to it); root is the version's
// own path, which the environments' names are paired below; remap moves
// the config's declared environments into another tree (--base).
func loadVersion(c *cli.Context, cfg *config.Config, realWD, workDir, root string, paths []string, remap func(string) string) (*diffVersion, error) {
	settings := settingsFrom(c)
	applySettings(c, cfg, &settings)
	declared := declaredEnvironments(cfg)
	if remap != nil {
		for i := range declared {
			moved := make([]string, len(declared[i].Paths))
			for j, p := range declared[i].Paths {
				moved[j] = remap(p)
			}
			declared[i] = envs.Declared{Name: declared[i].Name, Paths: moved}
		}
	}
	abs := make([]string, len(paths))
	for i, p := range paths {
		abs[i] = p
		if p != "-" && !filepath.IsAbs(p) {
			abs[i] = filepath.Join(workDir, p)
		}
	}
	res, err := lint.Build(lint.Options{
		Paths:        abs,
		Stdin:        c.App.Reader,
		WorkDir:      workDir,
		AllowRemote:  allowRemote(c, cfg),
		Settings:     settings,
		Ignore:       newOwnFiles(c, cfg, workDir).Ignore(cfg.IgnoreFunc(realWD)),
		Environments: declared,
		Environment:  c.String("environment"),
		Helm:         remapHelm(helmOptions(c, cfg), remap),
	})
	if err != nil {
		return nil, err
	}
	warnLeftOut(c, res)
	v := &diffVersion{label: root}
	prefix := filepath.ToSlash(filepath.Clean(root))
	for _, e := range res.Environments {
		key := e.Name
		switch {
		case key == prefix:
			key = "."
		case strings.HasPrefix(key, prefix+"/"):
			key = key[len(prefix)+1:]
		}
		v.envs = append(v.envs, diff.Env{Name: e.Name, Key: key, Model: e.Model})
	}
	return v, nil
}
