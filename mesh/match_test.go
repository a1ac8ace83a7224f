package mesh

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

// loadWith builds a model from fixture files and extra YAML (one or more
// documents), failing on anything the model does not accept.
func loadWith(t *testing.T, extra string, paths ...string) *model.Model {
	t.Helper()
	if extra != "" {
		paths = append(paths, "-")
	}
	res, err := loader.Load(paths, loader.Options{Stdin: strings.NewReader(extra)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	m := model.Build(res, model.Settings{})
	if len(m.SpecErrors) > 0 {
		t.Fatalf("spec error at %s: %s", m.SpecErrors[0].Path, m.SpecErrors[0].Message)
	}
	return m
}

// policy is an AuthorizationPolicy on tcp-echo in ns, with the given spec
// lines after the selector and extra metadata lines.
func policy(ns, meta, body string) string {
	return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: tcp-policy\n  namespace: " + ns + "\n" + meta +
		"spec:\n  selector: {matchLabels: {app: tcp-echo}}\n" + body
}

type decideCase struct {
	name   string
	source string // the Istio file or istio.io page the expectation follows
	policy string
	src    string // workload ID of the client
	ports  map[int32]string
}

func runDecide(t *testing.T, fixture, dst string, tests []decideCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadWith(t, tc.policy, fixture)
			e := NewEvaluator(m, Current(m))
			s, d := workload(t, m, tc.src), workload(t, m, dst)
			for port, want := range tc.ports {
				v := e.Decide(Source{Workload: s}, d, port)
				if got := v.Allowed.String(); got != want {
					t.Errorf("port %d: %q, want %q (per %s; %s)", port, got, want, tc.source, v.Reason())
				}
			}
		})
	}
}

// HTTP-only fields at a sidecar, on the TCP ports of tcp-echo (9000, 9001:
// Service ports named tcp, tcp-other) and its sniffed port 9002 (no Service
// exposes it).
func TestHTTPFieldsAtSidecar(t *testing.T) {
	const task = "istio.io/latest/docs/tasks/security/authorization/authz-tcp"
	runDecide(t, "testdata/authz-tcp.yaml", "foo/tcp-echo[Deployment]", []decideCase{
		{"ports only", task + " (9002 is denied too: the passthrough chain enforces the policy)",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {ports: ['9000', '9001']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "", 9001: "", 9002: "never"}},
		{"ALLOW methods on a TCP port", task + "; generator.go methodGenerator fails forTCP, model.go checkError keeps the error for ALLOW",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET], ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9001: "never"}},
		{"ALLOW rule dropped whole", "model.go Generate: one failing permission skips the rule (builder.go: skipped rule on TCP filter chain)",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET]}}, {operation: {ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9002: "methods=GET"}},
		{"ALLOW requestPrincipals on TCP", "generator.go requestPrincipalGenerator: HTTP only",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - from: [{source: {requestPrincipals: ['*']}}]\n    to: [{operation: {ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never"}},
		{"ALLOW request.headers on TCP", "generator.go requestHeaderGenerator: HTTP only",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {ports: ['9000']}}]\n    when: [{key: 'request.headers[x-id]', values: [a]}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9002: "never"}},
		{"ALLOW remoteIpBlocks on TCP", "generator.go remoteIPGenerator works forTCP (Envoy's remote address)",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - from: [{source: {remoteIpBlocks: ['10.0.0.0/8']}}]\n    to: [{operation: {ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "remoteIpBlocks=10.0.0.0/8"}},
		{"DENY methods without ports", task + " (\"deny all\": the HTTP-only field is ignored for TCP)",
			policy("foo", "", "  action: DENY\n  rules:\n  - to: [{operation: {methods: [GET]}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9001: "never", 9002: "not(methods=GET)"}},
		{"DENY methods on port 9000", task + " (only 9000 is denied)",
			policy("foo", "", "  action: DENY\n  rules:\n  - to: [{operation: {methods: [GET], ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9001: ""}},
		{"DENY requestPrincipals", "model.go checkError ignores the error for DENY: the field is dropped, the rule widens",
			policy("foo", "", "  action: DENY\n  rules:\n  - from: [{source: {notRequestPrincipals: ['*']}}]\n    to: [{operation: {ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9001: ""}},
		{"sniffed port", "listener_inbound.go buildInboundPassthroughChains: protocol Auto, HTTP filters on the HTTP chain",
			policy("foo", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET]}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9002: "methods=GET", 9000: "never"}},
		{"dry-run ALLOW", "builder.go isDryRun: shadow rules only; no enforced ALLOW policy means allow",
			policy("foo", "  annotations: {istio.io/dry-run: 'true'}\n", "  action: ALLOW\n  rules:\n  - to: [{operation: {ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "", 9001: ""}},
		{"dry-run DENY", "builder.go isDryRun",
			policy("foo", "  annotations: {istio.io/dry-run: 'True'}\n", "  action: DENY\n  rules:\n  - {}\n"),
			"foo/curl[Deployment]", map[int32]string{9000: ""}},
		{"dry-run false", "builder.go isDryRun: strconv.ParseBool",
			policy("foo", "  annotations: {istio.io/dry-run: '0'}\n", "  action: ALLOW\n  rules:\n  - to: [{operation: {ports: ['9000']}}]\n"),
			"foo/curl[Deployment]", map[int32]string{9000: "", 9001: "never"}},
		{"serviceAccounts are relative to the policy's namespace", "generator.go serviceAccountRegex(policyName.Namespace, value)",
			"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: root, namespace: istio-system}\nspec:\n  rules:\n  - from: [{source: {serviceAccounts: [curl]}}]\n  - from: [{source: {serviceAccounts: [foo/curl]}}]\n    to: [{operation: {ports: ['9001']}}]\n",
			"foo/curl[Deployment]", map[int32]string{9000: "never", 9001: ""}},
	})
}

// The same at ztunnel: an ambient workload's selector-bound policies, with
// the L4 attributes istiod translates for it.
func TestHTTPFieldsAtZtunnel(t *testing.T) {
	const handleRule = "pilot/pkg/serviceregistry/ambient/authorization.go handleRule"
	runDecide(t, "testdata/authz-tcp.yaml", "amb/tcp-echo[Deployment]", []decideCase{
		{"ALLOW methods", handleRule + ": L7 policies never match for ALLOW",
			policy("amb", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET], ports: ['8080']}}]\n"),
			"amb/curl[Deployment]", map[int32]string{8080: "never", 9000: "never"}},
		{"ALLOW rule dropped whole", handleRule + ": rules = nil when any L7 field is found",
			policy("amb", "", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET]}}, {operation: {ports: ['9000']}}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: "never"}},
		{"ALLOW remoteIpBlocks", handleRule + ", httpSources: remoteIpBlocks is not L4",
			policy("amb", "", "  action: ALLOW\n  rules:\n  - from: [{source: {remoteIpBlocks: ['10.0.0.0/8']}}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: "never"}},
		{"ALLOW source.serviceAccount", handleRule + ", l4WhenAttributes",
			policy("amb", "", "  action: ALLOW\n  rules:\n  - when: [{key: source.serviceAccount, values: [amb/curl]}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: "never"}},
		{"DENY left empty denies nothing", "authorization.go httpDenyNoEffectBoilerplate; ztunnel src/rbac.rs skips empty matches",
			policy("amb", "", "  action: DENY\n  rules:\n  - to: [{operation: {methods: [GET]}}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: "", 8080: ""}},
		{"DENY methods on a port", "authorization.go httpDenyMixedBoilerplate: enforced without the HTTP rules",
			policy("amb", "", "  action: DENY\n  rules:\n  - to: [{operation: {methods: [GET], ports: ['9000']}}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: "never", 8080: ""}},
		{"DENY on a header", "handleRule: a when clause of one empty match, which ztunnel never meets",
			policy("amb", "", "  action: DENY\n  rules:\n  - when: [{key: 'request.headers[x-id]', values: [a]}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: ""}},
		{"trustDomains alone", handleRule + " builds no trust-domain match: the source is an empty match",
			policy("amb", "", "  action: ALLOW\n  rules:\n  - from: [{source: {trustDomains: [cluster.local]}}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: "never"}},
		{"trustDomains ignored", handleRule + " builds no trust-domain match",
			policy("amb", "", "  action: ALLOW\n  rules:\n  - from: [{source: {namespaces: [amb], trustDomains: [example.org]}}]\n"),
			"amb/curl[Deployment]", map[int32]string{9000: ""}},
		{"CUSTOM is not for ztunnel", "authorization.go convertAuthorizationPolicy: ztunnel does not support the CUSTOM action",
			policy("amb", "", "  action: CUSTOM\n  provider: {name: ext}\n  rules:\n  - {}\n"),
			"amb/curl[Deployment]", map[int32]string{9000: ""}},
		{"dry-run", "authorization.go convertAuthorizationPolicy; ztunnel src/state.rs assert_rbac skips dry-run policies",
			policy("amb", "  annotations: {istio.io/dry-run: 'true'}\n", "  action: DENY\n  rules:\n  - {}\n"),
			"amb/curl[Deployment]", map[int32]string{9000: ""}},
	})
}

// Source address blocks against a range outside the cluster: a range inside
// the block matches, one that straddles it matches for the addresses inside
// (a condition), one outside never (generator.go srcIPGenerator; the graph
// cuts the outside space at these blocks, so straddling is rare).
func TestIPBlocksAgainstRanges(t *testing.T) {
	m := loadWith(t, policy("foo", "", "  rules:\n  - from: [{source: {ipBlocks: ['1.2.3.0/24', 'fd00::/8']}}]\n"), "testdata/authz-tcp.yaml")
	e := NewEvaluator(m, Current(m))
	echo := workload(t, m, "foo/tcp-echo[Deployment]")
	tests := []struct {
		from, to string
		want     string
	}{
		{"1.2.3.0", "1.2.3.255", ""},
		{"1.2.3.7", "1.2.3.7", ""},
		{"0.0.0.0", "255.255.255.255", "source.ip=1.2.3.0/24,fd00::/8"},
		{"1.2.3.128", "1.2.4.10", "source.ip=1.2.3.0/24,fd00::/8"},
		{"1.2.4.0", "255.255.255.255", "never"},
	}
	for _, tc := range tests {
		src := Source{From: netip.MustParseAddr(tc.from), To: netip.MustParseAddr(tc.to)}
		if got := e.Decide(src, echo, 9000).Allowed.String(); got != tc.want {
			t.Errorf("%s-%s: %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

// Source ipBlocks against a pod: Istio matches the connection's direct
// remote address, the pod's own IP (generator.go srcIPGenerator,
// principalDirectRemoteIP), which the manifests do not hold: a condition,
// except for a block that holds every IPv4 address.
func TestIPBlocksAgainstPods(t *testing.T) {
	tests := []struct {
		name, body string
		want       string
	}{
		{"allow a block", "  rules:\n  - from: [{source: {ipBlocks: ['10.0.0.0/8']}}]\n", "source.ip=10.0.0.0/8"},
		{"allow every address", "  rules:\n  - from: [{source: {ipBlocks: ['0.0.0.0/0']}}]\n", ""},
		{"allow but a block", "  rules:\n  - from: [{source: {notIpBlocks: ['10.0.0.0/8']}}]\n", "not(source.ip=10.0.0.0/8)"},
		{"deny a block", "  action: DENY\n  rules:\n  - from: [{source: {ipBlocks: ['10.1.0.0/16']}}]\n", "not(source.ip=10.1.0.0/16)"},
		{"when source.ip", "  rules:\n  - when: [{key: source.ip, values: ['10.0.0.1']}]\n", "source.ip=10.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadWith(t, policy("foo", "", tc.body), "testdata/authz-tcp.yaml")
			e := NewEvaluator(m, Current(m))
			echo, curl := workload(t, m, "foo/tcp-echo[Deployment]"), workload(t, m, "foo/curl[Deployment]")
			if got := e.Decide(Source{Workload: curl}, echo, 9000).Allowed.String(); got != tc.want {
				t.Errorf("%q, want %q", got, tc.want)
			}
		})
	}
}
