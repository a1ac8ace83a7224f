package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// flagsFirst moves flags written after paths (`meshlint ./manifests
// --format json`) in front of them, as kube-linter and golangci-lint accept:
// urfave/cli stops reading flags at the first path. Everything after "--"
// stays a path.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	flags := app.Flags
	// A subcommand (and its own subcommand) comes first and keeps its place.
	for len(rest) > 0 {
		cmd := findCommand(app.Commands, rest[0])
		if cmd == nil {
			break
		}
		out = append(out, rest[0])
		rest = rest[1:]
		flags = cmd.Flags
		app = &cli.App{Commands: cmd.Subcommands}
	}
	valued := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			valued[name] = !isBool
		}
	}
	var positional, moved []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case a == "-" || !strings.HasPrefix(a, "-"):
			positional = append(positional, a)
		default:
			moved = append(moved, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && valued[name] && i+1 < len(rest) {
				moved = append(moved, rest[i+1])
				i++
			}
		}
	}
	out = append(out, moved...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.Name == name {
			return c
		}
		for _, alias := range c.Aliases {
			if alias == name {
				return c
			}
		}
	}
	return nil
}
