package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/ruledoc"
	"github.com/meshlint/meshlint/rules"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:         "rules",
		Usage:        "list the rules",
		OnUsageError: usageError,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "`FORMAT`: text, json or markdown"},
		}, catalogueFlags()...), policyFlags()...),
		Action: func(c *cli.Context) error {
			all, err := allRules(c)
			if err != nil {
				return err
			}
			out := c.App.Writer
			switch c.String("format") {
			case "text":
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				for _, r := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Severity, r.Summary)
				}
				return tw.Flush()
			case "json":
				type jsonRule struct {
					ID       string `json:"id"`
					Name     string `json:"name"`
					Severity string `json:"severity"`
					Summary  string `json:"summary"`
					HelpURI  string `json:"helpUri"`
				}
				list := make([]jsonRule, 0, len(all))
				for _, r := range all {
					list = append(list, jsonRule{r.ID, r.Name, r.Severity.String(), r.Summary, helpURI(r)})
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			case "markdown":
				_, err := fmt.Fprint(out, ruledoc.Catalogue(all, helpURI))
				return err
			}
			return fmt.Errorf("--format: unknown format %q (want text, json or markdown)", c.String("format"))
		},
	}
}

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:         "explain",
		Usage:        "show a rule's help page",
		ArgsUsage:    "RULE-ID",
		OnUsageError: usageError,
		Flags:        append(catalogueFlags(), policyFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("explain takes one rule ID or name, e.g. meshlint explain MSH101")
			}
			all, err := allRules(c)
			if err != nil {
				return err
			}
			var r *analyzer.Rule
			for _, cand := range all {
				if strings.EqualFold(cand.ID, c.Args().First()) || strings.EqualFold(cand.Name, c.Args().First()) {
					r = cand
				}
			}
			if r == nil {
				return fmt.Errorf("unknown rule %q (see meshlint rules)", c.Args().First())
			}
			_, err = fmt.Fprint(c.App.Writer, ruledoc.Page(r))
			return err
		},
	}
}

// catalogueFlags let rules and explain find the config file's policies.
func catalogueFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "read settings from `FILE` (default: .meshlint.yaml in the working directory or a parent, up to the repository root)"},
		&cli.BoolFlag{Name: "no-config", Usage: "read no config file"},
	}
}

// allRules is the built-in rules and those of the Rego policies that
// --policy and the config file name.
func allRules(c *cli.Context) ([]*analyzer.Rule, error) {
	extra, _, err := policyRules(c)
	if err != nil {
		return nil, err
	}
	return append(rules.All(), extra...), nil
}

func helpURI(r *analyzer.Rule) string {
	if r.Custom {
		return r.HelpURI
	}
	return HelpBase + r.ID + ".md"
}
