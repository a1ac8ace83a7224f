package htmlreport

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/report"
)

// snippetContext is how many lines around a finding the page shows.
const snippetContext = 3

// findings is the findings table as the page embeds it: rules and files
// once, each finding as [severity, rule, message, file, line, column,
// namespace, related, suppressed, environments], and the source lines
// around every finding once per file.
type findings struct {
	Rules [][3]string `json:"rules"` // ID, name, help URL
	Files []string    `json:"files"`
	// Rows are the findings in report order.
	Rows [][10]any `json:"rows"`
	// Sources are, per file index, the lines around findings: line number
	// (as a string, JSON's keys) -> text.
	Sources []map[string]string `json:"sources"`
}

func buildFindings(run *report.Run) *findings {
	out := &findings{Rules: [][3]string{}, Files: []string{}, Rows: [][10]any{}, Sources: []map[string]string{}}
	ruleIdx := map[*analyzer.Rule]int{}
	fileIdx := map[string]int{}
	lines := map[string][]string{}
	workDir := run.WorkDir
	for _, f := range run.Findings {
		r, ok := ruleIdx[f.Rule]
		if !ok {
			r = len(out.Rules)
			ruleIdx[f.Rule] = r
			out.Rules = append(out.Rules, [3]string{f.Rule.ID, f.Rule.Name, run.HelpURI(f.Rule)})
		}
		file := func(name string) int {
			i, ok := fileIdx[name]
			if !ok {
				i = len(out.Files)
				fileIdx[name] = i
				out.Files = append(out.Files, name)
				out.Sources = append(out.Sources, map[string]string{})
				lines[name] = readLines(workDir, name)
			}
			return i
		}
		fi := file(f.Pos.File)
		keep := func(fi int, name string, line int) {
			src := lines[name]
			for l := max(1, line-snippetContext); l <= min(len(src), line+snippetContext); l++ {
				out.Sources[fi][strconv.Itoa(l)] = src[l-1]
			}
		}
		keep(fi, f.Pos.File, f.Pos.Line)
		ns := ""
		if f.Object != nil {
			ns = f.Object.Namespace
		}
		var related [][4]any
		for _, rel := range f.Related {
			ri := file(rel.Pos.File)
			keep(ri, rel.Pos.File, rel.Pos.Line)
			related = append(related, [4]any{ri, rel.Pos.Line, rel.Pos.Column, rel.Message})
		}
		var suppressed any
		if f.Suppressed != nil {
			suppressed = f.Suppressed.Kind + ": " + f.Suppressed.Reason
		}
		out.Rows = append(out.Rows, [10]any{int(f.Severity), r, f.Message, fi, f.Pos.Line, f.Pos.Column, ns, related, suppressed, f.Environments})
	}
	return out
}

// readLines reads a file named as findings name it (relative to the
// working directory); nil when it cannot be read, as stdin cannot.
func readLines(workDir, name string) []string {
	path := filepath.FromSlash(name)
	if !filepath.IsAbs(path) && workDir != "" {
		path = filepath.Join(workDir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if sc.Err() != nil {
		return nil
	}
	return out
}
