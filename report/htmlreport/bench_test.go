package htmlreport

import (
	"bytes"
	"io"
	"testing"

	"github.com/meshlint/meshlint/internal/synth"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report"
)

// BenchmarkReport writes the HTML report of the 10,000-object cluster of
// the performance bar (internal/synth's default): findings and every
// layer's matrix and explanations. page-B is the file's size.
//
//	go test ./report/htmlreport -run '^$' -bench Report -benchtime 1x
func BenchmarkReport(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Default()); err != nil {
		b.Fatal(err)
	}
	res, err := lint.Run(lint.Options{Paths: []string{"-"}, Stdin: &buf, Settings: model.DefaultSettings()})
	if err != nil {
		b.Fatal(err)
	}
	run := &report.Run{ToolVersion: "bench", Findings: res.Findings, Rules: res.Rules, Objects: len(res.Model.Objects), Models: []*model.Model{res.Model}}
	var size countingWriter
	for b.Loop() {
		size = 0
		if err := WriteReport(&size, run); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "page-B")
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
