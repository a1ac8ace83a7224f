package explain

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/meshlint/meshlint/manifest"
)

// WriteText prints the answer for people: per port, each layer's verdict
// and its reasons, those with a place in a file led by file:line:col.
func WriteText(w io.Writer, a *Answer) error {
	bw := bufio.NewWriter(w)
	if a.Environment != "" {
		fmt.Fprintf(bw, "# environment: %s\n", a.Environment)
	}
	fmt.Fprintf(bw, "why %s => %s\n", a.Src.Name(), a.Dst.Name())
	for _, n := range a.Notes {
		fmt.Fprintf(bw, "note: %s\n", n.Message)
	}
	for _, p := range a.Ports {
		fmt.Fprintf(bw, "\n%s\n", p.Port)
		for _, l := range p.Layers {
			fmt.Fprintf(bw, "  %s: %s\n", l.Layer, verdictText(l))
			for _, r := range l.Reasons {
				bw.WriteString(strings.Repeat("  ", r.Depth+2))
				if r.Location != nil {
					bw.WriteString(r.Location.String() + ": ")
				}
				bw.WriteString(r.Message)
				bw.WriteByte('\n')
			}
		}
	}
	return bw.Flush()
}

type jsonAnswer struct {
	Version     int          `json:"version"`
	Environment string       `json:"environment,omitempty"`
	Src         string       `json:"src"`
	Dst         string       `json:"dst"`
	Notes       []jsonReason `json:"notes,omitempty"`
	Ports       []jsonPort   `json:"ports"`
}

type jsonPort struct {
	Port     string      `json:"port"`
	Protocol string      `json:"protocol"`
	Number   int32       `json:"number,omitempty"` // left out for "any port"
	Layers   []jsonLayer `json:"layers"`
}

type jsonLayer struct {
	Layer     string       `json:"layer"`
	Verdict   Verdict      `json:"verdict"`
	Condition string       `json:"condition,omitempty"`
	Reasons   []jsonReason `json:"reasons"`
}

type jsonReason struct {
	Message  string        `json:"message"`
	Object   *manifest.Ref `json:"object,omitempty"`
	Location *jsonLocation `json:"location,omitempty"`
	Depth    int           `json:"depth,omitempty"`
}

type jsonLocation struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func jsonReasons(rs []Reason) []jsonReason {
	out := make([]jsonReason, len(rs))
	for i, r := range rs {
		out[i] = jsonReason{Message: r.Message, Object: r.Object, Depth: r.Depth}
		if r.Location != nil {
			out[i].Location = &jsonLocation{File: r.Location.File, Line: r.Location.Line, Column: r.Location.Column}
		}
	}
	return out
}

// WriteJSON prints the answer for scripts.
func WriteJSON(w io.Writer, a *Answer) error {
	out := jsonAnswer{Version: 1, Environment: a.Environment, Src: a.Src.Name(), Dst: a.Dst.Name(), Notes: jsonReasons(a.Notes), Ports: []jsonPort{}}
	if len(a.Notes) == 0 {
		out.Notes = nil
	}
	for _, p := range a.Ports {
		jp := jsonPort{Port: p.Port.String(), Protocol: p.Port.Protocol.String(), Number: p.Port.Number}
		for _, l := range p.Layers {
			jp.Layers = append(jp.Layers, jsonLayer{Layer: string(l.Layer), Verdict: l.Verdict, Condition: l.Condition, Reasons: jsonReasons(l.Reasons)})
		}
		out.Ports = append(out.Ports, jp)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
