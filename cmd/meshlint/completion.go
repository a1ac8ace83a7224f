package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/rules"
)

func init() { extraCommands = append(extraCommands, completionCommand()) }

var completionShells = []string{"bash", "zsh", "fish"}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:  "completion",
		Usage: "print a shell completion script: bash, zsh or fish",
		Description: "Load it for the current shell, or install it where the shell looks:\n\n" +
			"   bash: source <(meshlint completion bash)    or save it as /etc/bash_completion.d/meshlint\n" +
			"   zsh:  source <(meshlint completion zsh)     or save it as _meshlint in a directory of $fpath\n" +
			"   fish: meshlint completion fish | source     or save it as ~/.config/fish/completions/meshlint.fish",
		ArgsUsage:    "bash|zsh|fish",
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("completion takes one shell: bash, zsh or fish (see meshlint completion --help)")
			}
			tree := completionTree(c.App)
			switch c.Args().First() {
			case "bash":
				return writeBashCompletion(c.App.Writer, tree)
			case "zsh":
				return writeZshCompletion(c.App.Writer, tree)
			case "fish":
				return writeFishCompletion(c.App.Writer, tree)
			}
			return fmt.Errorf("completion: unknown shell %q (want bash, zsh or fish)", c.Args().First())
		},
	}
}

// compNode is a command (or the program itself) as the scripts see it:
// the scripts walk the words typed so far from node to node, then offer the
// node's subcommands, flags and words. Everything else completes as a file.
type compNode struct {
	id       string // a shell-safe name: root, graph, policy_test
	commands []compItem
	flags    []compFlag
	words    []string          // positional arguments to offer, such as rule IDs
	children map[string]string // command name or alias -> child id
}

type compItem struct{ name, usage string }

type compFlag struct {
	long, short []string // without dashes
	usage       string
	takesValue  bool
	values      []string // the values it takes, when known; else files
}

var (
	parenthesized = regexp.MustCompile(`\([^)]*\)`)
	choiceList    = regexp.MustCompile(`^[a-z][a-z0-9-]*(?:(?:, | or )[a-z][a-z0-9-]*)+$`)
	choiceSep     = regexp.MustCompile(`, | or `)
)

// flagValues reads the values a flag takes from its usage, which lists
// them as "...: a, b, c" or "a, b or c" (parentheses aside), so that the
// scripts follow the flags as they change. --enable and --disable take rule
// IDs.
func flagValues(name, usage string) []string {
	if name == "enable" || name == "disable" {
		var ids []string
		for _, r := range rules.All() {
			ids = append(ids, r.ID)
		}
		return ids
	}
	u := parenthesized.ReplaceAllString(usage, "")
	if i := strings.LastIndex(u, ": "); i >= 0 {
		u = u[i+2:]
	}
	u = strings.Join(strings.Fields(u), " ")
	u = strings.ReplaceAll(u, " ,", ",")
	if !choiceList.MatchString(u) {
		return nil
	}
	return choiceSep.Split(u, -1)
}

// names lists the flag's spellings with their dashes.
func (f compFlag) names() []string {
	var out []string
	for _, s := range f.short {
		out = append(out, "-"+s)
	}
	for _, l := range f.long {
		out = append(out, "--"+l)
	}
	return out
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// completionTree lists the nodes of app, the program first, from the same
// commands and flags that parse the command line.
func completionTree(app *cli.App) []*compNode {
	var nodes []*compNode
	var walk func(id, name string, flags []cli.Flag, cmds []*cli.Command)
	walk = func(id, name string, flags []cli.Flag, cmds []*cli.Command) {
		n := &compNode{id: id, children: map[string]string{}}
		nodes = append(nodes, n)
		all := append(slices.Clone(flags), cli.HelpFlag)
		if id == "root" {
			all = append(all, cli.VersionFlag)
		}
		for _, f := range all {
			cf := compFlag{}
			for _, name := range f.Names() {
				if len(name) == 1 {
					cf.short = append(cf.short, name)
				} else {
					cf.long = append(cf.long, name)
				}
			}
			if d, ok := f.(cli.DocGenerationFlag); ok {
				// The backticks mark urfave/cli's placeholder (`FILE`); help
				// drops them, and so do the descriptions.
				cf.usage = strings.ReplaceAll(d.GetUsage(), "`", "")
				cf.takesValue = d.TakesValue()
			}
			if cf.takesValue && len(cf.long) > 0 {
				cf.values = flagValues(cf.long[0], cf.usage)
			}
			n.flags = append(n.flags, cf)
		}
		switch name {
		case "explain":
			for _, r := range rules.All() {
				n.words = append(n.words, r.ID)
			}
		case "completion":
			n.words = completionShells
		}
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			child := c.Name
			if id != "root" {
				child = id + "_" + c.Name
			}
			child = nonIdent.ReplaceAllString(strings.ToLower(child), "_")
			for _, alias := range c.Names() {
				n.commands = append(n.commands, compItem{alias, strings.ReplaceAll(c.Usage, "`", "")})
				n.children[alias] = child
			}
			walk(child, c.Name, c.Flags, c.Subcommands)
		}
	}
	walk("root", "", app.Flags, app.Commands)
	return nodes
}

// fileFlags lists a node's spellings of the flags that take a value other
// than a known list: the word after one is that value (a file, most often),
// not a command or a path to lint.
func fileFlags(n *compNode) []string {
	var out []string
	for _, f := range n.flags {
		if f.takesValue && f.values == nil {
			out = append(out, f.names()...)
		}
	}
	return out
}

// casePattern is a shell case pattern matching "node:flag" for each of a
// flag's spellings.
func casePattern(node string, names []string) string {
	return node + ":" + strings.Join(names, "|"+node+":")
}

func writeBashCompletion(w io.Writer, nodes []*compNode) error {
	var b strings.Builder
	b.WriteString(`# bash completion for meshlint: source <(meshlint completion bash)
_meshlint() {
    local cur prev node=root i w
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case "$node:$w" in
`)
	for _, n := range nodes {
		for _, c := range n.commands {
			fmt.Fprintf(&b, "            %s:%s) node='%s' ;;\n", n.id, c.name, n.children[c.name])
		}
	}
	b.WriteString(`        esac
    done
    case "$node:$prev" in
`)
	for _, n := range nodes {
		for _, f := range n.flags {
			if f.values != nil {
				fmt.Fprintf(&b, "        %s)\n            mapfile -t COMPREPLY < <(compgen -W %q -- \"$cur\")\n            return ;;\n", casePattern(n.id, f.names()), strings.Join(f.values, " "))
			}
		}
		if ff := fileFlags(n); len(ff) > 0 {
			fmt.Fprintf(&b, "        %s)\n", casePattern(n.id, ff))
			b.WriteString("            compopt -o filenames\n            mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n            return ;;\n")
		}
	}
	b.WriteString(`    esac
    local flags="" words=""
    case $node in
`)
	for _, n := range nodes {
		var flags, words []string
		for _, f := range n.flags {
			flags = append(flags, f.names()...)
		}
		for _, c := range n.commands {
			words = append(words, c.name)
		}
		words = append(words, n.words...)
		fmt.Fprintf(&b, "        %s) flags=%q words=%q ;;\n", n.id, strings.Join(flags, " "), strings.Join(words, " "))
	}
	b.WriteString(`    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    # Paths are the arguments of most commands.
    compopt -o filenames
    local f
    while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -f -- "$cur")
}
complete -F _meshlint meshlint
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// zshQuote quotes s as one word for zsh.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeZshCompletion(w io.Writer, nodes []*compNode) error {
	var b strings.Builder
	b.WriteString(`#compdef meshlint
# zsh completion for meshlint: source <(meshlint completion zsh), or save
# as _meshlint in a directory of $fpath.
_meshlint() {
    local node=root w i prev=${words[CURRENT-1]}
    for ((i = 2; i < CURRENT; i++)); do
        w=${words[i]}
        case "$node:$w" in
`)
	for _, n := range nodes {
		for _, c := range n.commands {
			fmt.Fprintf(&b, "            (%s:%s) node=%s ;;\n", n.id, c.name, n.children[c.name])
		}
	}
	b.WriteString(`        esac
    done
    case "$node:$prev" in
`)
	for _, n := range nodes {
		for _, f := range n.flags {
			if f.values != nil {
				fmt.Fprintf(&b, "        (%s) compadd -- %s; return ;;\n", casePattern(n.id, f.names()), strings.Join(f.values, " "))
			}
		}
		if ff := fileFlags(n); len(ff) > 0 {
			fmt.Fprintf(&b, "        (%s) _files; return ;;\n", casePattern(n.id, ff))
		}
	}
	b.WriteString(`    esac
    local -a commands flags values
    case $node in
`)
	// _describe reads NAME:DESCRIPTION, so colons in names are escaped.
	item := func(name, usage string) string {
		return zshQuote(strings.ReplaceAll(name, ":", `\:`) + ":" + usage)
	}
	for _, n := range nodes {
		var commands, flags []string
		for _, c := range n.commands {
			commands = append(commands, item(c.name, c.usage))
		}
		for _, f := range n.flags {
			for _, name := range f.names() {
				flags = append(flags, item(name, f.usage))
			}
		}
		var values []string
		for _, v := range n.words {
			values = append(values, zshQuote(v))
		}
		fmt.Fprintf(&b, "        (%s)\n            commands=(%s)\n            flags=(%s)\n            values=(%s) ;;\n",
			n.id, strings.Join(commands, " "), strings.Join(flags, " "), strings.Join(values, " "))
	}
	b.WriteString(`    esac
    if [[ ${words[CURRENT]} == -* ]]; then
        _describe -t flags flag flags
        return
    fi
    (( ${#commands} )) && _describe -t commands command commands
    (( ${#values} )) && compadd -a values
    _files
}
if [[ ${funcstack[1]} == _meshlint ]]; then
    _meshlint "$@"
else
    compdef _meshlint meshlint
fi
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// fishQuote quotes s as one word for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func writeFishCompletion(w io.Writer, nodes []*compNode) error {
	var b strings.Builder
	b.WriteString(`# fish completion for meshlint: meshlint completion fish | source
function __meshlint_node
    set -l node root
    set -l words (commandline -opc)
    for w in $words[2..-1]
        switch "$node:$w"
`)
	for _, n := range nodes {
		for _, c := range n.commands {
			fmt.Fprintf(&b, "            case %s\n                set node %s\n", fishQuote(n.id+":"+c.name), n.children[c.name])
		}
	}
	b.WriteString(`        end
    end
    echo $node
end
function __meshlint_at
    test (__meshlint_node) = $argv[1]
end
`)
	for _, n := range nodes {
		cond := fishQuote("__meshlint_at " + n.id)
		for _, c := range n.commands {
			fmt.Fprintf(&b, "complete -c meshlint -n %s -a %s -d %s\n", cond, fishQuote(c.name), fishQuote(c.usage))
		}
		for _, v := range n.words {
			fmt.Fprintf(&b, "complete -c meshlint -n %s -a %s\n", cond, fishQuote(v))
		}
		for _, f := range n.flags {
			line := "complete -c meshlint -n " + cond
			for _, s := range f.short {
				line += " -s " + s
			}
			for _, l := range f.long {
				line += " -l " + l
			}
			switch {
			case f.values != nil:
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			case f.takesValue:
				line += " -r"
			}
			b.WriteString(line + " -d " + fishQuote(f.usage) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
