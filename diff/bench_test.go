package diff

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/internal/synth"
	"github.com/meshlint/meshlint/lint"
)

// The bar: diffing two versions of the 10,000-object cluster, the second
// with 20 policies edited, takes at most 2.5 times one lint of it. A diff
// is two model builds and one pass over the classes of pairs. Run:
//
//	go test ./diff -run '^$' -bench . -benchtime 5x
//
// and compare diff/* with lint (ns/op).
func BenchmarkDiff(b *testing.B) {
	dir := b.TempDir()
	write := func(name string, c synth.Config) string {
		var buf bytes.Buffer
		if err := synth.Write(&buf, c); err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		return path
	}
	edited := synth.Default()
	edited.EditedPolicies = 20
	old, new := write("old.yaml", synth.Default()), write("new.yaml", edited)

	b.Run("lint", func(b *testing.B) {
		for b.Loop() {
			if _, err := lint.Run(lint.Options{Paths: []string{old}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	envs := func(path string) []Env {
		res, err := lint.Build(lint.Options{Paths: []string{path}})
		if err != nil {
			b.Fatal(err)
		}
		return []Env{{Model: res.Model}}
	}
	for _, tc := range []struct {
		name   string
		layers []connectivity.Layer
	}{
		{"diff/effective", []connectivity.Layer{connectivity.LayerEffective}},
		{"diff/all-layers", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var r *Result
			for b.Loop() {
				r = Compare(old, new, envs(old), envs(new), Options{Layers: tc.layers})
			}
			n := 0
			for _, ld := range r.Environments[0].Layers {
				n += len(ld.Changes)
			}
			if n == 0 {
				b.Fatal("the edits changed nothing")
			}
			b.ReportMetric(float64(n), "changes")
		})
	}
}
