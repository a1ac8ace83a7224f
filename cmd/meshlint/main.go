// Command meshlint checks that an Istio mesh's authorization rules and the
// cluster's NetworkPolicies agree, from manifests alone.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report"
)

// Exit codes of SPEC.md.
const (
	exitClean    = 0
	exitFindings = 1
	exitFailure  = 2
)

// HelpBase is where rule pages are published.
const HelpBase = "https://github.com/meshlint/meshlint/blob/main/docs/rules/"

func main() {
	tuneGC()
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// exitCode carries an exit code through urfave/cli without printing twice.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// run is main without the process: tests call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	args, err := flagsFirst(app, args)
	if err == nil {
		err = app.Run(args)
	}
	var code exitCode
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "meshlint: %v\n", err)
		return exitFailure
	}
}

// usageText lists every command, as the README's Usage does.
const usageText = `meshlint [lint] [flags] PATH...       lint (PATH: file, directory, or - for stdin)
meshlint graph [flags] PATH...        connectivity between workloads
meshlint diff [flags] OLD NEW | --base REV [PATH...]   what a change opens and closes
meshlint why [flags] SRC DST[:PORT[/PROTO]] PATH...   which objects decide one connection
meshlint migrate [flags] PATH...      legacy ServiceRole/Binding -> AuthorizationPolicy
meshlint baseline write [flags] PATH...   record today's findings
meshlint policy test [flags] DIR...   run the tests of Rego policies
meshlint rules [--format FORMAT]      list the rules
meshlint explain RULE-ID              a rule's help page
meshlint version                      the version, commit and build date
meshlint completion bash|zsh|fish     a shell completion script
meshlint help [COMMAND]               this help, or a command's`

// exitCodes is stated in the help of every command that lints.
const exitCodes = `Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
2 the run itself failed (no such path, no Kubernetes object in the paths
unless --allow-empty, a kustomization named on the command line that does
not build, a Rego module that does not compile, bad flags).`

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:        "meshlint",
		Usage:       "check that Istio authorization and Kubernetes NetworkPolicies agree",
		UsageText:   usageText,
		Description: "Flags may come before or after the paths.\n\n" + exitCodes,
		Version:     toolVersion(),
		Reader:      stdin,
		Writer:      stdout,
		ErrWriter:   stderr,
		// Bad flags are a failed run (exit 2), not a usage dump and exit 1.
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return fmt.Errorf("%s (see meshlint --help)", usageMessage(err))
		},
		Flags:          lintFlags(),
		Action:         lintAction,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			{
				Name:         "lint",
				Usage:        "lint manifests (the default command)",
				ArgsUsage:    "PATH...",
				Description:  exitCodes,
				Flags:        lintFlags(),
				Action:       lintAction,
				OnUsageError: usageError,
			},
			rulesCommand(),
			explainCommand(),
		},
	}
	app.Commands = append(app.Commands, extraCommands...)
	setUsageText(app.Commands, "meshlint")
	return app
}

// setUsageText writes each command's usage line as the top-level help
// writes them, "meshlint graph [flags] PATH...", where urfave/cli would
// say "[command options]".
// The commands of other files are made once, at init, and urfave/cli adds
// its help command (which may hold itself) to them as it runs: help is
// left alone.
func setUsageText(cmds []*cli.Command, parent string) {
	for _, c := range cmds {
		if c.Name == "help" {
			continue
		}
		name := parent + " " + c.Name
		if c.UsageText == "" {
			line := name
			if len(c.Flags) > 0 {
				line += " [flags]"
			}
			if a := strings.TrimSpace(c.ArgsUsage); a != "" {
				line += " " + a
			}
			c.UsageText = line
		}
		setUsageText(c.Subcommands, name)
	}
}

// without is flags less those named: a command rejects the flags that
// would do nothing there.
func without(flags []cli.Flag, names ...string) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		drop := false
		for _, n := range names {
			drop = drop || f.Names()[0] == n
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

// extraCommands are added by the files that implement them.
var extraCommands []*cli.Command

// flagDash is urfave/cli's "flag -name" in its parse errors, which names
// the flag with one dash.
var flagDash = regexp.MustCompile(`(flag |not defined: )-([a-z][a-z0-9-]+)`)

// usageMessage is a flag parse error as the help spells flags: --name
// (-n for a one-letter one).
func usageMessage(err error) string {
	return flagDash.ReplaceAllStringFunc(err.Error(), func(m string) string {
		sub := flagDash.FindStringSubmatch(m)
		if len(sub[2]) == 1 {
			return m
		}
		return sub[1] + "--" + sub[2]
	})
}

// needSubcommand is the action of a command that only groups others
// (baseline, policy): run bare, or with a word that names none of them, it
// is a usage error (exit 2), not its help and exit 0.
func needSubcommand(c *cli.Context) error {
	var names []string
	for _, sub := range c.Command.Subcommands {
		if sub.Name != "help" {
			names = append(names, sub.Name)
		}
	}
	if first := c.Args().First(); first != "" {
		return fmt.Errorf("%s: unknown subcommand %q (want %s; see meshlint %s --help)", c.Command.Name, first, strings.Join(names, ", "), c.Command.Name)
	}
	return fmt.Errorf("%s: name a subcommand: %s (see meshlint %s --help)", c.Command.Name, strings.Join(names, ", "), c.Command.Name)
}

func usageError(c *cli.Context, err error, isSubcommand bool) error {
	return fmt.Errorf("%s (see meshlint %s --help)", usageMessage(err), c.Command.Name)
}

// settingsFlags are the mesh facts shared by lint and graph.
func settingsFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Value: "default", Usage: "`NAMESPACE` of objects that name none"},
		&cli.StringFlag{Name: "trust-domain", Value: "cluster.local", Usage: "mesh trust `DOMAIN`"},
		&cli.StringFlag{Name: "root-namespace", Value: "istio-system", Usage: "Istio root `NAMESPACE` (mesh-wide policies)"},
		&cli.StringFlag{Name: "istiod-namespace", Value: "istio-system", Usage: "`NAMESPACE` istiod runs in"},
		&cli.StringFlag{Name: "outbound-traffic-policy", Value: model.AllowAny, Usage: "mesh-wide outboundTrafficPolicy `MODE`: ALLOW_ANY or REGISTRY_ONLY"},
		&cli.BoolFlag{Name: "allow-remote", Usage: "let kustomizations fetch the remote resources they name: URLs by HTTP GET, git repositories with the git program (a shallow fetch of the ref); diff --base REV reads REV locally either way"},
		&cli.StringFlag{Name: "environment", Aliases: []string{"e"}, Usage: "work on the environment `NAME` alone (an overlay's path, or a name the config file gives)"},
		&cli.BoolFlag{Name: "allow-empty", Usage: "finding no Kubernetes object in the paths is not an error"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say on stderr which config file, environments and objects the run used, and how long each step took"},
	}, helmFlags()...)
}

func lintFlags() []cli.Flag {
	flags := append(settingsFlags(),
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: " + strings.Join(report.Formats(), ", ")},
		&cli.StringSliceFlag{Name: "report", Usage: "also write a report: `FORMAT=PATH` (repeatable)"},
		&cli.StringFlag{Name: "fail-on", Value: "warning", Usage: "exit 1 on findings at or above `LEVEL`: error, warning, note, none"},
		&cli.StringSliceFlag{Name: "enable", Usage: "run only these `RULES` (IDs or names; repeatable or comma-separated)"},
		&cli.StringSliceFlag{Name: "disable", Usage: "do not run these `RULES` (IDs or names)"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour text output: `WHEN` (auto, always, never)"},
		&cli.StringFlag{Name: "sarif-category", Usage: "SARIF automationDetails.id `CATEGORY`, to keep several uploads for one commit apart (default: meshlint/ and the paths)"},
	)
	return append(append(flags, configFlags()...), policyFlags()...)
}

// settingsFrom reads the mesh settings of the flags. The mesh configuration
// (trust domain, root namespace, outbound traffic policy) is left empty
// unless a flag sets it: the config file, then an IstioOperator or istio
// ConfigMap in the set, then Istio's defaults fill it.
func settingsFrom(c *cli.Context) model.Settings {
	s := model.Settings{
		DefaultNamespace: c.String("namespace"),
		IstiodNamespace:  c.String("istiod-namespace"),
	}
	for _, f := range []struct {
		flag string
		dst  *string
	}{
		{"trust-domain", &s.TrustDomain},
		{"root-namespace", &s.RootNamespace},
		{"outbound-traffic-policy", &s.OutboundTrafficPolicy},
	} {
		if c.IsSet(f.flag) {
			*f.dst = c.String(f.flag)
		}
	}
	return s
}

// checkOutboundFlag refuses a mode Istio does not have.
func checkOutboundFlag(c *cli.Context) error {
	if !c.IsSet("outbound-traffic-policy") {
		return nil
	}
	switch strings.ToUpper(c.String("outbound-traffic-policy")) {
	case model.AllowAny, model.RegistryOnly:
		return nil
	}
	return fmt.Errorf("--outbound-traffic-policy: %q is not ALLOW_ANY or REGISTRY_ONLY", c.String("outbound-traffic-policy"))
}

func lintAction(c *cli.Context) error {
	paths := c.Args().Slice()
	if len(paths) == 0 {
		return errors.New("no PATH given: name files, directories or - for stdin (see meshlint --help)")
	}
	type extra struct {
		write report.Writer
		path  string
	}
	var (
		failOn analyzer.Severity
		format report.Writer
		extras []extra
		err    error
	)
	if !writingBaseline(c) { // baseline write reports nothing
		if failOn, err = analyzer.ParseSeverity(c.String("fail-on")); err != nil {
			return fmt.Errorf("--fail-on: %w", err)
		}
		if format, err = report.Lookup(c.String("format")); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
	}
	for _, spec := range c.StringSlice("report") {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || path == "" {
			return fmt.Errorf("--report %q: want FORMAT=PATH", spec)
		}
		w, err := report.Lookup(name)
		if err != nil {
			return fmt.Errorf("--report: %w", err)
		}
		extras = append(extras, extra{w, path})
	}

	if err := checkOutboundFlag(c); err != nil {
		return err
	}
	if color := c.String("color"); !writingBaseline(c) && color != "auto" && color != "always" && color != "never" {
		return fmt.Errorf("--color: unknown value %q (want auto, always or never)", color)
	}
	policyExtra, policyCheck, err := policyRules(c)
	if err != nil {
		return err
	}
	res, err := lintWithConfig(c, &failOn, lint.Options{
		Paths:       paths,
		Stdin:       c.App.Reader,
		AllowRemote: c.Bool("allow-remote"),
		Settings:    settingsFrom(c),
		Enable:      c.StringSlice("enable"),
		Disable:     c.StringSlice("disable"),
		ExtraRules:  policyExtra,
	})
	if err != nil {
		return err
	}
	for _, e := range res.Environments {
		if err := policyCheck(e.Model); err != nil {
			return err
		}
	}
	notLinted(c, res)
	hintEnvironments(c, res)
	run := newReportRun(res)
	run.Paths = paths
	run.Category = c.String("sarif-category")
	for _, e := range extras {
		if err := writeFile(e.path, e.write, run); err != nil {
			return err
		}
	}
	if c.String("format") == "text" {
		err = report.WriteText(c.App.Writer, run, useColor(c.String("color"), c.App.Writer))
	} else {
		err = format(c.App.Writer, run)
	}
	if err != nil {
		return err
	}
	if failOn > 0 {
		for _, f := range run.Active() {
			if f.Severity >= failOn {
				return exitCode(exitFindings)
			}
		}
	}
	return nil
}

// notLinted says, on stderr, that documents that do not parse (or builds
// that fail) were not linted when the run leaves out the rule that would
// report them (--disable MSH001).
func notLinted(c *cli.Context, res *lint.Result) {
	ran := map[string]bool{}
	for _, r := range res.Rules {
		ran[r.ID] = true
	}
	counts := map[loader.ProblemKind]int{}
	for _, p := range res.Loaded.Problems {
		counts[p.Kind]++
	}
	if n := counts[loader.ProblemManifest]; n > 0 && !ran["MSH001"] {
		fmt.Fprintf(c.App.ErrWriter, "meshlint: %s not linted: %s (MSH001, which does not run)\n",
			plural(n, "document was", "documents were"), map[bool]string{true: "it does not parse or is not a complete object", false: "they do not parse or are not complete objects"}[n == 1])
	}
	if n := counts[loader.ProblemBuild]; n > 0 && !ran["MSH009"] {
		fmt.Fprintf(c.App.ErrWriter, "meshlint: %s not linted: %s (MSH009, which does not run)\n",
			plural(n, "kustomization was", "kustomizations were"), map[bool]string{true: "it does not build", false: "they do not build"}[n == 1])
	}
}

// hintEnvironments says, on stderr, what many duplicates usually mean: a
// tree of alternatives (test cases, samples) linted as one cluster.
func hintEnvironments(c *cli.Context, res *lint.Result) {
	n := 0
	for _, f := range res.Findings {
		if f.Rule.ID == "MSH008" && f.Suppressed == nil {
			n++
		}
	}
	if n >= 10 && len(res.Split.Envs) == 1 {
		fmt.Fprintf(c.App.ErrWriter, "meshlint: %d duplicate-object findings (MSH008): if these files are alternatives rather than one cluster, declare each as an environment in the config file (environments:), or lint them apart\n", n)
	}
}

// newReportRun is what the reports need of a lint result: with one
// environment picked out of several, the counts are that environment's.
func newReportRun(res *lint.Result) *report.Run {
	loaded := res.Loaded
	if len(res.Environments) == 1 {
		loaded = res.Environments[0].Env.Loaded
	}
	run := &report.Run{
		ToolVersion: toolVersion(),
		Findings:    res.Findings,
		Rules:       res.Rules,
		Objects:     len(loaded.Objects),
		Files:       loaded.Files,
		Skipped:     loaded.Skipped,
		Hooks:       helmHooks(loaded),
		HelpBase:    HelpBase,
	}
	for _, e := range res.Environments {
		run.Models = append(run.Models, e.Model)
		if res.Several() {
			run.Environments = append(run.Environments, e.Name)
		}
	}
	return run
}

func writeFile(path string, write report.Writer, run *report.Run) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := write(f, run); err != nil {
		f.Close()
		return fmt.Errorf("--report %s: %w", path, err)
	}
	return f.Close()
}

// useColor: colour only on a terminal, and never when NO_COLOR is set.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
