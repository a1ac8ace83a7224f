package explain

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// loadScenario builds the model of each environment of a scenario.
func loadScenario(t *testing.T, dir string) []*model.Model {
	t.Helper()
	res, err := lint.Build(lint.Options{Paths: []string{dir}, Settings: model.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Model
	for _, e := range res.Environments {
		out = append(out, e.Model)
	}
	return out
}

func scenarios(t *testing.T) []string {
	all, err := filepath.Glob("../testdata/manifests/*")
	var dirs []string
	for _, d := range all {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			dirs = append(dirs, d)
		}
	}
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	return dirs
}

// layerVerdict is what a graph connection says of one port.
func layerVerdict(v connectivity.Verdict, p Port) Verdict {
	if v.Ports.Contains(p.Protocol, p.sample()) {
		return Allowed
	}
	for _, c := range v.L7 {
		if c.Ports.Contains(p.Protocol, p.sample()) {
			return Conditional
		}
	}
	return Denied
}

// Every answer's verdicts are the graph's: for every pair of every
// scenario and every port the pair names, each layer of `why` says what
// `graph` lists.
func TestVerdictsAgreeWithGraph(t *testing.T) {
	for _, dir := range scenarios(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			for _, m := range loadScenario(t, dir) {
				verdictsAgreeWithGraph(t, m)
			}
		})
	}
}

func verdictsAgreeWithGraph(t *testing.T, m *model.Model) {
	t.Helper()
	{
		{
			g := connectivity.Network(m)
			ml := connectivity.Mesh(m)
			listings := map[connectivity.Layer]map[[2]*connectivity.Node]connectivity.Verdict{}
			for layer, l := range map[connectivity.Layer]*connectivity.Listing{
				connectivity.LayerNetwork:   g.Listing(connectivity.Options{}),
				connectivity.LayerMesh:      ml.Listing(connectivity.Options{}),
				connectivity.LayerEffective: ml.Effective(connectivity.Options{}),
			} {
				listings[layer] = map[[2]*connectivity.Node]connectivity.Verdict{}
				for _, c := range l.Connections {
					listings[layer][[2]*connectivity.Node{c.Src, c.Dst}] = connectivity.Verdict{Ports: c.Ports, L7: c.L7}
				}
			}
			pairs := 0
			for _, s := range g.Nodes() {
				for _, d := range g.Nodes() {
					host := d.Host != ""
					if s == d || s.Implied || d.Implied || (s.External && d.External) || !g.SourceEndpoint(s) || (!g.DestinationEndpoint(d) && !host) {
						continue
					}
					if len(s.Workloads) > 1 || len(d.Workloads) > 1 {
						continue // the graph joins several templates; why reads one
					}
					src, dst := endpointOf(s), endpointOf(d)
					a := Why(m, src, dst, Options{})
					pairs++
					for _, pa := range a.Ports {
						for _, la := range pa.Layers {
							pair := [2]*connectivity.Node{s, d}
							want := layerVerdict(listings[la.Layer][pair], pa.Port)
							if host && la.Layer == connectivity.LayerNetwork {
								// No network listing names a host: it is
								// open where a range it may resolve to is.
								ranges, _ := g.HostRanges(d)
								want = Denied
								for _, r := range ranges {
									if layerVerdict(listings[la.Layer][[2]*connectivity.Node{s, r}], pa.Port) == Allowed {
										want = Allowed
									}
								}
							}
							if la.Layer == connectivity.LayerMesh {
								if d.External && !ml.OutsideDecided() {
									want = Allowed // the mesh leaves outside destinations to the network
								} else if _, listed := listings[la.Layer][pair]; !listed && pa.Port.Protocol == connectivity.TCP {
									// The mesh listing leaves out pairs it refuses all TCP.
									want = Denied
								} else if !listed {
									want = Allowed
								}
							}
							if la.Verdict != want {
								t.Errorf("%s => %s %s: %s says %s, graph %s", s.ID, d.ID, pa.Port, la.Layer, la.Verdict, want)
							}
							if len(la.Reasons) == 0 {
								t.Errorf("%s => %s %s: %s gives no reason", s.ID, d.ID, pa.Port, la.Layer)
							}
							for _, r := range la.Reasons {
								if strings.Contains(r.Message, slotMarker) {
									t.Errorf("unfilled slot in %q", r.Message)
								}
							}
						}
					}
				}
			}
			if pairs == 0 {
				t.Fatal("no pair checked")
			}
		}
	}
}

func endpointOf(n *connectivity.Node) *Endpoint {
	if n.External {
		return &Endpoint{Node: n}
	}
	return &Endpoint{Node: n, Workload: n.Workloads[0]}
}

func TestResolve(t *testing.T) {
	g := connectivity.Network(loadScenario(t, "../testdata/manifests/seed")[0])
	tests := []struct {
		name    string
		source  bool
		want    string // the endpoint's name, or a piece of the error
		wantErr bool
	}{
		{"backend/backend[Deployment]", false, "backend/backend[Deployment]", false},
		{"backend/backend", false, "backend/backend[Deployment]", false},
		{"reporting", true, "analytics/reporting[Deployment]", false},
		{"10.1.2.3", true, "10.1.2.3 (in 0.0.0.0-255.255.255.255[External])", false},
		{"external", true, "0.0.0.0-255.255.255.255[External]", false},
		{"frontend/frontnd", true, "did you mean frontend/frontend[Deployment]?", true},
		{"nothing-like-it", true, `no such workload "nothing-like-it" (give`, true},
		{"::1", true, "only IPv4", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Resolve(g, tc.name, tc.source)
			switch {
			case tc.wantErr && err == nil:
				t.Fatalf("resolved to %s, want an error", e.Name())
			case tc.wantErr && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q, want it to hold %q", err, tc.want)
			case !tc.wantErr && err != nil:
				t.Fatal(err)
			case !tc.wantErr && e.Name() != tc.want:
				t.Fatalf("resolved to %s, want %s", e.Name(), tc.want)
			}
		})
	}
}

// ServiceEntry hosts resolve as destinations, by HOST[ServiceEntry] or the
// host alone, and never as sources.
func TestResolveHost(t *testing.T) {
	g := connectivity.Network(loadScenario(t, "../testdata/manifests/egress-modes")[0])
	for _, name := range []string{"api.stripe.com[ServiceEntry]", "api.stripe.com"} {
		e, err := Resolve(g, name, false)
		if err != nil || e.Name() != "api.stripe.com[ServiceEntry]" || e.Workload != nil {
			t.Errorf("%s: %v, %v", name, e, err)
		}
	}
	if _, err := Resolve(g, "api.stripe.com", true); err == nil || !strings.Contains(err.Error(), "never a source") {
		t.Errorf("a host as source: %v", err)
	}
	// Address ranges by the names graph prints them with, both ways.
	for _, tc := range []struct {
		name    string
		source  bool
		wantErr string
	}{
		{"198.51.100.0-198.51.100.255[External]", false, ""},
		{"0.0.0.0-198.51.99.255[External]", false, ""},
		{"0.0.0.0-255.255.255.255[External]", true, ""},
		{"198.51.100.0-198.51.100.254[External]", false, "is in 198.51.100.0-198.51.100.255[External]"},
		{"10.0.0.0-10.0.0.9[External]", false, "is no address range of the graph"},
	} {
		e, err := Resolve(g, tc.name, tc.source)
		switch {
		case tc.wantErr == "" && (err != nil || e.Name() != tc.name || e.Workload != nil):
			t.Errorf("%s: %v, %v", tc.name, e, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	if _, err := Resolve(g, "db.partner.exampl", false); err == nil || !strings.Contains(err.Error(), "did you mean db.partner.example[ServiceEntry]?") {
		t.Errorf("a misspelt host: %v", err)
	}
}

func TestAmbiguousName(t *testing.T) {
	dir := t.TempDir()
	manifests := `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: b}
`
	if err := os.WriteFile(filepath.Join(dir, "pods.yaml"), []byte(manifests), 0o644); err != nil {
		t.Fatal(err)
	}
	g := connectivity.Network(loadScenario(t, dir)[0])
	_, err := Resolve(g, "api", true)
	if err == nil || !strings.Contains(err.Error(), "a/api[Pod], b/api[Pod]") {
		t.Fatalf("error %v, want both namespaces named", err)
	}
}

func TestParsePortAndDestination(t *testing.T) {
	tests := []struct {
		in       string
		name     string
		port     string // "" when none
		errorful bool
	}{
		{"shop/cart", "shop/cart", "", false},
		{"shop/cart:7070", "shop/cart", "TCP 7070", false},
		{"shop/cart[Deployment]:53/udp", "shop/cart[Deployment]", "UDP 53", false},
		{"10.0.0.1:443/SCTP", "10.0.0.1", "SCTP 443", false},
		{"shop/cart:0", "", "", true},
		{"shop/cart:80/icmp", "", "", true},
	}
	for _, tc := range tests {
		name, port, err := SplitDestination(tc.in)
		if tc.errorful {
			if err == nil {
				t.Errorf("%s: no error", tc.in)
			}
			continue
		}
		got := ""
		if port != nil {
			got = port.String()
		}
		if err != nil || name != tc.name || got != tc.port {
			t.Errorf("%s: %q %q %v, want %q %q", tc.in, name, got, err, tc.name, tc.port)
		}
	}
}

func TestNamesFill(t *testing.T) {
	n := Names{"src": "a/x[Pod]", "dst": "b/y[Pod]"}
	tests := map[string]string{
		"plain":                             "plain",
		SlotSrc + " => " + SlotDst:          "a/x[Pod] => b/y[Pod]",
		"id " + SlotSrcID:                   "id ?",
		"broken \x1fsrc":                    "broken \x1fsrc",
		SlotDst + SlotDst + " " + SlotSrcNS: "b/y[Pod]b/y[Pod] ?",
	}
	for in, want := range tests {
		if got := n.Fill(in); got != want {
			t.Errorf("Fill(%q) = %q, want %q", in, got, want)
		}
	}
}

// Key stands for the text of a mesh answer: toward one destination and
// port, sources with equal keys get the same explanation (the HTML report
// writes it once). Checked on every pair and port of every scenario, of
// the mesh fixtures and of testdata/key.yaml, whose sources differ in what
// their rules miss alone.
func TestKeyDecidesText(t *testing.T) {
	dirs := append(scenarios(t), "testdata/key.yaml")
	fixtures, _ := filepath.Glob("../mesh/testdata/*.yaml")
	checked := 0
	for _, dir := range append(dirs, fixtures...) {
		for _, m := range loadScenario(t, dir) {
			ml := connectivity.Mesh(m)
			e := ml.Evaluator()
			for _, dst := range m.Workloads {
				ports := []Port{{Protocol: connectivity.TCP}}
				for _, p := range ml.Breakpoints(dst) {
					ports = append(ports, Port{Protocol: connectivity.TCP, Number: p})
				}
				for _, port := range ports {
					texts := map[string]string{}
					for _, w := range m.Workloads {
						src := mesh.Source{Workload: w}
						traces := TraceMesh(m, e, src, dst, port)
						var b strings.Builder
						for _, r := range MeshAnswerFrom(traces, src, dst, port).Reasons {
							loc := fmt.Sprint(r.Location)
							if r.LocationSlot != "" {
								loc = r.LocationSlot // as shared explanations give it
							}
							b.WriteString(r.Message + "@" + loc + "\n")
						}
						key := traces.Key(src)
						checked++
						if prev, ok := texts[key]; ok && prev != b.String() {
							t.Errorf("%s: %s -> %s %s: equal keys, different answers:\n%s\nand\n%s", dir, w.ID(), dst.ID(), port, prev, b.String())
						}
						texts[key] = b.String()
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}
