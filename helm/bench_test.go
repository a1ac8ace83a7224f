package helm

import (
	"os"
	"testing"
)

// Render times, placement included:
//
//	go test -run '^$' -bench Render -benchmem ./helm/
//
// MESHLINT_BENCH_CHART names another chart to time (microservices-demo's
// helm-chart/, say); the repository ships none but its fixture.
func BenchmarkRenderFixture(b *testing.B) { benchRender(b, shop) }

// A chart whose templates write keys in several branches: placement renders
// it once more to learn which ran (branches.go).
func BenchmarkRenderBranches(b *testing.B) { benchRender(b, "testdata/branches") }

func BenchmarkRenderChart(b *testing.B) {
	dir := os.Getenv("MESHLINT_BENCH_CHART")
	if dir == "" {
		b.Skip("MESHLINT_BENCH_CHART names no chart")
	}
	benchRender(b, dir)
}

func benchRender(b *testing.B, dir string) {
	for b.Loop() {
		r, err := Render(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range r.Docs {
			var root = parseDoc(b, d.Content)
			r.Place(d, root)
		}
	}
}
