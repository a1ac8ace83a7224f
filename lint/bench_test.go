package lint

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/synth"
	"github.com/meshlint/meshlint/loader"
)

// The performance bar is a full lint of a 10,000-object cluster. Run:
//
//	go test -run '^$' -bench . -benchmem ./lint/
//
// BenchmarkYAMLDecode is the yardstick: plain yaml.v3 decoding of the same
// bytes into generic values, which any YAML tool must at least do.

func clusterFile(b *testing.B) (string, []byte) {
	b.Helper()
	return clusterFileOf(b, synth.Default())
}

func clusterFileOf(b *testing.B, c synth.Config) (string, []byte) {
	b.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, c); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "cluster.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, buf.Bytes()
}

func BenchmarkYAMLDecode(b *testing.B) {
	_, data := clusterFile(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		n := 0
		for {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n < 10000 {
			b.Fatalf("decoded %d documents", n)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	path, data := clusterFile(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		res, err := loader.Load([]string{path}, loader.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Objects) != synth.Default().Objects() {
			b.Fatalf("loaded %d objects", len(res.Objects))
		}
	}
}

// BenchmarkLint is the full run: load, model, every rule.
func BenchmarkLint(b *testing.B) {
	path, data := clusterFile(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(Options{Paths: []string{path}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Model.Workloads) < 2000 {
			b.Fatalf("%d workloads", len(res.Model.Workloads))
		}
	}
}

// BenchmarkLintMeshResources is the full run on the same cluster with
// Sidecars, a ServiceEntry per namespace and waypoints in the ambient
// namespaces (synth's MeshResources).
func BenchmarkLintMeshResources(b *testing.B) {
	c := synth.Default()
	c.MeshResources = true
	path, data := clusterFileOf(b, c)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(Options{Paths: []string{path}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Model.Sidecars) == 0 || len(res.Model.ServiceEntries) != c.Namespaces || len(res.Model.Gateways()) == 0 {
			b.Fatalf("%d Sidecars, %d ServiceEntries, %d gateways", len(res.Model.Sidecars), len(res.Model.ServiceEntries), len(res.Model.Gateways()))
		}
	}
}
