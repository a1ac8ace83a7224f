package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/baseline"
	"github.com/meshlint/meshlint/config"
	"github.com/meshlint/meshlint/envs"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report"
	"github.com/meshlint/meshlint/rules"
)

// configFlags are the flags of the config file, suppressions and baselines.
func configFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "read settings from `FILE` (default: .meshlint.yaml in the working directory or a parent, up to the repository root)"},
		&cli.BoolFlag{Name: "no-config", Usage: "read no config file"},
		&cli.StringSliceFlag{Name: "severity", Usage: "override a rule's severity: `RULE=LEVEL`, LEVEL error, warning or note (repeatable)"},
		&cli.BoolFlag{Name: "strict", Usage: "ignore every suppression: annotations, meshlint:ignore comments and --baseline"},
		&cli.StringFlag{Name: "baseline", Usage: "suppress the findings recorded in `FILE` by meshlint baseline write"},
	}
}

const baselineWriteName = "write"

func init() {
	extraCommands = append(extraCommands, baselineCommand())
}

func baselineCommand() *cli.Command {
	return &cli.Command{
		Name:         "baseline",
		Usage:        "record today's findings, so that later runs report only new ones",
		UsageText:    "meshlint baseline write [flags] PATH...",
		OnUsageError: usageError,
		Action:       needSubcommand,
		Subcommands: []*cli.Command{{
			Name:        baselineWriteName,
			Usage:       "record every finding not suppressed in the manifests in a baseline file",
			ArgsUsage:   "PATH...",
			Description: "Exit codes: 0 the baseline was written; 2 the run failed (no such path, bad flags, ...).",
			// What shapes a report or the exit code does nothing here.
			Flags: append(without(lintFlags(), "format", "report", "fail-on", "color", "sarif-category", "baseline"), &cli.StringFlag{
				Name: "output", Aliases: []string{"o"}, Value: baseline.DefaultFile, Usage: "baseline `FILE` to write",
			}),
			OnUsageError: usageError,
			// lint's own action: both commands build the very same options
			// (flags other files add included); lintWithConfig stops before
			// reporting and writes the baseline instead.
			Action: lintAction,
		}},
	}
}

func writingBaseline(c *cli.Context) bool {
	return c.Command != nil && c.Command.Name == baselineWriteName
}

// lintWithConfig runs lint.Run with opts (built from the flags) completed by
// the config file, then applies --baseline. Precedence, from weakest: the
// built-in defaults, the config file, the flags; then suppressions in the
// manifests, then the baseline for what they leave; --strict drops both.
// failOn is updated when the file sets fail-on and the flag is not given.
func lintWithConfig(c *cli.Context, failOn *analyzer.Severity, opts lint.Options) (*lint.Result, error) {
	started := time.Now()
	cfg, err := loadConfig(c)
	if err != nil {
		return nil, err
	}
	wd, err := workDir(opts)
	if err != nil {
		return nil, err
	}
	if err := applyConfig(c, cfg, wd, &opts, failOn); err != nil {
		return nil, err
	}
	var base *baseline.File
	basePath := c.String("baseline")
	if basePath == "" && !c.IsSet("baseline") {
		basePath = displayPath(cfg.Baseline)
	}
	if path := basePath; path != "" && !writingBaseline(c) {
		if opts.Strict {
			fmt.Fprintf(c.App.ErrWriter, "meshlint: --strict: baseline %s not applied\n", path)
		} else if base, err = baseline.Load(path); err != nil {
			return nil, err
		}
	}
	res, err := lint.Run(opts)
	if err != nil {
		return nil, blameConfig(c, cfg, err)
	}
	verbose(c, res, started)
	if writingBaseline(c) {
		out := c.String("output")
		b := baseline.New(res.Findings)
		if err := b.Save(out); err != nil {
			return nil, fmt.Errorf("baseline write: %w", err)
		}
		fmt.Fprintf(c.App.ErrWriter, "meshlint: wrote %s to %s\n", plural(len(b.Findings), "finding", "findings"), out)
		return nil, exitCode(exitClean)
	}
	if base != nil {
		fmt.Fprintln(c.App.ErrWriter, baselineSummary(basePath, base.Apply(res.Findings)))
	}
	return res, nil
}

// baselineSummary says on stderr what the baseline did: the issue's "how
// many were baselined and how many entries no longer occur".
func baselineSummary(path string, st baseline.Stats) string {
	occur := "occur"
	if st.Stale == 1 {
		occur = "occurs"
	}
	msg := fmt.Sprintf("meshlint: baseline %s: %s baselined, %s no longer %s", path,
		plural(st.Baselined, "finding", "findings"), plural(st.Stale, "entry", "entries"), occur)
	if st.Stale > 0 {
		msg += " (run `meshlint baseline write` to drop them)"
	}
	return msg
}

func plural(n int, one, many string) string { return report.Plural(n, one, many) }

func workDir(opts lint.Options) (string, error) {
	if opts.WorkDir != "" {
		return opts.WorkDir, nil
	}
	return os.Getwd()
}

const configKey = "meshlint.config"

// loadConfig reads --config, or the config file found from the working
// directory up, once per run; without either it returns an empty config.
// Other commands (graph, policies) may call it for the same settings.
func loadConfig(c *cli.Context) (*config.Config, error) {
	if cfg, ok := c.App.Metadata[configKey].(*config.Config); ok {
		return cfg, nil
	}
	cfg, err := readConfig(c)
	if err != nil {
		return nil, err
	}
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	c.App.Metadata[configKey] = cfg
	return cfg, nil
}

func readConfig(c *cli.Context) (*config.Config, error) {
	path := c.String("config")
	if c.Bool("no-config") {
		if path != "" {
			return nil, errors.New("--config and --no-config: give one")
		}
		return &config.Config{}, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if path == "" {
		if path, err = config.Find(wd); err != nil {
			return nil, err
		}
		if path == "" {
			return &config.Config{}, nil
		}
	}
	display := path
	if abs, err := filepath.Abs(path); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil {
			display = filepath.ToSlash(rel)
		}
	}
	return config.Load(path, display)
}

// applySettings sets the mesh facts the file gives and no flag overrides.
// Other commands that read them (graph) can call it after loadConfig.
func applySettings(c *cli.Context, cfg *config.Config, s *model.Settings) {
	for _, set := range []struct {
		flag  string
		dst   *string
		value string
	}{
		{"namespace", &s.DefaultNamespace, cfg.Namespace},
		{"trust-domain", &s.TrustDomain, cfg.TrustDomain},
		{"root-namespace", &s.RootNamespace, cfg.RootNamespace},
		{"istiod-namespace", &s.IstiodNamespace, cfg.IstiodNamespace},
		{"outbound-traffic-policy", &s.OutboundTrafficPolicy, cfg.OutboundTrafficPolicy},
	} {
		if set.value != "" && !c.IsSet(set.flag) {
			*set.dst = set.value
		}
	}
	s.NoImpliedKubeDNS = !cfg.AssumeKubeDNS()
	s.NoImpliedIstiod = !cfg.AssumeIstiod()
}

// applyConfig completes opts with the file's settings wherever no flag says
// otherwise.
func applyConfig(c *cli.Context, cfg *config.Config, wd string, opts *lint.Options, failOn *analyzer.Severity) error {
	applySettings(c, cfg, &opts.Settings)

	// --enable replaces the file's list ("only these" means only these);
	// --disable adds to it; a rule the flags enable runs even if the file
	// disables it.
	flagEnable := opts.Enable
	if len(flagEnable) == 0 {
		opts.Enable = cfg.Enable
	}
	var disable []string
	for _, d := range cfg.Disable {
		if !namedIn(d, flagEnable) {
			disable = append(disable, d)
		}
	}
	opts.Disable = append(disable, opts.Disable...)

	severity := map[string]analyzer.Severity{}
	override := func(name string, sev analyzer.Severity) {
		for k := range severity {
			if sameRule(k, name) {
				delete(severity, k) // one entry per rule, or map order decides
			}
		}
		severity[name] = sev
	}
	for name, level := range cfg.Severity {
		sev, err := analyzer.ParseSeverity(level)
		if err != nil {
			return fmt.Errorf("%s: severity of %s: %w", cfg.Path, name, err) // checked on load; kept for safety
		}
		override(name, sev)
	}
	for name, sev := range opts.Severity {
		override(name, sev)
	}
	for _, spec := range lint.SplitList(c.StringSlice("severity")) {
		name, level, ok := strings.Cut(spec, "=")
		sev, err := analyzer.ParseSeverity(level)
		if !ok || name == "" || err != nil || sev == 0 {
			return fmt.Errorf("--severity %q: want RULE=error, RULE=warning or RULE=note", spec)
		}
		override(name, sev)
	}
	opts.Severity = severity

	if cfg.FailOn != "" && !c.IsSet("fail-on") {
		sev, err := analyzer.ParseSeverity(cfg.FailOn)
		if err != nil {
			return err
		}
		*failOn = sev
	}
	if ignore := cfg.IgnoreFunc(wd); ignore != nil {
		prev := opts.Ignore
		opts.Ignore = func(path string, isDir bool) bool {
			return ignore(path, isDir) || (prev != nil && prev(path, isDir))
		}
	}
	opts.Ignore = newOwnFiles(c, cfg, wd).Ignore(opts.Ignore)
	opts.Strict = opts.Strict || c.Bool("strict")
	opts.Environments = declaredEnvironments(cfg)
	opts.AllowRemote = allowRemote(c, cfg)
	opts.AllowEmpty = allowEmpty(c, cfg)
	opts.Environment = c.String("environment")
	opts.Helm = helmOptions(c, cfg)
	return nil
}

// allowRemote: the flag, else the file.
func allowRemote(c *cli.Context, cfg *config.Config) bool {
	if c.IsSet("allow-remote") {
		return c.Bool("allow-remote")
	}
	return cfg.AllowRemote
}

// allowEmpty: the flag, else the file.
func allowEmpty(c *cli.Context, cfg *config.Config) bool {
	if c.IsSet("allow-empty") {
		return c.Bool("allow-empty")
	}
	return cfg.AllowEmpty
}

// displayPath shows an absolute path relative to the working directory.
func displayPath(path string) string {
	if path == "" {
		return ""
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return path
}

// declaredEnvironments are the config file's environments, for package envs.
func declaredEnvironments(cfg *config.Config) []envs.Declared {
	var out []envs.Declared
	for _, e := range cfg.Environments {
		out = append(out, envs.Declared{Name: e.Name, Paths: e.Paths})
	}
	return out
}

// blameConfig names the config line of a rule that does not exist, when the
// file (and not a flag) named it. Only lint.Run can tell, since user
// policies add rules.
func blameConfig(c *cli.Context, cfg *config.Config, err error) error {
	var unknown *lint.UnknownRuleError
	if !errors.As(err, &unknown) {
		return err
	}
	// The flag that named it, so that the message says where to look.
	for _, flag := range []string{"enable", "disable", "severity"} {
		var names []string
		for _, spec := range lint.SplitList(c.StringSlice(flag)) {
			name, _, _ := strings.Cut(spec, "=")
			names = append(names, name)
		}
		if namedIn(unknown.Name, names) {
			return fmt.Errorf("--%s: %w", flag, err)
		}
	}
	if pos, ok := cfg.RulePos(unknown.Name); ok {
		return fmt.Errorf("%s: %w", pos, err)
	}
	return err
}

// sameRule reports whether two names (IDs or names) are one built-in rule,
// or the same text.
func sameRule(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ra := rules.Lookup(a)
	return ra != nil && ra == rules.Lookup(b)
}

func namedIn(name string, list []string) bool {
	for _, n := range lint.SplitList(list) {
		if sameRule(n, name) {
			return true
		}
	}
	return false
}

// loadEnvironments reads paths into one model per environment with the mesh
// settings of the flags and the config file, for the commands that run no
// rules (graph, migrate).
func loadEnvironments(c *cli.Context, paths []string) (*lint.Result, error) {
	if err := checkOutboundFlag(c); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return nil, err
	}
	settings := settingsFrom(c)
	applySettings(c, cfg, &settings)
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return lint.Build(lint.Options{
		Paths:        paths,
		Stdin:        c.App.Reader,
		AllowRemote:  allowRemote(c, cfg),
		AllowEmpty:   allowEmpty(c, cfg),
		Settings:     settings,
		Ignore:       newOwnFiles(c, cfg, wd).Ignore(cfg.IgnoreFunc(wd)),
		Environments: declaredEnvironments(cfg),
		Environment:  c.String("environment"),
		Helm:         helmOptions(c, cfg),
	})
}
