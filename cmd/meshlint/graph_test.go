package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGraphCommand(t *testing.T) {
	const policy = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
`
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // lines that must be there, in order
		absent []string
		stderr string
	}{
		{
			name:   "connlist",
			args:   []string{"graph", "--layer", "network", "-"},
			stdout: []string{"0.0.0.0-255.255.255.255[External] => shop/web[Pod] : All Connections", "shop/web[Pod] => shop/db[Pod] : TCP 5432"},
			absent: []string{"kube-dns"},
		},
		{
			name:   "show implied",
			args:   []string{"graph", "--layer", "network", "--show-implied", "-"},
			stdout: []string{"shop/web[Pod] => kube-system/kube-dns[Deployment] : All Connections"},
		},
		{
			name:   "focus",
			args:   []string{"graph", "--layer", "network", "--focus", "shop/db", "-"},
			stdout: []string{"shop/web[Pod] => shop/db[Pod] : TCP 5432"},
			absent: []string{"External"},
		},
		{
			name:   "json",
			args:   []string{"graph", "--layer", "network", "--format", "json", "-"},
			stdout: []string{`"layer": "network"`, `"conn": "TCP 5432"`},
		},
		{
			name:   "dot",
			args:   []string{"graph", "--layer", "network", "-f", "dot", "-"},
			stdout: []string{`subgraph cluster_0 {`, `"shop/web[Pod]" -> "shop/db[Pod]" [label="TCP 5432"]`},
		},
		{
			name:   "mermaid",
			args:   []string{"graph", "--layer", "network", "--format", "mermaid", "-"},
			stdout: []string{"flowchart LR", `-->|"TCP 5432"|`},
		},
		{
			// Nothing is in the mesh: the mesh layer lets everything through.
			name:   "mesh layer outside the mesh",
			args:   []string{"graph", "--layer", "mesh", "-"},
			stdout: []string{"shop/db[Pod] => shop/web[Pod] : All Connections", "shop/web[Pod] => shop/db[Pod] : All Connections"},
		},
		{
			name:   "effective is the default layer",
			args:   []string{"graph", "-"},
			stdout: []string{"shop/web[Pod] => shop/db[Pod] : TCP 5432"},
		},
		{name: "unknown layer", args: []string{"graph", "--layer", "l7", "-"}, code: 2, stderr: "unknown layer"},
		{name: "unknown format", args: []string{"graph", "--layer", "network", "--format", "svg", "-"}, code: 2, stderr: "unknown format"},
		{name: "unknown focus", args: []string{"graph", "--layer", "network", "--focus", "nosuch", "-"}, code: 2, stderr: `no such workload "nosuch"`},
		{name: "no path", args: []string{"graph", "--layer", "network"}, code: 2, stderr: "no PATH"},
		{name: "missing path", args: []string{"graph", "--layer", "network", "no/such/dir"}, code: 2, stderr: "no such file"},
		{name: "bad flag", args: []string{"graph", "--no-such-flag", "-"}, code: 2, stderr: "no-such-flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, policy, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.stderr)
			}
			rest := out
			for _, want := range tc.stdout {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", want, out)
				}
				rest = rest[i+len(want):]
			}
			for _, no := range tc.absent {
				if strings.Contains(out, no) {
					t.Errorf("stdout holds %q:\n%s", no, out)
				}
			}
		})
	}
}

// In the mesh and effective layers, traffic allowed only for some requests
// carries its condition: in brackets in the connlist, split out in JSON.
func TestGraphL7(t *testing.T) {
	const in = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {serviceAccountName: web, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: c, image: x, ports: [{name: grpc, containerPort: 7070}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]
    to: [{operation: {ports: ["7070"], methods: ["POST"], paths: ["/cart.Cart/Add"]}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cart, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cart}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 7070}]
`
	code, out, errOut := runMeshlint(t, in, "graph", "--layer", "effective", "--focus", "shop/cart", "-")
	want := "shop/web[Pod] => shop/cart[Pod] : TCP 7070 [methods=POST paths=/cart.Cart/Add]\n"
	if code != 0 || !strings.Contains(out, want) || strings.Contains(out, "[External] => shop/cart") {
		t.Errorf("exit %d, effective layer:\n%s%s\nwant\n%s", code, out, errOut, want)
	}
	_, out, _ = runMeshlint(t, in, "graph", "--layer", "mesh", "--format", "json", "--focus", "shop/cart", "-")
	for _, frag := range []string{`"layer": "mesh"`, `"ports": "TCP 7070"`, `"methods": [`, `"POST"`, `"paths": [`, `"/cart.Cart/Add"`} {
		if !strings.Contains(out, frag) {
			t.Errorf("mesh JSON lacks %s:\n%s", frag, out)
		}
	}
	// cart's own identity is not allowed: no TCP edge from cart to itself
	// is listed, and nothing from outside the mesh gets TCP through.
	_, out, _ = runMeshlint(t, in, "graph", "--layer", "mesh", "--focus", "shop/cart", "-")
	if strings.Contains(out, "[External] => shop/cart") {
		t.Errorf("the mesh admits plaintext TCP it should refuse:\n%s", out)
	}
}

// The graphs in docs/ must be what the command prints today
// (go test ./cmd/meshlint -run GraphDocs -update).
func TestGraphDocs(t *testing.T) {
	tests := []struct {
		doc, layer, scenario string
		// marker, when set, is the text the block follows (a file with
		// several graphs).
		marker string
	}{
		{"docs/graph-seed.md", "network", "seed", ""},
		{"docs/graph-bookinfo.md", "effective", "bookinfo", ""},
		{"README.md", "network", "seed", "<!-- graph: network seed -->"},
		{"README.md", "effective", "bookinfo", "<!-- graph: effective bookinfo -->"},
	}
	for _, tc := range tests {
		t.Run(tc.doc+" "+tc.layer, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", "graph", "--layer", tc.layer, "--format", "mermaid", "testdata/manifests/"+tc.scenario)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			path := filepath.FromSlash(tc.doc) // runMeshlint runs at the repository root
			doc, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			from := 0
			if tc.marker != "" {
				if from = strings.Index(string(doc), tc.marker); from < 0 {
					t.Fatalf("%s lacks %s", path, tc.marker)
				}
			}
			const open, closing = "```mermaid\n", "```\n"
			start := strings.Index(string(doc)[from:], open)
			if start < 0 {
				t.Fatalf("%s has no mermaid block", path)
			}
			start += from
			end := strings.Index(string(doc)[start+len(open):], closing)
			if end < 0 {
				t.Fatalf("%s has no mermaid block", path)
			}
			block := string(doc)[start+len(open) : start+len(open)+end]
			if *update {
				updated := string(doc)[:start+len(open)] + out + string(doc)[start+len(open)+end:]
				if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if block != out {
				t.Errorf("%s is stale; run go test ./cmd/meshlint -run GraphDocs -update\n--- got\n%s--- doc\n%s", path, out, block)
			}
		})
	}
}

// TestFocusDidYouMean: --focus with a name no workload has suggests the
// closest names, as why does.
func TestFocusDidYouMean(t *testing.T) {
	for _, tc := range []struct{ focus, want string }{
		{"marketing/campaign", "(did you mean marketing/campaigns[Deployment]?)"},
		{"campains", "did you mean marketing/campaigns[Deployment]"},
		{"zzzzzzzzzzzzzz", `no such workload "zzzzzzzzzzzzzz"`},
	} {
		code, _, errOut := runMeshlint(t, "", "graph", "--focus", tc.focus, "testdata/manifests/egress-modes")
		if code != 2 || !strings.Contains(errOut, "--focus: ") || !strings.Contains(errOut, tc.want) {
			t.Errorf("--focus %s: exit %d, %q; want 2 and %q", tc.focus, code, errOut, tc.want)
		}
	}
}
