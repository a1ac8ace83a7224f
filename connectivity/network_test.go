package connectivity

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

// modelOf builds a model from manifests given as one YAML stream.
func modelOf(t testing.TB, manifests string) *model.Model {
	t.Helper()
	res, err := loader.Load([]string{"-"}, loader.Options{Stdin: strings.NewReader(manifests)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("fixture does not load: %v", res.Problems)
	}
	return model.Build(res, model.Settings{})
}

func connlist(t testing.TB, g *Graph, opts Options) string {
	t.Helper()
	var b strings.Builder
	if err := WriteConnlist(&b, g.Listing(opts)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// pods writes one Pod per "ns/name key=value,key=value" line, with the
// named ports "name/protocol/port" after a "|".
func pods(lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		spec, ports, _ := strings.Cut(l, "|")
		fields := strings.Fields(spec)
		ns, name, _ := strings.Cut(fields[0], "/")
		b.WriteString("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n  labels: {")
		if len(fields) > 1 {
			for i, kv := range strings.Split(fields[1], ",") {
				k, v, _ := strings.Cut(kv, "=")
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(k + ": \"" + v + "\"") // label values are strings
			}
		}
		b.WriteString("}\nspec:\n  containers:\n  - name: c\n    image: x\n")
		if ports = strings.TrimSpace(ports); ports != "" {
			b.WriteString("    ports:\n")
			for _, p := range strings.Fields(ports) {
				parts := strings.Split(p, "/")
				b.WriteString("    - {name: " + parts[0] + ", protocol: " + parts[1] + ", containerPort: " + parts[2] + "}\n")
			}
		}
	}
	return b.String()
}

func namespace(name, labels string) string {
	return "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  labels: {" + labels + "}\n"
}

func netpol(ns, name, spec string) string {
	return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n" + indent(spec, "  ")
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = by + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

const all = "0.0.0.0-255.255.255.255[External]"

func TestNetworkSemantics(t *testing.T) {
	twoPods := namespace("a", "team: x") + pods("a/client app=client", "a/server app=server")
	tests := []struct {
		name      string
		manifests string
		want      []string // connlist lines; "ANY" stands for 0.0.0.0-255.255.255.255[External]
	}{
		{
			name:      "no policy: everything is open",
			manifests: twoPods,
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"ANY => a/server[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/client[Pod] => a/server[Pod] : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name:      "no policyTypes and no egress rules isolates ingress only",
			manifests: twoPods + netpol("a", "deny", "podSelector: {matchLabels: {app: server}}\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name:      "no policyTypes with egress rules isolates both",
			manifests: twoPods + netpol("a", "p", "podSelector: {matchLabels: {app: server}}\negress:\n- to: [{podSelector: {matchLabels: {app: client}}}]\n  ports: [{port: 53, protocol: UDP}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : UDP 53",
			},
		},
		{
			name:      "policyTypes Egress alone leaves ingress open",
			manifests: twoPods + netpol("a", "p", "podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"ANY => a/server[Pod] : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "policies selecting one pod add up",
			manifests: twoPods +
				netpol("a", "one", "podSelector: {matchLabels: {app: server}}\ningress:\n- from: [{podSelector: {matchLabels: {app: client}}}]\n  ports: [{port: 8080}]\n") +
				netpol("a", "two", "podSelector: {}\ningress:\n- from: [{podSelector: {matchLabels: {app: client}}}]\n  ports: [{port: 8081}, {port: 9090, protocol: UDP}, {port: 7070, protocol: SCTP}]\n"),
			want: []string{
				"a/client[Pod] => ANY : All Connections",
				"a/client[Pod] => a/server[Pod] : SCTP 7070,TCP 8080-8081,UDP 9090",
				"a/server[Pod] => ANY : All Connections",
			},
		},
		{
			name: "the source's egress and the destination's ingress must both allow",
			manifests: twoPods +
				netpol("a", "in", "podSelector: {matchLabels: {app: server}}\ningress:\n- ports: [{port: 8000, endPort: 8100}]\n") +
				netpol("a", "out", "podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\negress:\n- to: [{podSelector: {}}]\n  ports: [{port: 8050, endPort: 9000}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"ANY => a/server[Pod] : TCP 8000-8100",
				"a/client[Pod] => a/server[Pod] : TCP 8050-8100",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name:      "ingress: [] admits nothing",
			manifests: twoPods + netpol("a", "p", "podSelector: {matchLabels: {app: server}}\ningress: []\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name:      "ingress: [{}] admits everything",
			manifests: twoPods + netpol("a", "p", "podSelector: {matchLabels: {app: server}}\ningress: [{}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"ANY => a/server[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/client[Pod] => a/server[Pod] : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name:      "from: [] is every source, on the rule's ports",
			manifests: twoPods + netpol("a", "p", "podSelector: {matchLabels: {app: server}}\ningress:\n- from: []\n  ports: [{protocol: UDP}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"ANY => a/server[Pod] : UDP 1-65535",
				"a/client[Pod] => ANY : All Connections",
				"a/client[Pod] => a/server[Pod] : UDP 1-65535",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "namespaceSelector and podSelector in one peer are ANDed, in two peers ORed",
			manifests: namespace("a", "team: x") + namespace("b", "team: y") +
				pods("a/server app=server", "a/web app=web", "b/web app=web", "b/db app=db") +
				netpol("a", "and", "podSelector: {matchLabels: {app: server}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {team: y}}\n    podSelector: {matchLabels: {app: web}}\n  ports: [{port: 1}]\n") +
				netpol("a", "or", "podSelector: {matchLabels: {app: server}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {team: y}}\n  - podSelector: {matchLabels: {app: web}}\n  ports: [{port: 2}]\n"),
			want: []string{
				"ANY => a/web[Pod] : All Connections",
				"ANY => b/db[Pod] : All Connections",
				"ANY => b/web[Pod] : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/web[Pod] : All Connections",
				"a/server[Pod] => b/db[Pod] : All Connections",
				"a/server[Pod] => b/web[Pod] : All Connections",
				"a/web[Pod] => ANY : All Connections",
				"a/web[Pod] => a/server[Pod] : TCP 2",
				"a/web[Pod] => b/db[Pod] : All Connections",
				"a/web[Pod] => b/web[Pod] : All Connections",
				"b/db[Pod] => ANY : All Connections",
				"b/db[Pod] => a/server[Pod] : TCP 2",
				"b/db[Pod] => a/web[Pod] : All Connections",
				"b/db[Pod] => b/web[Pod] : All Connections",
				"b/web[Pod] => ANY : All Connections",
				"b/web[Pod] => a/server[Pod] : TCP 1-2",
				"b/web[Pod] => a/web[Pod] : All Connections",
				"b/web[Pod] => b/db[Pod] : All Connections",
			},
		},
		{
			name: "an empty namespaceSelector is every namespace, an empty podSelector every pod of the policy's",
			manifests: namespace("a", "") + namespace("b", "") + pods("a/server app=server", "a/x app=x", "b/y app=y") +
				netpol("a", "p", "podSelector: {matchLabels: {app: server}}\npolicyTypes: [Ingress, Egress]\ningress:\n- from: [{podSelector: {}}]\negress:\n- to: [{namespaceSelector: {}}]\n  ports: [{port: 443}]\n"),
			want: []string{
				"ANY => a/x[Pod] : All Connections",
				"ANY => b/y[Pod] : All Connections",
				"a/server[Pod] => a/x[Pod] : TCP 443",
				"a/server[Pod] => b/y[Pod] : TCP 443",
				"a/x[Pod] => ANY : All Connections",
				"a/x[Pod] => a/server[Pod] : All Connections",
				"a/x[Pod] => b/y[Pod] : All Connections",
				"b/y[Pod] => ANY : All Connections",
				"b/y[Pod] => a/x[Pod] : All Connections",
			},
		},
		{
			name: "ipBlock with except cuts the address space; pods are never matched by ipBlock",
			manifests: twoPods +
				netpol("a", "p", "podSelector: {matchLabels: {app: server}}\npolicyTypes: [Ingress, Egress]\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\negress:\n- to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n  ports: [{port: 443}]\n"),
			want: []string{
				"0.0.0.0-9.255.255.255[External] => a/client[Pod] : All Connections",
				"10.0.0.0-10.0.255.255[External] => a/client[Pod] : All Connections",
				"10.0.0.0-10.0.255.255[External] => a/server[Pod] : All Connections",
				"10.1.0.0-10.1.255.255[External] => a/client[Pod] : All Connections",
				"10.2.0.0-10.255.255.255[External] => a/client[Pod] : All Connections",
				"10.2.0.0-10.255.255.255[External] => a/server[Pod] : All Connections",
				"11.0.0.0-255.255.255.255[External] => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/server[Pod] => ANY : TCP 443",
			},
		},
		{
			name: "an IPv6 block matches no IPv4 range",
			manifests: twoPods +
				netpol("a", "p", "podSelector: {matchLabels: {app: server}}\ningress:\n- from: [{ipBlock: {cidr: \"::/0\"}}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "named ports resolve against the destination by name and protocol",
			manifests: namespace("a", "") + pods("a/client app=client", "a/web app=srv,v=1|http/TCP/8080 dns/UDP/5353", "a/api app=srv,v=2|http/TCP/9090 dns/TCP/5353") +
				netpol("a", "p", "podSelector: {matchLabels: {app: srv}}\ningress:\n- from: [{podSelector: {matchLabels: {app: client}}}]\n  ports: [{port: http}, {port: dns, protocol: UDP}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"a/api[Pod] => ANY : All Connections",
				"a/api[Pod] => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				// api declares dns on TCP only: the rule's UDP dns misses it.
				"a/client[Pod] => a/api[Pod] : TCP 9090",
				"a/client[Pod] => a/web[Pod] : TCP 8080,UDP 5353",
				"a/web[Pod] => ANY : All Connections",
				"a/web[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "a named egress port never matches an external range",
			manifests: twoPods +
				netpol("a", "p", "podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\negress:\n- ports: [{port: http}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"ANY => a/server[Pod] : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "a rule whose every port is invalid admits no port",
			manifests: twoPods +
				netpol("a", "p", "podSelector: {matchLabels: {app: server}}\ningress:\n- ports: [{port: 90, endPort: 80}]\n"),
			want: []string{
				"ANY => a/client[Pod] : All Connections",
				"a/client[Pod] => ANY : All Connections",
				"a/server[Pod] => ANY : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "workloads alike are one class but still distinct nodes",
			manifests: namespace("a", "") + pods("a/one app=same", "a/two app=same") +
				netpol("a", "p", "podSelector: {}\ningress:\n- from: [{podSelector: {matchLabels: {app: same}}}]\n  ports: [{port: 80}]\n"),
			want: []string{
				"a/one[Pod] => ANY : All Connections",
				"a/one[Pod] => a/two[Pod] : TCP 80",
				"a/two[Pod] => ANY : All Connections",
				"a/two[Pod] => a/one[Pod] : TCP 80",
			},
		},
		{
			name: "the pods of one owner are one node, with the traffic of any of them",
			manifests: namespace("a", "") + pods("a/client app=client") +
				"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: rs-1\n  namespace: a\n  labels: {app: rs, canary: \"true\"}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, controller: true, uid: u}]\nspec: {containers: [{name: c, image: x}]}\n" +
				"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: rs-2\n  namespace: a\n  labels: {app: rs}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, controller: true, uid: u}]\nspec: {containers: [{name: c, image: x}]}\n" +
				netpol("a", "p", "podSelector: {}\ningress:\n- from: [{podSelector: {matchLabels: {app: client}}}]\n  ports: [{port: 80}]\n- from: [{podSelector: {matchLabels: {canary: \"true\"}}}]\n  ports: [{port: 81}]\n"),
			want: []string{
				"a/client[Pod] => ANY : All Connections",
				"a/client[Pod] => a/rs[ReplicaSet] : TCP 80",
				"a/rs[ReplicaSet] => ANY : All Connections",
				"a/rs[ReplicaSet] => a/client[Pod] : TCP 81",
			},
		},
		{
			name: "a static pod's Node owner does not merge it with others",
			manifests: namespace("kube-system", "") +
				"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd-n1\n  namespace: kube-system\n  labels: {component: etcd}\n  ownerReferences: [{apiVersion: v1, kind: Node, name: n1, controller: true, uid: u}]\nspec: {containers: [{name: c, image: x}]}\n" +
				"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: apiserver-n1\n  namespace: kube-system\n  labels: {component: apiserver}\n  ownerReferences: [{apiVersion: v1, kind: Node, name: n1, controller: true, uid: u}]\nspec: {containers: [{name: c, image: x}]}\n",
			want: []string{
				"ANY => kube-system/apiserver-n1[Pod] : All Connections",
				"ANY => kube-system/etcd-n1[Pod] : All Connections",
				"kube-system/apiserver-n1[Pod] => ANY : All Connections",
				"kube-system/apiserver-n1[Pod] => kube-system/etcd-n1[Pod] : All Connections",
				"kube-system/etcd-n1[Pod] => ANY : All Connections",
				"kube-system/etcd-n1[Pod] => kube-system/apiserver-n1[Pod] : All Connections",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := build(modelOf(t, tc.manifests))
			want := make([]string, len(tc.want))
			for i, l := range tc.want {
				want[i] = strings.ReplaceAll(l, "ANY", all)
			}
			// The table is written by hand: sort it as the listing is.
			sortLines(want)
			if got := connlist(t, g, Options{}); got != strings.Join(want, "\n")+"\n" {
				t.Errorf("got\n%swant\n%s", got, strings.Join(want, "\n")+"\n")
			}
		})
	}
}

func sortLines(lines []string) {
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && lines[j] < lines[j-1]; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
		}
	}
}

func TestImpliedAndFocus(t *testing.T) {
	m := modelOf(t, namespace("a", "")+pods("a/client app=client", "a/server app=server")+
		netpol("a", "p", "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress:\n- from: [{podSelector: {}}]\negress:\n- to: [{podSelector: {}}]\n- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n  ports: [{port: 53, protocol: UDP}, {port: 53}]\n"))
	g := Network(m)
	if Network(m) != g {
		t.Error("Network computes the graph again for the same model")
	}
	tests := []struct {
		name  string
		opts  func() Options
		lines []string
	}{
		{
			name: "implied workloads are left out",
			opts: func() Options { return Options{} },
			lines: []string{
				"a/client[Pod] => a/server[Pod] : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
			},
		},
		{
			name: "--show-implied shows kube-dns",
			opts: func() Options { return Options{ShowImplied: true} },
			lines: []string{
				"0.0.0.0-255.255.255.255[External] => kube-system/kube-dns[Deployment] : All Connections",
				"a/client[Pod] => a/server[Pod] : All Connections",
				"a/client[Pod] => kube-system/kube-dns[Deployment] : TCP 53,UDP 53",
				"a/server[Pod] => a/client[Pod] : All Connections",
				"a/server[Pod] => kube-system/kube-dns[Deployment] : TCP 53,UDP 53",
				"kube-system/kube-dns[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
			},
		},
		{
			name: "focus keeps the lines that touch the workload",
			opts: func() Options {
				f, err := g.FindFocus([]string{"server"})
				if err != nil {
					t.Fatal(err)
				}
				return Options{ShowImplied: true, Focus: f}
			},
			lines: []string{
				"a/client[Pod] => a/server[Pod] : All Connections",
				"a/server[Pod] => a/client[Pod] : All Connections",
				"a/server[Pod] => kube-system/kube-dns[Deployment] : TCP 53,UDP 53",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := strings.Join(tc.lines, "\n") + "\n"
			if got := connlist(t, g, tc.opts()); got != want {
				t.Errorf("got\n%swant\n%s", got, want)
			}
		})
	}
	if _, err := g.FindFocus([]string{"nosuch"}); err == nil {
		t.Error("an unknown focus is not an error")
	}
	for _, name := range []string{"a/server[Pod]", "a/server", "server"} {
		if ns := g.FindNodes(name); len(ns) != 1 || ns[0].ID != "a/server[Pod]" {
			t.Errorf("FindNodes(%q) = %v", name, ns)
		}
	}
}

// The queries rules use agree with the listing.
func TestQueries(t *testing.T) {
	m := modelOf(t, namespace("a", "team: x")+pods("a/client app=client", "a/server app=server|http/TCP/8080")+
		netpol("a", "p", "podSelector: {matchLabels: {app: server}}\npolicyTypes: [Ingress, Egress]\ningress:\n- from:\n  - podSelector: {matchLabels: {app: client}}\n  - namespaceSelector: {matchLabels: {team: none}}\n  - ipBlock: {cidr: 10.0.0.0/8}\n  ports: [{port: http}]\n"))
	g := Network(m)
	byName := map[string]*model.Workload{}
	for _, w := range m.Workloads {
		byName[w.Name] = w
	}
	client, server := byName["client"], byName["server"]
	if got := g.Allowed(client, server).String(); got != "TCP 8080" {
		t.Errorf("Allowed(client, server) = %s", got)
	}
	if got := g.Allowed(server, client); !got.IsEmpty() {
		t.Errorf("Allowed(server, client) = %s, want nothing (egress-isolated)", got)
	}
	np := m.NetworkPolicies[0]
	if sel := g.Selected(np); len(sel) != 1 || sel[0] != server {
		t.Errorf("Selected = %v", sel)
	}
	if len(g.IngressPolicies(server)) != 1 || len(g.EgressPolicies(server)) != 1 || len(g.IngressPolicies(client)) != 0 {
		t.Error("isolation of server/client is wrong")
	}
	peers := np.Ingress[0].Peers
	if ws := g.PeerWorkloads(&peers[0]); len(ws) != 1 || ws[0] != client {
		t.Errorf("PeerWorkloads(podSelector) = %v", ws)
	}
	if nss, ok := g.PeerNamespaces(&peers[1]); !ok || len(nss) != 0 {
		t.Errorf("PeerNamespaces(namespaceSelector team=none) = %v, %v", nss, ok)
	}
	if _, ok := g.PeerNamespaces(&peers[0]); ok {
		t.Error("a podSelector-only peer reports a namespaceSelector")
	}
	if rs := g.PeerRanges(&peers[2]); len(rs) != 1 || rs[0].ID != "10.0.0.0-10.255.255.255[External]" {
		t.Errorf("PeerRanges(ipBlock) = %v", rs)
	}
}

// Fields the API would refuse are spec errors (MSH003) at their field; the
// engine goes on with the rest of the policy, never widening it.
func TestBadInputStillComputes(t *testing.T) {
	m := modelOf(t, namespace("a", "")+pods("a/client app=client", "a/server app=server|http/TCP/8080")+
		netpol("a", "p", `podSelector: {matchLabels: {app: server}}
ingress:
- from:
  - ipBlock: {cidr: 10.0.0.0/33}
  - ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}
  - podSelector: {matchLabels: {app: client}}
  ports:
  - {port: 90, endPort: 80}
  - {port: 80, protocol: ICMP}
  - {port: http, endPort: 9000}
  - {port: 443}
`))
	want := map[string]bool{
		"spec.ingress[0].from[0].ipBlock.cidr":      true,
		"spec.ingress[0].from[1].ipBlock.except[0]": true,
		"spec.ingress[0].ports[0].endPort":          true,
		"spec.ingress[0].ports[1].protocol":         true,
		"spec.ingress[0].ports[2].endPort":          true,
	}
	for _, e := range m.SpecErrors {
		if !want[e.Path] {
			t.Errorf("unexpected spec error at %s: %s", e.Path, e.Message)
		}
		delete(want, e.Path)
	}
	for path := range want {
		t.Errorf("no spec error at %s", path)
	}
	got := connlist(t, build(m), Options{})
	if !strings.Contains(got, "a/client[Pod] => a/server[Pod] : TCP 443\n") {
		t.Errorf("the valid rest of the policy is not applied:\n%s", got)
	}
	if strings.Contains(got, "[External] => a/server[Pod]") {
		t.Errorf("a refused ipBlock admits addresses:\n%s", got)
	}
}
