package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/explain"
	"github.com/meshlint/meshlint/model"
)

func init() {
	extraCommands = append(extraCommands, whyCommand())
}

var whyFormats = []string{"text", "json"}

func whyCommand() *cli.Command {
	return &cli.Command{
		Name:         "why",
		Usage:        "explain which objects decide one connection, in each layer",
		ArgsUsage:    "SRC DST[:PORT[/PROTO]] PATH...",
		OnUsageError: usageError,
		Description: `SRC and DST are workloads (ns/name[Kind], ns/name or a name one namespace
alone holds), an IPv4 address outside the cluster, or "external". Without
PORT, every port either layer names for the pair is answered.`,
		Flags: append(append(settingsFlags(),
			&cli.StringFlag{Name: "layer", Usage: "answer for one `LAYER` only: network, mesh or effective (default: all three)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: " + strings.Join(whyFormats, ", ")},
		), catalogueFlags()...),
		Action: whyAction,
	}
}

func whyAction(c *cli.Context) error {
	format := c.String("format")
	if !contains(whyFormats, format) {
		return fmt.Errorf("--format: unknown format %q (want %s)", format, strings.Join(whyFormats, ", "))
	}
	var opts explain.Options
	if l := c.String("layer"); l != "" {
		layer := connectivity.Layer(l)
		switch layer {
		case connectivity.LayerNetwork, connectivity.LayerMesh, connectivity.LayerEffective:
		default:
			return fmt.Errorf("--layer: unknown layer %q (want network, mesh or effective)", l)
		}
		opts.Layers = []connectivity.Layer{layer}
	}
	args := c.Args().Slice()
	if len(args) < 3 {
		return errors.New("want SRC DST[:PORT[/PROTO]] PATH... (see meshlint why --help)")
	}
	dstName, port, err := explain.SplitDestination(args[1])
	if err != nil {
		return fmt.Errorf("DST: %w", err)
	}
	if port != nil {
		opts.Ports = []explain.Port{*port}
	}

	res, err := loadEnvironments(c, args[2:])
	if err != nil {
		return err
	}
	warnLeftOut(c, res)
	// Every environment is answered (--environment keeps one). A name some
	// environments lack is said on stderr; one that none has fails the run.
	var answers []*explain.Answer
	var missing []error
	for _, e := range res.Environments {
		a, err := whyIn(e.Model, args[0], dstName, opts)
		if err != nil {
			if res.Several() {
				err = fmt.Errorf("environment %s: %w", e.Name, err)
			}
			missing = append(missing, err)
			continue
		}
		if res.Several() {
			a.Environment = e.Name
		}
		answers = append(answers, a)
	}
	if len(answers) == 0 {
		return missing[0]
	}
	for _, err := range missing {
		fmt.Fprintf(c.App.ErrWriter, "meshlint: %v\n", err)
	}
	if format == "json" && res.Several() {
		return writeJSONArray(c.App.Writer, len(answers), func(w io.Writer, i int) error {
			return explain.WriteJSON(w, answers[i])
		})
	}
	for i, a := range answers {
		if i > 0 && format == "text" {
			fmt.Fprintln(c.App.Writer)
		}
		if format == "json" {
			err = explain.WriteJSON(c.App.Writer, a)
		} else {
			err = explain.WriteText(c.App.Writer, a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// whyIn answers in one environment's model.
func whyIn(m *model.Model, srcName, dstName string, opts explain.Options) (*explain.Answer, error) {
	g := connectivity.Network(m)
	src, err := explain.Resolve(g, srcName, true)
	if err != nil {
		return nil, fmt.Errorf("SRC: %w", err)
	}
	dst, err := explain.Resolve(g, dstName, false)
	if err != nil {
		return nil, fmt.Errorf("DST: %w", err)
	}
	return explain.Why(m, src, dst, opts), nil
}
