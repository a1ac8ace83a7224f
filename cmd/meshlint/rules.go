package main

import (
	"encoding/json"
	"fmt"
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
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text, json or markdown"},
		},
		Action: func(c *cli.Context) error {
			all := rules.All()
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
					list = append(list, jsonRule{r.ID, r.Name, r.Severity.String(), r.Summary, HelpBase + r.ID + ".md"})
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			case "markdown":
				_, err := fmt.Fprint(out, ruledoc.Catalogue(all, func(r *analyzer.Rule) string { return HelpBase + r.ID + ".md" }))
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
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("explain takes one rule ID or name, e.g. meshlint explain MSH101")
			}
			r := rules.Lookup(c.Args().First())
			if r == nil {
				return fmt.Errorf("unknown rule %q (see meshlint rules)", c.Args().First())
			}
			_, err := fmt.Fprint(c.App.Writer, ruledoc.Page(r))
			return err
		},
	}
}
