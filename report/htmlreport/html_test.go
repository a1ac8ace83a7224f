package htmlreport

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/explain"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// packageDir is the directory of the package's tests, found before any
// test moves.
var packageDir = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return wd
}()

func repoRoot(*testing.T) string { return filepath.Join(packageDir, "..", "..") }

// lintScenario lints a scenario from the repository root, so that file
// names are the ones users see and the YAML around findings is readable.
func lintScenario(t *testing.T, scenario string) *report.Run {
	t.Helper()
	t.Chdir(repoRoot(t))
	res, err := lint.Run(lint.Options{Paths: []string{scenario}, Settings: model.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	run := &report.Run{ToolVersion: "test", Findings: res.Findings, Rules: res.Rules, Objects: len(res.Loaded.Objects),
		Files: res.Loaded.Files, Paths: []string{scenario}, HelpBase: "https://example.invalid/rules/"}
	for _, e := range res.Environments {
		run.Models = append(run.Models, e.Model)
		if res.Several() {
			run.Environments = append(run.Environments, e.Name)
		}
	}
	return run
}

// writeLintReport writes the HTML report of a scenario to out.
func writeLintReport(t *testing.T, out, scenario string) string {
	t.Helper()
	run := lintScenario(t, scenario)
	var buf bytes.Buffer
	if err := WriteReport(&buf, run); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

var dataElement = regexp.MustCompile(`<script type="application/octet-stream" id="meshlint-data" data-encoding="gzip\+base64">([^<]*)</script>`)

// decodePage returns the data a page embeds.
func decodePage(t *testing.T, page []byte) pageData {
	t.Helper()
	m := dataElement.FindSubmatch(page)
	if m == nil {
		t.Fatal("no data element")
	}
	gz, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	var d pageData
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func scenarioDirs(t *testing.T) []string {
	all, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "manifests", "*"))
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

// Every scenario's report is one file that fetches nothing, under 2 MB.
func TestScenarioPagesAreSelfContained(t *testing.T) {
	for _, dir := range scenarioDirs(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			run := lintScenario(t, "testdata/manifests/"+name)
			var buf bytes.Buffer
			if err := WriteReport(&buf, run); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			if buf.Len() > 2<<20 {
				t.Errorf("%d bytes, over 2 MB", buf.Len())
			}
			for _, bad := range []string{"<link", " src=", "@import", "url(", "fetch(", "XMLHttpRequest", "http://"} {
				if strings.Contains(page, bad) {
					t.Errorf("the page holds %q: it must fetch nothing", bad)
				}
			}
			if !strings.Contains(page, "default-src 'none'") {
				t.Error("no Content-Security-Policy forbidding fetches")
			}
			d := decodePage(t, buf.Bytes())
			if len(d.Snapshots) != len(run.Models) || len(d.Findings.Rows) != len(run.Findings) {
				t.Errorf("%d snapshots and %d findings, want %d and %d", len(d.Snapshots), len(d.Findings.Rows), len(run.Models), len(run.Findings))
			}
		})
	}
}

// pairExplanation resolves a pair's explanation from a snapshot's tables
// as the page's script does (pick, then fill the slots).
func pairExplanation(s *Snapshot, src, dst string) (network, mesh []string) {
	index := map[string]int{}
	for i, n := range s.Nodes {
		index[n[0].(string)] = i
	}
	i, j := index[src], index[dst]
	names := explain.Names{"src": src, "dst": dst, "srcns": s.Nodes[i][1].(string), "dstns": s.Nodes[j][1].(string),
		"srcid": s.Nodes[i][2].(string), "srcnsl": s.NamespaceLabels[s.Nodes[i][1].(string)], "dstnsl": s.NamespaceLabels[s.Nodes[j][1].(string)]}
	if sc, ok := s.Sidecars[i]; ok {
		names["srcsc"], names[explain.SlotSrcSCEgress], names[explain.SlotSrcSCOutbound] = sc[0], sc[1], sc[2]
	}
	lines := func(t *sideTable, other int, meshed bool) []string {
		if t == nil {
			return nil
		}
		b := lookup(t, other, meshed)
		var out []string
		if b < 0 {
			return out
		}
		for _, l := range s.Blocks[b] {
			line := s.Lines[l]
			text := strings.Repeat("  ", line[0].(int)) + names.Fill(line[2].(string))
			if loc := line[1].(string); loc != "" {
				text = strings.Repeat("  ", line[0].(int)) + names.Fill(loc) + ": " + names.Fill(line[2].(string))
			}
			out = append(out, text)
		}
		return out
	}
	network = append(lines(s.Egress[i], j, false), lines(s.Ingress[j], i, false)...)
	mesh = lines(s.Mesh[j], i, s.Nodes[i][3].(int)&flagMeshed != 0)
	return network, mesh
}

// The explanations a page shows for the article's pairs, resolved from its
// tables: the network part names the same objects as `meshlint why`.
func TestPairExplanations(t *testing.T) {
	tests := []struct {
		scenario, src, dst string
		network, mesh      []string // pieces the lines must hold
	}{
		{"seed", "frontend/frontend[Deployment]", "backend/backend[Deployment]",
			[]string{"testdata/manifests/seed/article/article.yaml:38:11: from[0]: namespaceSelector {istio-injection=enabled} does not match namespace frontend (labels {istio.io/rev=default,kubernetes.io/metadata.name=frontend})"},
			[]string{"frontend/frontend[Deployment] presents its mesh identity cluster.local/ns/frontend/sa/default", "as its author meant it, frontend/frontend[Deployment] would be allowed"}},
		{"seed", "analytics/reporting[Deployment]", "backend/backend[Deployment]",
			[]string{"article.yaml:38:11: spec.ingress[0] takes in analytics/reporting[Deployment] on every port through from[0]"},
			[]string{"as its author meant it, analytics/reporting[Deployment] would be denied"}},
		{"blocked-allow", "shop/web[Deployment]", "shop/cart[Deployment]",
			[]string{"shop.yaml:108:3: NetworkPolicy shop/cart isolates it", "podSelector {app=gateway} does not match the labels of shop/web[Deployment]"},
			[]string{"TCP 7070: allowed for requests with methods=POST", "spec.rules[1] does not match shop/web[Deployment]"}},
		{"blocked-allow", "shop/gateway[Deployment]", "shop/cart[Deployment]",
			[]string{"spec.ingress[0] takes in shop/gateway[Deployment] on TCP 7070 through from[0], podSelector {app=gateway}"},
			[]string{"TCP 7070: allowed", "spec.rules[1] matches every request of shop/gateway[Deployment]"}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario+"/"+tc.src, func(t *testing.T) {
			run := lintScenario(t, "testdata/manifests/"+tc.scenario)
			s := BuildSnapshot(run.Models[0], Options{})
			network, mesh := pairExplanation(s, tc.src, tc.dst)
			for _, c := range []struct {
				layer string
				lines []string
				want  []string
			}{{"network", network, tc.network}, {"mesh", mesh, tc.mesh}} {
				text := strings.Join(c.lines, "\n")
				for _, w := range c.want {
					if !strings.Contains(text, w) {
						t.Errorf("%s explanation lacks %q:\n%s", c.layer, w, text)
					}
				}
			}
		})
	}
}

// The data of the blocked-allow report is pinned whole: nodes, runs,
// explanations and findings.
func TestBlockedAllowDataGolden(t *testing.T) {
	run := lintScenario(t, "testdata/manifests/blocked-allow")
	var buf bytes.Buffer
	if err := WriteReport(&buf, run); err != nil {
		t.Fatal(err)
	}
	d := decodePage(t, buf.Bytes())
	got, err := json.MarshalIndent(d, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "blocked-allow.data.json", string(got)+"\n")
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(packageDir, "testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/htmlreport -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update and review the diff)", path)
	}
}

// The tables share one explanation between the pairs they judge alike;
// for every pair of every scenario, what they give is what explaining the
// pair alone gives.
func TestTablesExplainEveryPairAsAlone(t *testing.T) {
	for _, dir := range scenarioDirs(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			for _, m := range lintScenario(t, "testdata/manifests/"+name).Models {
				explainsEveryPairAsAlone(t, m)
			}
		})
	}
}

func explainsEveryPairAsAlone(t *testing.T, m *model.Model) {
	t.Helper()
	{
		{
			s := BuildSnapshot(m, Options{})
			g := connectivity.Network(m)
			ml := connectivity.Mesh(m)
			pm := explain.NewPeerMisses(g)
			text := func(b int) string {
				if b < 0 {
					return ""
				}
				var out []string
				for _, l := range s.Blocks[b] {
					out = append(out, fmt.Sprint(s.Lines[l]))
				}
				return strings.Join(out, "\n")
			}
			alone := func(rs []explain.Reason) string { return text(s.reasons(rs)) }
			for i, src := range s.nodes {
				for j, dst := range s.nodes {
					// The page says itself that the graph holds no pair of
					// two ends outside the cluster, nor one from a
					// ServiceEntry host; it explains the network toward a
					// host from the tables of its ranges.
					if i == j || src.Host != "" || (src.External && dst.External) || (src.External && !g.SourceEndpoint(src)) || (dst.External && dst.Host == "" && !g.DestinationEndpoint(dst)) {
						continue
					}
					for _, egress := range []bool{true, false} {
						if dst.Host != "" {
							continue
						}
						table, self, other := s.Egress[i], src, dst
						if !egress {
							table, self, other = s.Ingress[j], dst, src
						}
						got := -1
						if table != nil {
							got = lookup(table, s.index[other], false)
						}
						want := ""
						if f, ok := g.ExplainSide(src, dst, egress); ok && (self != other) {
							want = alone(explain.NetworkSide(pm, f, egress, other, nil))
						}
						if text(got) != want {
							t.Errorf("%s => %s, egress %v: the table gives\n%s\nalone:\n%s", src.ID, dst.ID, egress, text(got), want)
						}
					}
					if dst.External {
						var got, want string
						if s.Mesh[j] != nil {
							got = text(lookup(s.Mesh[j], i, false))
							want = text(s.outsideBlock(ml, src, dst))
						} else if ml.OutsideDecided() {
							t.Errorf("%s: no mesh table, though the mesh decides traffic leaving the cluster", dst.ID)
						}
						if got != want {
							t.Errorf("%s => %s, mesh: the table gives\n%s\nalone:\n%s", src.ID, dst.ID, got, want)
						}
						continue
					}
					var msrc mesh.Source
					if src.External {
						msrc = explain.RangeSource(src)
					} else {
						msrc = mesh.Source{Workload: src.Workloads[0]}
					}
					w := dst.Workloads[0]
					ports := meshPorts(ml.Breakpoints(w))
					got := text(lookup(s.Mesh[j], i, s.Nodes[i][3].(int)&flagMeshed != 0))
					want := text(s.meshBlock(m, ml.Evaluator(), msrc, w, ports, nil))
					if got != want {
						t.Errorf("%s => %s, mesh: the table gives\n%s\nalone:\n%s", src.ID, dst.ID, got, want)
					}
				}
			}
		}
	}
}

// lookup is the page script's pick: the variant that holds other, else
// the default.
func lookup(t *sideTable, other int, meshed bool) int {
	for _, v := range t.Variants {
		for k := 1; k < len(v); k += 2 {
			if other >= v[k] && other <= v[k+1] {
				return v[0]
			}
		}
	}
	if meshed && t.Meshed != nil {
		return *t.Meshed
	}
	return t.Default
}

// writeDiffReport writes the page of the change that fixes blocked-allow:
// cart's NetworkPolicy admits web.
func writeDiffReport(t *testing.T, out string) string {
	t.Helper()
	before := lintScenario(t, "testdata/manifests/blocked-allow")
	after := lintScenario(t, "report/htmlreport/testdata/blocked-allow-fixed")
	p := DiffPage(before.Models[0], after.Models[0], [2]string{"main", "fix-cart-netpol"}, after, Options{})
	var buf bytes.Buffer
	if err := Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// A diff page holds both snapshots, labelled, and what differs between
// them is there to mark: web to cart opens in the network layer.
func TestDiffPage(t *testing.T) {
	path := writeDiffReport(t, filepath.Join(t.TempDir(), "diff.html"))
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := decodePage(t, page)
	if !d.Diff || len(d.Snapshots) != 2 || d.Snapshots[0].Label != "main" || d.Snapshots[1].Label != "fix-cart-netpol" {
		t.Fatalf("diff %v, %d snapshots", d.Diff, len(d.Snapshots))
	}
	for _, want := range []string{`id="views" class="diff"`, "before: main", "after: fix-cart-netpol", "changed cells only"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	conn := func(s *Snapshot, layer connectivity.Layer, src, dst string) string {
		index := map[string]int{}
		for i, n := range s.Nodes {
			index[n[0].(string)] = i
		}
		runs := s.Layers[layer][index[src]]
		for k, end := 0, 0; k < len(runs); k += 3 {
			first := end + int(runs[k])
			if j := index[dst]; j >= first && j < first+int(runs[k+1]) {
				return s.Conns[runs[k+2]][0].(string)
			}
			end = first + int(runs[k+1])
		}
		return ""
	}
	before, after := d.Snapshots[0], d.Snapshots[1]
	web, cart := "shop/web[Deployment]", "shop/cart[Deployment]"
	if b, a := conn(before, connectivity.LayerNetwork, web, cart), conn(after, connectivity.LayerNetwork, web, cart); b != "" || a != "TCP 7070" {
		t.Errorf("web to cart, network: before %q, after %q; want nothing, then TCP 7070", b, a)
	}
	gw := "shop/gateway[Deployment]"
	if b, a := conn(before, connectivity.LayerNetwork, gw, cart), conn(after, connectivity.LayerNetwork, gw, cart); b != a {
		t.Errorf("gateway to cart changed: %q to %q", b, a)
	}
}
