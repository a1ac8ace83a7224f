package connectivity

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Formats are the output formats of `meshlint graph`.
var Formats = []string{"connlist", "json", "dot", "mermaid"}

// Write prints l in format, one of Formats.
func Write(w io.Writer, format string, l *Listing) error {
	switch format {
	case "connlist":
		return WriteConnlist(w, l)
	case "json":
		return WriteJSON(w, l)
	case "dot":
		return WriteDOT(w, l)
	case "mermaid":
		return WriteMermaid(w, l)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteConnlist prints one line per connection, `src => dst : conn`, in
// netpol-analyzer's format.
func WriteConnlist(w io.Writer, l *Listing) error {
	return StreamConnlist(w, func(emit func(Connection)) {
		for _, c := range l.Connections {
			emit(c)
		}
	})
}

// StreamConnlist prints the connections each emits as they come, for
// layers too large to hold (MeshLayer.Each).
func StreamConnlist(w io.Writer, each func(emit func(Connection))) error {
	bw := bufio.NewWriter(w)
	var err error
	each(func(c Connection) {
		if err != nil {
			return
		}
		bw.WriteString(c.Src.ID)
		bw.WriteString(" => ")
		bw.WriteString(c.Dst.ID)
		bw.WriteString(" : ")
		bw.WriteString(c.Conn())
		err = bw.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

type jsonListing struct {
	Version     int              `json:"version"`
	Layer       Layer            `json:"layer"`
	Environment string           `json:"environment,omitempty"`
	Connections []JSONConnection `json:"connections"`
}

// JSONConnection is a connection as `graph --format json` and the Rego
// input (input.connectivity) show it.
type JSONConnection struct {
	Src  string   `json:"src"`
	Dst  string   `json:"dst"`
	Conn string   `json:"conn"`
	L7   []JSONL7 `json:"l7,omitempty"`
}

// JSONL7 is traffic allowed only for requests with some attributes: one
// term of the condition, its HTTP fields split out.
type JSONL7 struct {
	Ports      string   `json:"ports"`
	Methods    []string `json:"methods,omitempty"`
	Paths      []string `json:"paths,omitempty"`
	Hosts      []string `json:"hosts,omitempty"`
	Conditions []string `json:"conditions,omitempty"`
}

// JSONConnections returns the listing's connections in their JSON shape.
func (l *Listing) JSONConnections() []JSONConnection {
	out := make([]JSONConnection, 0, len(l.Connections))
	for _, c := range l.Connections {
		all := c.Ports
		var l7 []JSONL7
		for _, cond := range c.L7 {
			all = all.Union(cond.Ports)
			for _, term := range cond.When.Cond {
				entry := JSONL7{Ports: cond.Ports.String()}
				for _, atom := range term {
					key, values, _ := strings.Cut(atom, "=")
					switch key {
					case "methods":
						entry.Methods = strings.Split(values, ",")
					case "paths":
						entry.Paths = strings.Split(values, ",")
					case "hosts":
						entry.Hosts = strings.Split(values, ",")
					default:
						entry.Conditions = append(entry.Conditions, atom)
					}
				}
				l7 = append(l7, entry)
			}
		}
		out = append(out, JSONConnection{Src: c.Src.ID, Dst: c.Dst.ID, Conn: all.String(), L7: l7})
	}
	return out
}

// Conn prints a connection's ports as the connlist does: the ports always
// allowed, then each conditional group with its condition in brackets.
func (c Connection) Conn() string {
	if len(c.L7) == 0 {
		return c.Ports.String()
	}
	var parts []string
	if !c.Ports.IsEmpty() {
		parts = append(parts, c.Ports.String())
	}
	for _, cond := range c.L7 {
		parts = append(parts, cond.Ports.String()+" ["+cond.When.String()+"]")
	}
	return strings.Join(parts, ",")
}

// WriteJSON prints the listing as SPEC.md's graph JSON.
func WriteJSON(w io.Writer, l *Listing) error {
	out := jsonListing{Version: 1, Layer: l.Layer, Environment: l.Environment, Connections: l.JSONConnections()}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// namespaceGroups splits nodes into those of each namespace (in node
// order) and the external ranges.
func namespaceGroups(nodes []*Node) (names []string, byNS map[string][]*Node, external []*Node) {
	byNS = map[string][]*Node{}
	for _, n := range nodes {
		if n.External {
			external = append(external, n)
			continue
		}
		if _, ok := byNS[n.Namespace]; !ok {
			names = append(names, n.Namespace)
		}
		byNS[n.Namespace] = append(byNS[n.Namespace], n)
	}
	return names, byNS, external
}

// WriteDOT draws the listing for Graphviz: one box per workload, clustered
// by namespace; ranges outside the cluster as ellipses; edges labelled with
// the ports.
func WriteDOT(w io.Writer, l *Listing) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "digraph %s {\n", strconv.Quote("meshlint "+string(l.Layer)))
	bw.WriteString("\trankdir=LR\n")
	bw.WriteString("\tnode [shape=box, style=rounded, fontname=\"Helvetica\"]\n")
	bw.WriteString("\tedge [fontname=\"Helvetica\", fontsize=10]\n")
	names, byNS, external := namespaceGroups(l.Nodes)
	for i, ns := range names {
		fmt.Fprintf(bw, "\tsubgraph cluster_%d {\n\t\tlabel=%s\n", i, dotQuote(ns))
		for _, n := range byNS[ns] {
			fmt.Fprintf(bw, "\t\t%s [label=%s]\n", dotQuote(n.ID), dotQuote(n.Name+"["+n.Kind+"]"))
		}
		bw.WriteString("\t}\n")
	}
	for _, n := range external {
		fmt.Fprintf(bw, "\t%s [label=%s, shape=ellipse]\n", dotQuote(n.ID), dotQuote(n.Label()))
	}
	for _, c := range l.Connections {
		fmt.Fprintf(bw, "\t%s -> %s [label=%s]\n", dotQuote(c.Src.ID), dotQuote(c.Dst.ID), dotQuote(c.Conn()))
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// WriteMermaid draws the listing as a Mermaid flowchart, which GitHub
// renders in Markdown.
func WriteMermaid(w io.Writer, l *Listing) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("flowchart LR\n")
	ids := make(map[*Node]string, len(l.Nodes))
	for i, n := range l.Nodes {
		ids[n] = "n" + strconv.Itoa(i)
	}
	names, byNS, external := namespaceGroups(l.Nodes)
	for i, ns := range names {
		fmt.Fprintf(bw, "  subgraph ns%d[%s]\n", i, mermaidQuote(ns))
		for _, n := range byNS[ns] {
			fmt.Fprintf(bw, "    %s[%s]\n", ids[n], mermaidQuote(n.Name+"["+n.Kind+"]"))
		}
		bw.WriteString("  end\n")
	}
	for _, n := range external {
		fmt.Fprintf(bw, "  %s([%s])\n", ids[n], mermaidQuote(n.Label()))
	}
	for _, c := range l.Connections {
		fmt.Fprintf(bw, "  %s -->|%s| %s\n", ids[c.Src], mermaidQuote(c.Conn()), ids[c.Dst])
	}
	return bw.Flush()
}

// mermaidQuote makes s a quoted Mermaid label; inside one, only the quote
// itself needs an entity.
func mermaidQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
