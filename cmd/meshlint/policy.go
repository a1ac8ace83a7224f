package main

import (
	"context"
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/policy"
	"github.com/meshlint/meshlint/rules"
)

func init() {
	extraCommands = append(extraCommands, policyCommand())
}

// policyFlags are the lint flags of user Rego policies.
func policyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "policy", Usage: "load Rego policies and data from `DIR` (repeatable; see docs/rego.md)"},
		&cli.DurationFlag{Name: "policy-timeout", Value: policy.DefaultTimeout, Usage: "stop a Rego rule that runs longer than `DURATION`"},
		&cli.StringSliceFlag{Name: "policy-namespace", Value: cli.NewStringSlice(policy.DefaultNamespace), Usage: "`PACKAGE` whose deny, violation and warn rules run conftest-style, per object (repeatable)"},
	}
}

// policyRules loads the --policy directories. The rules run beside the
// built-in ones (lint.Options.ExtraRules); check, called after the run,
// reports rules that failed to evaluate (a timeout, a runtime error), which
// make the run fail.
func policyRules(c *cli.Context) (extra []*analyzer.Rule, check func(*model.Model) error, err error) {
	cfg, err := loadConfig(c)
	if err != nil {
		return nil, nil, err
	}
	// The config file's policy directories come first; --policy adds more.
	dirs := append(append([]string(nil), cfg.Policies...), c.StringSlice("policy")...)
	namespaces, timeout := c.StringSlice("policy-namespace"), c.Duration("policy-timeout")
	if len(cfg.PolicyNamespace) > 0 && !c.IsSet("policy-namespace") {
		namespaces = cfg.PolicyNamespace
	}
	if cfg.PolicyTimeout != "" && !c.IsSet("policy-timeout") {
		timeout, _ = time.ParseDuration(cfg.PolicyTimeout) // checked when the file was read
	}
	set, err := policy.Load(policy.Options{
		Dirs:       dirs,
		Namespaces: namespaces,
		Timeout:    timeout,
		Print:      c.App.ErrWriter,
		Builtin:    rules.All(),
	})
	if err != nil {
		return nil, nil, err
	}
	return set.Rules(), set.Err, nil
}

func policyCommand() *cli.Command {
	return &cli.Command{
		Name:         "policy",
		Usage:        "work with Rego policies",
		UsageText:    "meshlint policy test [flags] DIR...",
		OnUsageError: usageError,
		Action:       needSubcommand,
		Subcommands: []*cli.Command{
			{
				Name:         "test",
				Usage:        "run the test_* rules of Rego policies, like opa test",
				ArgsUsage:    "DIR...",
				Description:  "Exit codes: 0 every test passes; 1 some fail; 2 the tests cannot run.",
				OnUsageError: usageError,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "run", Aliases: []string{"r"}, Usage: "run only tests whose name matches `REGEXP`"},
					&cli.DurationFlag{Name: "timeout", Value: policy.DefaultTimeout, Usage: "stop a test that runs longer than `DURATION`"},
					&cli.BoolFlag{Name: "trace", Usage: "print the evaluation trace of failed tests"},
				},
				Action: policyTestAction,
			},
		},
	}
}

// policyTestAction exits 0 when every test passes, 1 when some fail, 2
// when the tests cannot run.
func policyTestAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return errors.New("policy test needs a DIR of Rego policies and their _test.rego files")
	}
	sum, err := policy.Test(context.Background(), c.Args().Slice(), c.App.Writer, policy.TestOptions{
		Timeout: c.Duration("timeout"),
		Run:     c.String("run"),
		Trace:   c.Bool("trace"),
	})
	if err != nil {
		return err
	}
	if !sum.OK() {
		return exitCode(exitFindings)
	}
	return nil
}
