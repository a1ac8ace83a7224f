package connectivity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/mesh"
)

// The mesh layer works out a verdict for the sources a destination's
// policies single out and shares a stand-in's among the rest: on every pair
// of workloads of every fixture, at every port where a verdict can change,
// what it lists is what Decide says of the pair alone.
func TestMeshLayerIsDecide(t *testing.T) {
	own, _ := filepath.Glob("testdata/*.yaml")
	fixtures, _ := filepath.Glob("../mesh/testdata/*.yaml")
	checked := 0
	for _, f := range append(own, fixtures...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := modelOf(t, string(data))
		ml := Mesh(m)
		e := ml.Evaluator()
		for _, dst := range m.Workloads {
			ports := append([]int32{1}, ml.Breakpoints(dst)...)
			for _, src := range m.Workloads {
				v := ml.Between(mesh.Source{Workload: src}, dst)
				for _, port := range ports {
					got := "never"
					if v.Ports.Contains(TCP, port) {
						got = ""
					}
					for _, c := range v.L7 {
						if c.Ports.Contains(TCP, port) {
							got = c.When.String()
						}
					}
					want := e.Decide(mesh.Source{Workload: src}, dst, port).Allowed.String()
					checked++
					if got != want {
						t.Errorf("%s: %s -> %s:%d: the mesh layer lists %q, Decide says %q", f, src.ID(), dst.ID(), port, got, want)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}
