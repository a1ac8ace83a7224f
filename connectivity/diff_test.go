package connectivity

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

func modelOfDir(t *testing.T, dir string) *model.Model {
	t.Helper()
	res, err := loader.Load([]string{dir}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return model.Build(res, model.Settings{DefaultNamespace: "default", TrustDomain: "cluster.local", RootNamespace: "istio-system", IstiodNamespace: "istio-system"})
}

func changeLines(cs []PairChange) string {
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = string(c.Type) + " " + c.Src.ID + " => " + c.Dst.ID + " : " + ConnText(c.Old) + " / " + ConnText(c.New)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// The mesh layer's diff works per destination on the sources its policies
// single out; it must find exactly what comparing the two whole listings
// finds. The pairs are the repository's scenarios, each against the next
// (whole different clusters: sidecar scopes, REGISTRY_ONLY, ServiceEntry
// hosts, DestinationRules, ambient, waypoints), and the diff scenarios.
func TestMeshDiffMatchesListings(t *testing.T) {
	var dirs []string
	for _, pattern := range []string{"../testdata/manifests/*", "../diff/testdata/scenarios/*/*", "../diff/testdata/mesh-mix/*"} {
		found, _ := filepath.Glob(pattern)
		for _, d := range found {
			if info, err := os.Stat(d); err == nil && info.IsDir() {
				dirs = append(dirs, d)
			}
		}
	}
	if len(dirs) < 10 {
		t.Fatalf("only %d fixture directories", len(dirs))
	}
	models := make([]*model.Model, len(dirs))
	for i, d := range dirs {
		models[i] = modelOfDir(t, d)
	}
	for i := range dirs {
		j := (i + 1) % len(dirs)
		old, new := models[i], models[j]
		t.Run(filepath.Base(dirs[i])+"→"+filepath.Base(dirs[j]), func(t *testing.T) {
			for _, l := range []Layer{LayerNetwork, LayerMesh, LayerEffective} {
				if d := Diff(old, old, l, Options{}); len(d) != 0 {
					t.Errorf("%s: a version differs from itself:\n%s", l, changeLines(d))
				}
			}
			for _, opts := range []Options{{}, {ShowImplied: true}} {
				got := Diff(old, new, LayerMesh, opts)
				d := &differ{old: Network(old), new: Network(new)}
				d.listings(Mesh(old).Listing(opts), Mesh(new).Listing(opts))
				if g, w := changeLines(got), changeLines(d.out); g != w {
					t.Errorf("show-implied %v: per destination\n%s\nwhole listings\n%s", opts.ShowImplied, g, w)
				}
			}
		})
	}
}

// Outside ranges are cut at the ranges of both versions and joined where
// the pair of connections is the same, as netpol-analyzer's diff prints
// them.
func TestMergeRuns(t *testing.T) {
	rc := func(first, last uint32, conn string) rangeConn {
		return rangeConn{r: IPRange{first, last}, conn: conn}
	}
	tests := []struct {
		name     string
		old, new []rangeConn
		want     string
	}{
		{"narrowed range", []rangeConn{rc(0, 99, "A")}, []rangeConn{rc(0, 49, "A")}, "50-99 A/-"},
		{"pieces of one side joined", nil, []rangeConn{rc(0, 49, "A"), rc(50, 99, "A")}, "0-99 -/A"},
		{"a gap keeps runs apart", nil, []rangeConn{rc(0, 9, "A"), rc(20, 29, "A")}, "0-9 -/A,20-29 -/A"},
		{"unchanged middle", []rangeConn{rc(0, 99, "A")}, []rangeConn{rc(0, 9, "B"), rc(10, 89, "A"), rc(90, 99, "B")}, "0-9 A/B,90-99 A/B"},
		{"the same", []rangeConn{rc(0, 99, "A")}, []rangeConn{rc(0, 49, "A"), rc(50, 99, "A")}, ""},
		{"whole space", []rangeConn{rc(0, ^uint32(0), "A")}, nil, "0-4294967295 A/-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts []string
			for _, r := range mergeRuns(tt.old, tt.new) {
				side := func(c *rangeConn) string {
					if c == nil {
						return "-"
					}
					return c.conn
				}
				parts = append(parts, strings.Join([]string{strconv.FormatUint(uint64(r.r.First), 10) + "-" + strconv.FormatUint(uint64(r.r.Last), 10), side(r.old) + "/" + side(r.new)}, " "))
			}
			if got := strings.Join(parts, ","); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
