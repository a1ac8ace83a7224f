package helm

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// Failure is why a chart or one template of it did not render: where Helm
// says it went wrong, and Helm's message.
type Failure struct {
	// File is on disk, absolute: a template, values file, Chart.yaml or
	// the chart directory.
	File    string
	Line    int
	Column  int
	Message string
	// Chart marks a failure of the whole chart (nothing rendered).
	Chart bool
}

func (f *Failure) Error() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message)
	}
	return fmt.Sprintf("%s: %s", f.File, f.Message)
}

// renderAll renders every template. A template that fails to render is
// recorded and emptied, and the others are rendered again, so that one
// `required` value does not hide the rest of the chart. A failure in a
// partial (_helpers.tpl) cannot be pinned on one template: the chart fails.
func (r *Rendering) renderAll(ch *chart.Chart, top chartutil.Values) (map[string]string, error) {
	blanked := map[string]bool{}
	for {
		var e engine.Engine
		files, err := e.Render(ch, top)
		if err == nil {
			sort.SliceStable(r.Failures, func(i, j int) bool {
				a, b := r.Failures[i], r.Failures[j]
				if a.File != b.File {
					return a.File < b.File
				}
				return a.Line < b.Line
			})
			return files, nil
		}
		f := r.renderFailure(err)
		name := f.template
		if name == "" || blanked[name] || isPartial(name) || !r.blank(ch, name) {
			f.Chart = true
			if name != "" && isPartial(name) {
				f.Message += " (in a partial: no template of the chart renders)"
			}
			return nil, &f.Failure
		}
		blanked[name] = true
		r.Failures = append(r.Failures, &f.Failure)
	}
}

// blank empties the template of that full name.
func (r *Rendering) blank(ch *chart.Chart, name string) bool {
	for _, c := range allCharts(ch) {
		for _, t := range c.Templates {
			if path.Join(c.ChartFullPath(), t.Name) == name {
				t.Data = nil
				return true
			}
		}
	}
	return false
}

func isPartial(name string) bool {
	return strings.HasPrefix(path.Base(name), "_")
}

type renderFailure struct {
	Failure
	template string // full template name, "" when the error names none
}

// Helm's engine writes "parse error at (chart/templates/x.yaml:12): ..."
// and "execution error at (chart/templates/x.yaml:5:12): ..."
// (helm pkg/engine/engine.go, cleanupParseError and cleanupExecError); a
// template error it does not recognise keeps Go's own "template:
// chart/templates/x.yaml:5:12: ...".
var (
	helmErrorAt  = regexp.MustCompile(`^(?:parse|execution) error (?:at|in) \(([^():]+)(?::(\d+))?(?::(\d+))?\): (?s)(.*)$`)
	goTemplateAt = regexp.MustCompile(`^template: ([^:]+):(\d+)(?::(\d+))?: (?s)(.*)$`)
)

func (r *Rendering) renderFailure(err error) renderFailure {
	msg := err.Error()
	m := helmErrorAt.FindStringSubmatch(msg)
	if m == nil {
		m = goTemplateAt.FindStringSubmatch(msg)
	}
	if m == nil {
		return renderFailure{Failure: Failure{File: filepath.Join(r.Dir, chartutil.ChartfileName), Line: 1, Message: "Helm cannot render the chart: " + msg}}
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	return renderFailure{
		Failure:  Failure{File: r.TemplateFile(m[1]), Line: line, Column: col, Message: strings.TrimSpace(m[4])},
		template: m[1],
	}
}

// yamlFailure is a rendered template whose output is not YAML: Helm names
// the template, and the line is one of its output, not of the template.
func (r *Rendering) yamlFailure(err error, files map[string]string) error {
	msg := err.Error()
	const prefix = "YAML parse error on "
	if strings.HasPrefix(msg, prefix) {
		rest := msg[len(prefix):]
		if i := strings.Index(rest, ": "); i > 0 {
			name := rest[:i]
			if _, ok := files[name]; ok {
				msg := "the template's output is not YAML: " + rest[i+2:]
				if strings.Contains(msg, "line ") {
					msg += " (that line is one of the output, not of the template)"
				}
				return &Failure{File: r.TemplateFile(name), Line: 1, Chart: true, Message: msg}
			}
		}
	}
	return &Failure{File: filepath.Join(r.Dir, chartutil.ChartfileName), Line: 1, Chart: true, Message: "Helm cannot sort the chart's output: " + msg}
}

// schemaFailure is a values set that values.schema.json refuses: Helm's
// message names the key (at '/replicas': ...); the failure is placed where
// that key is set, when a values file sets it.
func (r *Rendering) schemaFailure(err error, chartFile string) error {
	msg := err.Error()
	f := &Failure{File: chartFile, Line: 1, Chart: true, Message: strings.TrimSpace(strings.ReplaceAll(msg, "\n", " "))}
	m := regexp.MustCompile(`at '(/[^']*)'`).FindStringSubmatch(msg)
	if m == nil {
		return f
	}
	key := strings.Split(strings.TrimPrefix(m[1], "/"), "/")
	for i := len(r.Sources) - 1; i >= 0; i-- {
		if s := r.Sources[i]; s.Set != "" {
			if k, _, _ := strings.Cut(s.Set, "="); k == strings.Join(key, ".") {
				f.Message += " (set by --helm-set " + s.Set + ")"
				return f
			}
		}
		if pos, ok := r.locate(r.Sources[i], key); ok {
			f.File, f.Line, f.Column = pos.File, pos.Line, pos.Column
			return f
		}
	}
	own := filepath.Join(r.Dir, chartutil.ValuesfileName)
	if pos, ok := r.locate(ValuesSource{File: own}, key); ok {
		f.File, f.Line, f.Column = pos.File, pos.Line, pos.Column
	}
	return f
}
