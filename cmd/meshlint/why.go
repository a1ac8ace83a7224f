package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/explain"
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
		Flags: append(settingsFlags(),
			&cli.StringFlag{Name: "layer", Usage: "answer for one layer only: network, mesh or effective (default: all three)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output format: " + strings.Join(whyFormats, ", ")},
			&cli.StringFlag{Name: "config", Usage: "read settings from this file (default: .meshlint.yaml in the working directory or the nearest parent)"},
			&cli.BoolFlag{Name: "no-config", Usage: "read no config file"},
		),
		Action: whyAction,
	}
}

func whyAction(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) < 3 {
		return errors.New("want SRC DST[:PORT[/PROTO]] PATH... (see meshlint why --help)")
	}
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
	dstName, port, err := explain.SplitDestination(args[1])
	if err != nil {
		return fmt.Errorf("DST: %w", err)
	}
	if port != nil {
		opts.Ports = []explain.Port{*port}
	}

	// The one model of the run; with environments, the one --environment
	// names is picked here.
	m, err := loadModel(c, args[2:])
	if err != nil {
		return err
	}
	warnLeftOut(c, m)
	g := connectivity.Network(m)
	src, err := explain.Resolve(g, args[0], true)
	if err != nil {
		return fmt.Errorf("SRC: %w", err)
	}
	dst, err := explain.Resolve(g, dstName, false)
	if err != nil {
		return fmt.Errorf("DST: %w", err)
	}
	answer := explain.Why(m, src, dst, opts)
	if format == "json" {
		return explain.WriteJSON(c.App.Writer, answer)
	}
	return explain.WriteText(c.App.Writer, answer)
}
