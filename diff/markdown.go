package diff

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/connectivity"
)

// Marker opens every Markdown diff: CI finds its own pull-request comment
// again by it, to update it rather than add another.
const Marker = "<!-- meshlint-diff -->"

// Limits of the Markdown comment, which GitHub caps at 65,536 characters.
const (
	maxTableRows  = 50
	maxGraphEdges = 40
)

// MarkdownOptions shape the pull-request comment.
type MarkdownOptions struct {
	// Layer is the layer the table and graph show (default effective);
	// the counts line covers every layer compared.
	Layer connectivity.Layer
}

// WriteMarkdown writes the diff as a pull-request comment: per layer one
// line of counts, then a table of the layer's changes (source,
// destination, before, after, the objects that changed them at file:line)
// and a Mermaid graph of the changed edges alone: green added, red
// removed, amber changed.
func WriteMarkdown(w io.Writer, r *Result, opts MarkdownOptions) error {
	if opts.Layer == "" {
		opts.Layer = connectivity.LayerEffective
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(Marker + "\n## meshlint diff\n\n")
	fmt.Fprintf(bw, "Connectivity of `%s` against `%s`.\n", r.New, r.Old)
	several := len(r.Environments) > 1 || len(r.Environments) == 1 && r.Environments[0].Name != ""
	for _, e := range r.Environments {
		if several {
			fmt.Fprintf(bw, "\n### Environment `%s`\n", e.Name)
		}
		if e.Only != "" {
			fmt.Fprintf(bw, "\nOnly in the %s version: not compared.\n", e.Only)
			continue
		}
		writeEnvMarkdown(bw, e, opts)
	}
	return bw.Flush()
}

func writeEnvMarkdown(bw *bufio.Writer, e *Environment, opts MarkdownOptions) {
	bw.WriteString("\n")
	for _, ld := range e.Layers {
		fmt.Fprintf(bw, "- **%s**: %s\n", ld.Layer, CountsText(ld.Counts))
	}
	if len(e.WorkloadsAdded) > 0 {
		fmt.Fprintf(bw, "\nWorkloads added: %s.\n", codeList(e.WorkloadsAdded))
	}
	if len(e.WorkloadsRemoved) > 0 {
		fmt.Fprintf(bw, "\nWorkloads removed: %s.\n", codeList(e.WorkloadsRemoved))
	}
	ld := e.Layer(opts.Layer)
	if ld == nil {
		return
	}
	if len(ld.Changes) == 0 {
		fmt.Fprintf(bw, "\nNo connection changes in the %s layer.\n", ld.Layer)
		return
	}
	fmt.Fprintf(bw, "\n#### Changes (%s layer)\n\n", ld.Layer)
	bw.WriteString("| | Source | Destination | Before | After | Changed by |\n|---|---|---|---|---|---|\n")
	for i, c := range ld.Changes {
		if i == maxTableRows {
			more := "1 more change"
			if n := len(ld.Changes) - maxTableRows; n > 1 {
				more = fmt.Sprintf("%d more changes", n)
			}
			fmt.Fprintf(bw, "\n%s: `meshlint diff --format json` lists them all.\n", more)
			break
		}
		fmt.Fprintf(bw, "| %s | `%s` | `%s` | %s | %s | %s |\n", effectBadge(c.Effect), c.Src, c.Dst,
			cell(c.OldConn()), cell(c.NewConn()), causesCell(c.Causes))
	}
	bw.WriteString("\n```mermaid\n")
	writeMermaid(bw, ld)
	bw.WriteString("```\n")
}

// CountsText is a layer's counts line: "opens 3, closes 1, narrows 2,
// widens 0", with reshapes when some changed pairs neither narrow nor widen.
func CountsText(c Counts) string {
	s := fmt.Sprintf("opens %d, closes %d, narrows %d, widens %d", c.Opens, c.Closes, c.Narrows, c.Widens)
	if c.Reshapes > 0 {
		s += fmt.Sprintf(", reshapes %d", c.Reshapes)
	}
	return s
}

func effectBadge(effect string) string {
	switch effect {
	case EffectOpens:
		return "🟢 opens"
	case EffectCloses:
		return "🔴 closes"
	}
	return "🟠 " + effect
}

func codeList(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "`" + id + "`"
	}
	return strings.Join(parts, ", ")
}

// cell makes text safe inside a table cell: L7 conditions join their
// terms with " | ".
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func causesCell(causes []Cause) string {
	if len(causes) == 0 {
		return ""
	}
	parts := make([]string, len(causes))
	for i, c := range causes {
		parts[i] = cell(CauseText(c))
	}
	return strings.Join(parts, "<br>")
}

// CauseText is one cause in words: the object, its field, what the edit
// did and where (file:line in the new version, or in the old one for an
// object the change deleted).
func CauseText(c Cause) string {
	var b strings.Builder
	b.WriteString("`" + c.Object.String() + "`")
	if c.Path != "" {
		b.WriteString(" `" + c.Path + "`")
	}
	b.WriteString(" " + c.Effect)
	if c.Detail != "" {
		b.WriteString(" " + c.Detail)
	}
	loc := c.Location.File
	if c.Location.Line > 0 {
		loc += ":" + strconv.Itoa(c.Location.Line)
	}
	if c.Version == "old" {
		b.WriteString(" (deleted; was " + loc + ")")
	} else if loc != "" {
		b.WriteString(" (" + loc + ")")
	}
	return b.String()
}

// Colours of the graph's edges: GitHub's green, red and amber.
const (
	colourAdded   = "#1a7f37"
	colourRemoved = "#cf222e"
	colourChanged = "#bf8700"
)

// writeMermaid draws the changed edges of a layer, and their ends.
func writeMermaid(bw *bufio.Writer, ld *LayerDiff) {
	bw.WriteString("flowchart LR\n")
	ids := map[string]string{}
	node := func(id string) string {
		if n, ok := ids[id]; ok {
			return n
		}
		n := "n" + strconv.Itoa(len(ids))
		ids[id] = n
		fmt.Fprintf(bw, "  %s[%s]\n", n, mermaidQuote(id))
		return n
	}
	var styles []string
	for i, c := range ld.Changes {
		if i == maxGraphEdges {
			break
		}
		src, dst := node(c.Src), node(c.Dst)
		switch c.Type {
		case connectivity.Added:
			fmt.Fprintf(bw, "  %s -->|%s| %s\n", src, mermaidQuote(c.NewConn()), dst)
			styles = append(styles, "stroke:"+colourAdded+",stroke-width:2px")
		case connectivity.Removed:
			fmt.Fprintf(bw, "  %s -.->|%s| %s\n", src, mermaidQuote(c.OldConn()), dst)
			styles = append(styles, "stroke:"+colourRemoved+",stroke-width:2px")
		default:
			fmt.Fprintf(bw, "  %s -->|%s| %s\n", src, mermaidQuote(c.OldConn()+" → "+c.NewConn()), dst)
			styles = append(styles, "stroke:"+colourChanged+",stroke-width:2px")
		}
	}
	for i, s := range styles {
		fmt.Fprintf(bw, "  linkStyle %d %s\n", i, s)
	}
}

// mermaidQuote makes s a quoted Mermaid label; inside one, only the quote
// itself needs an entity.
func mermaidQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
