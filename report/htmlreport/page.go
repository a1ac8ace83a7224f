// Package htmlreport writes the HTML report: one self-contained page (styles,
// script and data inline, nothing fetched, so that it works from file:// and
// as a CI artifact) with the summary, a findings table to sort and filter,
// and per layer a namespace by namespace connectivity matrix that expands
// into workloads, each cell explaining itself as `meshlint why` would.
//
// The page is built with html/template; the data goes in one script element
// (gzipped JSON) and a small hand-written script draws the tables from it. Two
// snapshots of connectivity (before and after a change) make the diff view.
package htmlreport

import (
	"bufio"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report"
)

func init() { report.Register("html", WriteReport) }

var (
	//go:embed assets/page.html
	pageHTML string
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.js
	reportJS string

	pageTemplate = template.Must(template.New("page").Parse(pageHTML))
)

// Page is what one report shows.
type Page struct {
	Title       string
	ToolVersion string
	Paths       []string
	// Run holds the findings; nil for a page of connectivity alone
	// (`graph --format html`).
	Run *report.Run
	// Snapshots are the connectivity: one per environment (labelled with
	// its name when there are several), or before and after for a diff.
	Snapshots []*Snapshot
	// Diff says the two snapshots are before and after a change: the cells
	// that differ are marked.
	Diff bool
	// Layer is the layer shown first.
	Layer connectivity.Layer
}

// WriteReport is the "html" format of lint: findings, and the connectivity
// of the model they were found in.
func WriteReport(w io.Writer, run *report.Run) error {
	p := &Page{Title: "meshlint report", ToolVersion: run.ToolVersion, Paths: run.Paths, Run: run, Layer: connectivity.LayerEffective}
	for i, m := range run.Models {
		s := BuildSnapshot(m, Options{})
		if len(run.Models) > 1 && i < len(run.Environments) {
			s.Label = run.Environments[i]
		}
		p.Snapshots = append(p.Snapshots, s)
	}
	return Write(w, p)
}

// DiffPage is the page of a change: the connectivity before and after it,
// the cells that differ marked, and a toggle between the two. Findings are
// those of after (run may be nil).
func DiffPage(before, after *model.Model, labels [2]string, run *report.Run, opts Options) *Page {
	b, a := BuildSnapshot(before, opts), BuildSnapshot(after, opts)
	b.Label, a.Label = labels[0], labels[1]
	p := &Page{Title: "meshlint diff", Run: run, Snapshots: []*Snapshot{b, a}, Diff: true, Layer: connectivity.LayerEffective}
	if run != nil {
		p.ToolVersion, p.Paths = run.ToolVersion, run.Paths
	}
	return p
}

type pageData struct {
	Version   int                `json:"version"`
	Diff      bool               `json:"diff"`
	Layer     connectivity.Layer `json:"layer"`
	Command   string             `json:"command"`
	Findings  *findings          `json:"findings,omitempty"`
	Snapshots []*Snapshot        `json:"snapshots"`
}

type templateData struct {
	Title, Tool   string
	Paths         []string
	Summary       string
	Counts        []count
	HasFindings   bool
	Connectivity  bool
	Diff          bool
	Before, After string
	// Views are the environments to choose between, when several.
	Views  []view
	Layers []connectivity.Layer
	Layer  connectivity.Layer
	CSS    template.CSS
	JS     template.JS
}

type view struct {
	Index   int
	Label   string
	Current bool
}

type count struct {
	Class, Symbol, Text string
}

// Write writes the page.
func Write(out io.Writer, p *Page) error {
	if p.Diff && len(p.Snapshots) != 2 {
		return fmt.Errorf("html: a diff of %d snapshots, want two (before and after)", len(p.Snapshots))
	}
	td := templateData{
		Title: p.Title, Tool: "meshlint " + p.ToolVersion, Paths: p.Paths,
		Connectivity: len(p.Snapshots) > 0, Diff: p.Diff,
		Layers: []connectivity.Layer{connectivity.LayerNetwork, connectivity.LayerMesh, connectivity.LayerEffective},
		Layer:  p.Layer,
		CSS:    template.CSS(reportCSS), JS: template.JS(reportJS),
	}
	if td.Layer == "" {
		td.Layer = connectivity.LayerEffective
	}
	if td.Diff {
		td.Before, td.After = p.Snapshots[0].Label, p.Snapshots[1].Label
	} else if len(p.Snapshots) > 1 {
		for i, s := range p.Snapshots {
			td.Views = append(td.Views, view{i, s.Label, i == 0})
		}
	}
	data := pageData{Version: 1, Diff: td.Diff, Layer: td.Layer, Command: whyCommand(p.Paths), Snapshots: p.Snapshots}
	if p.Run != nil {
		run := p.Run
		td.Summary = report.Summary(run)
		c := analyzer.Counts(run.Findings)
		td.Counts = []count{
			{"error", "✖", report.Plural(c[analyzer.Error], "error", "errors")},
			{"warning", "▲", report.Plural(c[analyzer.Warning], "warning", "warnings")},
			{"note", "●", report.Plural(c[analyzer.Note], "note", "notes")},
		}
		td.HasFindings = true
		data.Findings = buildFindings(run)
	}
	if data.Snapshots == nil {
		data.Snapshots = []*Snapshot{}
	}
	w := bufio.NewWriterSize(out, 1<<16)
	if err := pageTemplate.ExecuteTemplate(w, "head", td); err != nil {
		return err
	}
	if err := writeData(w, data); err != nil {
		return err
	}
	if err := pageTemplate.ExecuteTemplate(w, "tail", td); err != nil {
		return err
	}
	return w.Flush()
}

// writeData embeds the data as gzipped JSON in base64, which the page
// inflates with the browser's DecompressionStream: a tenth of the size of
// the JSON itself, whose explanations repeat policy names and locations.
func writeData(w io.Writer, data pageData) error {
	io.WriteString(w, `<script type="application/octet-stream" id="meshlint-data" data-encoding="gzip+base64">`)
	b64 := base64.NewEncoder(base64.StdEncoding, w)
	gz := gzip.NewWriter(b64)
	if err := json.NewEncoder(gz).Encode(data); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if err := b64.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "</script>\n")
	return err
}

// whyCommand is the start of the `meshlint why` command a cell offers to
// copy: the paths quoted for a POSIX shell when they need it.
func whyCommand(paths []string) string {
	var b strings.Builder
	b.WriteString("meshlint why SRC DST")
	for _, p := range paths {
		b.WriteByte(' ')
		b.WriteString(shellQuote(p))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
