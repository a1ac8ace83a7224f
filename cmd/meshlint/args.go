package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// flagsFirst moves flags written after paths (`meshlint ./manifests
// --format json`) in front of them, as kube-linter and golangci-lint accept:
// urfave/cli stops reading flags at the first path. Everything after "--"
// stays a path. Flags written before a subcommand (`meshlint --format json
// graph .`) move after it, where they apply; one the subcommand does not
// take is an error, never silently dropped.
func flagsFirst(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	args, err := commandFirst(app, args)
	if err != nil {
		return nil, err
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
	valued := valuedFlags(flags)
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
			if !strings.Contains(name, "=") && valued[name] {
				if i+1 == len(rest) || rest[i+1] == "--" {
					// Moved in front of the paths, it would take the
					// "--" before them, or the first path, as its value.
					return nil, fmt.Errorf("flag %s needs a value (see meshlint %s--help)", a, commandPath(out))
				}
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
	return out, nil
}

// commandPath is the commands of args (after the program's name), each
// followed by a space, for "see meshlint graph --help".
func commandPath(args []string) string {
	var b strings.Builder
	for _, a := range args[1:] {
		b.WriteString(a + " ")
	}
	return b.String()
}

// commandFirst puts a subcommand written after flags (`meshlint --format
// json graph .`) before them.
func commandFirst(app *cli.App, args []string) ([]string, error) {
	// Before the command is known, a flag takes a value if it does in any
	// command (graph's --layer before graph).
	valued := valuedFlags(app.Flags)
	seen := map[*cli.Command]bool{}
	var each func(cmds []*cli.Command)
	each = func(cmds []*cli.Command) {
		for _, c := range cmds {
			if seen[c] {
				continue // urfave/cli's help command is shared, and may hold itself
			}
			seen[c] = true
			for name, v := range valuedFlags(c.Flags) {
				valued[name] = valued[name] || v
			}
			each(c.Subcommands)
		}
	}
	each(app.Commands)
	var leading []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			if i == 1 || a == "--" || a == "-" {
				return args, nil // the command (or a path) comes first already
			}
			cmd := findCommand(app.Commands, a)
			if cmd == nil {
				return args, nil // a path: the default command
			}
			// The command and its own subcommands, then the flags.
			head := []string{args[0], a}
			j := i + 1
			sub := cmd
			for j < len(args) {
				next := findCommand(sub.Subcommands, args[j])
				if next == nil {
					break
				}
				head = append(head, args[j])
				sub = next
				j++
			}
			takes := map[string]bool{}
			for _, f := range sub.Flags {
				for _, n := range f.Names() {
					takes[n] = true
				}
			}
			for _, f := range leading {
				if !strings.HasPrefix(f, "-") {
					continue // a flag's value
				}
				name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
				if !takes[name] && name != "help" && name != "h" {
					return nil, fmt.Errorf("%s comes before the command %s, which does not take it (see meshlint %s --help)",
						f, strings.Join(head[1:], " "), strings.Join(head[1:], " "))
				}
			}
			return append(append(head, leading...), args[j:]...), nil
		}
		leading = append(leading, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && valued[name] && i+1 < len(args) {
			leading = append(leading, args[i+1])
			i++
		}
	}
	return args, nil
}

// valuedFlags says, for each name of flags, whether it takes a value.
func valuedFlags(flags []cli.Flag) map[string]bool {
	valued := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			valued[name] = !isBool
		}
	}
	return valued
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
