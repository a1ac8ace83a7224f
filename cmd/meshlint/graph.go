package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/explain"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report/htmlreport"
)

func init() {
	extraCommands = append(extraCommands, graphCommand())
}

func graphCommand() *cli.Command {
	return &cli.Command{
		Name:         "graph",
		Usage:        "print the connectivity between workloads",
		ArgsUsage:    "PATH...",
		Description:  "Exit codes: 0 the graph was printed; 2 the run failed (no such path, no Kubernetes object in the paths unless --allow-empty, bad flags).",
		OnUsageError: usageError,
		Flags: append(settingsFlags(),
			&cli.StringFlag{Name: "layer", Value: string(connectivity.LayerEffective), Usage: "`LAYER`: network (NetworkPolicy), mesh (Istio authorization) or effective (both)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "connlist", Usage: "output `FORMAT`: " + strings.Join(graphFormats(), ", ")},
			&cli.StringFlag{Name: "focus", Usage: "keep the connections that touch `WORKLOAD` (ns/name[Kind], ns/name or name)"},
			&cli.BoolFlag{Name: "show-implied", Usage: "show the cluster services meshlint assumes (kube-dns, istiod)"},
			catalogueFlags()[0], catalogueFlags()[1],
		),
		Action: graphAction,
	}
}

func graphAction(c *cli.Context) error {
	// The flags first: `graph --layer PATH` took the path as the layer.
	format := c.String("format")
	if !contains(graphFormats(), format) {
		return fmt.Errorf("--format: unknown format %q (want %s)", format, strings.Join(graphFormats(), ", "))
	}
	layer := connectivity.Layer(c.String("layer"))
	switch layer {
	case connectivity.LayerNetwork, connectivity.LayerMesh, connectivity.LayerEffective:
	default:
		return fmt.Errorf("--layer: unknown layer %q (want network, mesh or effective)", layer)
	}
	paths := c.Args().Slice()
	if len(paths) == 0 {
		return errors.New("no PATH given: name files, directories or - for stdin (see meshlint graph --help)")
	}

	started := time.Now()
	res, err := loadEnvironments(c, paths)
	if err != nil {
		return err
	}
	verbose(c, res, started)
	warnLeftOut(c, res)
	if format == "html" {
		return writeGraphPage(c, res, layer, paths)
	}
	if format == "json" && res.Several() {
		// One JSON document: an array of the environments' graphs, each
		// named (SPEC's object, with "environment").
		return writeJSONArray(c.App.Writer, len(res.Environments), func(w io.Writer, i int) error {
			e := res.Environments[i]
			return writeGraph(c, w, e.Model, layer, format, e.Name, true)
		})
	}
	for i, e := range res.Environments {
		if res.Several() {
			if i > 0 {
				fmt.Fprintln(c.App.Writer)
			}
			fmt.Fprintln(c.App.Writer, environmentHeader(format, e.Name))
		}
		if err := writeGraph(c, c.App.Writer, e.Model, layer, format, e.Name, res.Several()); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONArray writes n JSON documents, each written by one call of write,
// as one indented JSON array: a run of several environments stays valid
// JSON.
func writeJSONArray(w io.Writer, n int, write func(w io.Writer, i int) error) error {
	docs := make([]json.RawMessage, n)
	for i := range docs {
		var buf bytes.Buffer
		if err := write(&buf, i); err != nil {
			return err
		}
		docs[i] = json.RawMessage(bytes.TrimSpace(buf.Bytes()))
	}
	out, err := json.MarshalIndent(docs, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// environmentHeader opens one environment's graph when a run has several,
// as a comment of the format.
func environmentHeader(format, name string) string {
	switch format {
	case "dot":
		return "// environment: " + name
	case "mermaid":
		return "%% environment: " + name
	}
	return "# environment: " + name
}

// writeGraph prints one environment's connectivity; named says whether the
// JSON names the environment (the run has several).
func writeGraph(c *cli.Context, w io.Writer, m *model.Model, layer connectivity.Layer, format, env string, named bool) error {
	g := connectivity.Network(m)
	opts := connectivity.Options{ShowImplied: c.Bool("show-implied")}
	if name := c.String("focus"); name != "" {
		var err error
		if opts.Focus, err = g.FindFocus([]string{name}); err != nil {
			if hint := explain.Suggest(g, name); hint != "" {
				return fmt.Errorf("--focus: %w%s", err, hint)
			}
			return fmt.Errorf("--focus: %w", err)
		}
	}
	if layer == connectivity.LayerMesh && format == "connlist" {
		// The one listing that can run to hundreds of thousands of lines:
		// print it as it is worked out.
		return connectivity.StreamConnlist(w, func(emit func(connectivity.Connection)) {
			connectivity.Mesh(m).Each(opts, emit)
		})
	}
	var listing *connectivity.Listing
	switch layer {
	case connectivity.LayerNetwork:
		listing = g.Listing(opts)
	case connectivity.LayerMesh:
		listing = connectivity.Mesh(m).Listing(opts)
	default:
		listing = connectivity.Mesh(m).Effective(opts)
	}
	if named {
		listing.Environment = env
	}
	return connectivity.Write(w, format, listing)
}

// warnLeftOut tells, on stderr, what the graph does not stand on: documents
// that are not manifests, and fields the API would refuse. lint reports them.
func warnLeftOut(c *cli.Context, res *lint.Result) {
	w := c.App.ErrWriter
	loaded := res.Loaded
	if len(res.Environments) == 1 {
		loaded = res.Environments[0].Env.Loaded
	}
	if loaded.Skipped > 0 {
		fmt.Fprintf(w, "meshlint: skipped %s\n", plural(loaded.Skipped, "non-Kubernetes document", "non-Kubernetes documents"))
	}
	if n := len(loaded.Problems); n > 0 {
		fmt.Fprintf(w, "meshlint: %s left out (see meshlint lint)\n", plural(n, "document is not a valid manifest and is", "documents are not valid manifests and are"))
	}
	for _, e := range res.Environments {
		if n := len(e.Model.SpecErrors); n > 0 {
			where := ""
			if res.Several() {
				where = " in environment " + e.Name
			}
			fmt.Fprintf(w, "meshlint: %s validation%s and %s left out (see meshlint lint)\n", plural(n, "field fails", "fields fail"), where, map[bool]string{true: "is", false: "are"}[n == 1])
		}
	}
}

// writeGraphPage writes the HTML page of the connectivity, every
// environment's when there are several. It shows every layer (--layer picks
// the one shown first) and every workload: --focus is for the text formats.
func writeGraphPage(c *cli.Context, res *lint.Result, layer connectivity.Layer, paths []string) error {
	if c.String("focus") != "" {
		return errors.New("--focus: not with --format html, whose matrix shows every workload")
	}
	p := &htmlreport.Page{Title: "meshlint connectivity", ToolVersion: toolVersion(), Paths: paths, Layer: layer}
	for _, e := range res.Environments {
		snap := htmlreport.BuildSnapshot(e.Model, htmlreport.Options{ShowImplied: c.Bool("show-implied")})
		if res.Several() {
			snap.Label = e.Name
		}
		p.Snapshots = append(p.Snapshots, snap)
	}
	return htmlreport.Write(c.App.Writer, p)
}

// graphFormats are connectivity's formats and the HTML page.
func graphFormats() []string { return append(append([]string(nil), connectivity.Formats...), "html") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
