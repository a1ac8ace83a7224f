package connectivity

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/meshlint/meshlint/internal/synth"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

// benchConfig is a cluster of n workloads in n/10 namespaces, each with a
// default-deny policy (DNS and istiod allowed) and four allow policies: at
// n = 2,000, 200 namespaces and 1,000 NetworkPolicies. Every workload has
// labels of its own, so classes = workloads: the worst case for classes.
func benchConfig(n int) synth.Config {
	return synth.Config{
		Namespaces:                  n / 10,
		WorkloadsPerNamespace:       10,
		NetworkPoliciesPerNamespace: 4,
		DefaultDeny:                 true,
	}
}

func benchModel(b *testing.B, n int) *model.Model {
	b.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, benchConfig(n)); err != nil {
		b.Fatal(err)
	}
	res, err := loader.Load([]string{"-"}, loader.Options{Stdin: &buf})
	if err != nil {
		b.Fatal(err)
	}
	m := model.Build(res, model.Settings{})
	if len(m.NetworkPolicies) != n/10*5 {
		b.Fatalf("%d NetworkPolicies, want %d", len(m.NetworkPolicies), n/10*5)
	}
	return m
}

// BenchmarkNetwork computes the network layer (classes, selectors, ranges,
// isolation) from a built model: what every rule shares. retained-B is the
// heap the graph keeps.
//
//	go test ./connectivity -run '^$' -bench Network -benchmem
func BenchmarkNetwork(b *testing.B) {
	for _, n := range []int{500, 2000, 8000} {
		m := benchModel(b, n)
		b.Run(fmt.Sprintf("workloads=%d", n), func(b *testing.B) {
			var g *Graph
			for b.Loop() {
				g = build(m)
			}
			b.ReportMetric(float64(len(g.classes)), "classes")
			b.ReportMetric(float64(retained(func() any { return build(m) })), "retained-B")
		})
	}
}

// BenchmarkNetworkListing adds listing every allowed connection, what
// `meshlint graph` prints: it grows with the connections allowed, not with
// pairs of workloads.
func BenchmarkNetworkListing(b *testing.B) {
	for _, n := range []int{500, 2000, 8000} {
		m := benchModel(b, n)
		b.Run(fmt.Sprintf("workloads=%d", n), func(b *testing.B) {
			var l *Listing
			for b.Loop() {
				l = build(m).Listing(Options{ShowImplied: true})
			}
			b.ReportMetric(float64(len(l.Connections)), "connections")
		})
	}
}

// retained measures the heap that what f returns keeps alive.
func retained(f func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// BenchmarkLayers compares the network layer alone with the network and mesh
// layers together on the same cluster, which has an AuthorizationPolicy per
// workload and a STRICT PeerAuthentication per namespace: the added cost of
// the mesh layer, computed per destination for the sources its policies name.
//
//	go test ./connectivity -run '^$' -bench Layers -benchmem
func BenchmarkLayers(b *testing.B) {
	for _, n := range []int{500, 2000, 8000} {
		cfg := benchConfig(n)
		cfg.AuthorizationPoliciesPerNamespace = cfg.WorkloadsPerNamespace
		cfg.PeerAuthentication = true
		cfg.ServiceAccounts = true
		var buf bytes.Buffer
		if err := synth.Write(&buf, cfg); err != nil {
			b.Fatal(err)
		}
		res, err := loader.Load([]string{"-"}, loader.Options{Stdin: &buf})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("network/workloads=%d", n), func(b *testing.B) {
			for b.Loop() {
				m := model.Build(res, model.Settings{})
				Network(m).Listing(Options{})
			}
		})
		b.Run(fmt.Sprintf("network+mesh/workloads=%d", n), func(b *testing.B) {
			var l *Listing
			for b.Loop() {
				m := model.Build(res, model.Settings{})
				l = Mesh(m).Effective(Options{})
			}
			b.ReportMetric(float64(len(l.Connections)), "connections")
		})
	}
}
