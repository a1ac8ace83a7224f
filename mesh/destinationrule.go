package mesh

import (
	"slices"
	"sort"
	"strings"

	networkingv1beta1 "istio.io/api/networking/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Which DestinationRule a client uses toward a Service, as istiod picks it
// (pilot/pkg/model/push_context.go destinationRule, setDestinationRules;
// sidecar.go DestinationRule): first a rule visible in the client's own
// namespace, then one the Service's namespace exports to the client, then
// one the root namespace exports to it. Within a namespace the most
// specific host wins (exact over wildcard, config.go MostSpecificHostMatch);
// of the rules for that host, one whose workloadSelector selects the client
// (in the client's namespace), else the catch-all; of several, the oldest
// traffic policy (destination_rule.go mergeDestinationRule).

// ServiceHost is the hostname istiod gives a Kubernetes Service.
func ServiceHost(svc *model.Service) string {
	return svc.Object.Name + "." + svc.Object.Namespace + ".svc.cluster.local"
}

// ResolveHost turns a DestinationRule host into the name istiod matches:
// a name without dots is short for <name>.<namespace>.svc.cluster.local;
// any other is taken as written (config.go ResolveShortnameToFQDN), so
// "cart.shop" names no Kubernetes Service.
func ResolveHost(ns, host string) string {
	if host == "*" || strings.Contains(host, ".") {
		return host
	}
	return host + "." + ns + ".svc.cluster.local"
}

// hostMatches reports whether a resolved DestinationRule host covers a
// Service hostname.
func hostMatches(pattern, hostname string) bool {
	if strings.HasPrefix(pattern, "*") {
		return strings.HasSuffix(hostname, pattern[1:])
	}
	return pattern == hostname
}

// HostServices returns the Services a DestinationRule host covers.
func HostServices(m *model.Model, ns, host string) []*model.Service {
	pattern := ResolveHost(ns, host)
	var out []*model.Service
	for _, svc := range m.Services {
		if hostMatches(pattern, ServiceHost(svc)) {
			out = append(out, svc)
		}
	}
	return out
}

// HostWorkloads resolves a DestinationRule host (short, FQDN or wildcard,
// relative to the rule's namespace) to the workloads behind its Services.
func HostWorkloads(m *model.Model, ns, host string) []*model.Workload {
	var out []*model.Workload
	seen := map[*model.Workload]bool{}
	pattern := ResolveHost(ns, host)
	for _, svc := range m.Services {
		if !hostMatches(pattern, ServiceHost(svc)) {
			continue
		}
		for _, w := range m.ServiceWorkloads(svc) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// drEntry is a DestinationRule ready for lookup.
type drEntry struct {
	dr       *model.DestinationRule
	host     string          // resolved
	exportTo map[string]bool // nil: exported everywhere (Istio's default)
	selector labels.Selector // nil: every client
}

func (e *drEntry) exportedTo(ns string) bool {
	return e.exportTo == nil || e.exportTo["*"] || e.exportTo[ns]
}

// drIndex holds every namespace's DestinationRules as istiod indexes them.
type drIndex struct {
	local     map[string][]*drEntry // visible to clients of the namespace
	exported  map[string][]*drEntry // offered to clients of other namespaces
	rootLocal []*drEntry            // private rules of the root namespace
	// named are the namespaces whose clients may see another rule than a
	// client of an unnamed namespace: those with rules of their own, those
	// an exportTo names, and the root namespace. bySelector are those
	// whose rules select clients by label.
	named, bySelector map[string]bool
	hosts             []string // every resolved host, to tell quickly whether any rule reaches a Service
}

func destinationRuleIndex(m *model.Model) *drIndex {
	return m.Derived("mesh/destinationrule-index", func() any {
		idx := &drIndex{local: map[string][]*drEntry{}, exported: map[string][]*drEntry{}, named: map[string]bool{m.Settings.RootNamespace: true}, bySelector: map[string]bool{}}
		entries := make([]*drEntry, 0, len(m.DestinationRules))
		for _, dr := range m.DestinationRules {
			e := &drEntry{dr: dr, host: ResolveHost(dr.Object.Namespace, dr.Spec.GetHost())}
			if sel := dr.Spec.GetWorkloadSelector(); sel != nil {
				e.selector = labels.SelectorFromSet(sel.GetMatchLabels())
				// Rules with a workloadSelector are never exported.
				e.exportTo = map[string]bool{".": true}
				idx.bySelector[dr.Object.Namespace] = true
			} else if len(dr.Spec.GetExportTo()) > 0 {
				e.exportTo = map[string]bool{}
				for _, ns := range dr.Spec.GetExportTo() {
					e.exportTo[ns] = true
					if ns != "*" && ns != "." {
						idx.named[ns] = true
					}
				}
			}
			entries = append(entries, e)
			idx.hosts = append(idx.hosts, e.host)
		}
		// sortConfigBySelectorAndCreationTime: selectors first, then age.
		sort.SliceStable(entries, func(i, j int) bool {
			a, b := entries[i], entries[j]
			if (a.selector != nil) != (b.selector != nil) {
				return a.selector != nil
			}
			return OlderConfig(a.dr.Object, b.dr.Object)
		})
		root := m.Settings.RootNamespace
		for _, e := range entries {
			ns := e.dr.Object.Namespace
			idx.named[ns] = true
			if e.exportTo == nil || e.exportTo["*"] || e.exportTo["."] || e.exportTo[ns] {
				idx.local[ns] = append(idx.local[ns], e)
			}
			private := len(e.exportTo) == 1 && (e.exportTo["."] || e.exportTo[ns])
			switch {
			case !private:
				idx.exported[ns] = append(idx.exported[ns], e)
			case ns == root:
				idx.rootLocal = append(idx.rootLocal, e)
			}
		}
		return idx
	}).(*drIndex)
}

// mostSpecific returns the entries of list for the most specific host that
// covers hostname.
func mostSpecific(list []*drEntry, hostname string) []*drEntry {
	best := ""
	for _, e := range list {
		if e.host == hostname {
			best = hostname
			break
		}
		if strings.HasPrefix(e.host, "*") && hostMatches(e.host, hostname) && (best == "" || len(e.host) > len(best) || (len(e.host) == len(best) && e.host < best)) {
			best = e.host
		}
	}
	if best == "" {
		return nil
	}
	var out []*drEntry
	for _, e := range list {
		if e.host == best {
			out = append(out, e)
		}
	}
	return out
}

// DestinationRuleFor returns the DestinationRule client uses toward svc
// and the traffic policy it applies (nil, nil when none does).
func DestinationRuleFor(m *model.Model, client *model.Workload, svc *model.Service) (*model.DestinationRule, *networkingv1beta1.TrafficPolicy) {
	dr, _, tp := destinationRuleFor(m, client, svc)
	return dr, tp
}

// destinationRuleFor is DestinationRuleFor, with the rule the traffic
// policy comes from: of several rules merged for one host, the first that
// has one.
func destinationRuleFor(m *model.Model, client *model.Workload, svc *model.Service) (chosenRule, policyRule *model.DestinationRule, _ *networkingv1beta1.TrafficPolicy) {
	idx := destinationRuleIndex(m)
	if len(idx.hosts) == 0 {
		return nil, nil, nil
	}
	hostname := ServiceHost(svc)
	root := m.Settings.RootNamespace
	var found []*drEntry
	if client.Namespace != root {
		found = mostSpecific(idx.local[client.Namespace], hostname)
	} else {
		found = mostSpecific(idx.rootLocal, hostname)
	}
	for _, ns := range []string{svc.Object.Namespace, root} {
		if len(found) > 0 {
			break
		}
		for _, e := range mostSpecific(idx.exported[ns], hostname) {
			if e.exportedTo(client.Namespace) {
				found = append(found, e)
			}
		}
	}
	var chosen, from *drEntry
	var policy *networkingv1beta1.TrafficPolicy
	for _, e := range found {
		if e.selector != nil && e.dr.Object.Namespace == client.Namespace && e.selector.Matches(labels.Set(client.Labels)) && chosen == nil {
			chosen, from = e, e
			policy = e.dr.Spec.GetTrafficPolicy()
		}
	}
	for _, e := range found {
		if e.selector != nil {
			continue
		}
		if chosen == nil {
			chosen = e
		}
		// Of rules merged for one host, the first traffic policy stays.
		if policy == nil {
			policy = e.dr.Spec.GetTrafficPolicy()
			from = e
		}
	}
	if chosen == nil {
		return nil, nil, nil
	}
	if policy == nil {
		return chosen.dr, nil, nil
	}
	return chosen.dr, from.dr, policy
}

// portTLS is the client TLS a traffic policy sets for a Service port:
// port-level settings replace the top level wholly, so one without tls
// leaves auto mTLS (networking/util/util.go GetPortLevelTrafficPolicy).
// The index is that of the port-level setting, -1 for the top level.
func portTLS(tp *networkingv1beta1.TrafficPolicy, port int32) (*networkingv1beta1.ClientTLSSettings, int) {
	for k, pl := range tp.GetPortLevelSettings() {
		if pl.GetPort() != nil && pl.GetPort().GetNumber() == uint32(port) {
			return pl.GetTls(), k
		}
	}
	return tp.GetTls(), -1
}

// reachesWorkload reports whether some DestinationRule's host covers a
// Service of dst, so that its clients may not all send the same TLS.
func (idx *drIndex) reachesWorkload(m *model.Model, dst *model.Workload) bool {
	if len(idx.hosts) == 0 {
		return false
	}
	for _, svc := range ServicesOf(m, dst) {
		hostname := ServiceHost(svc)
		for _, h := range idx.hosts {
			if hostMatches(h, hostname) {
				return true
			}
		}
	}
	return false
}

// sendsIstioMTLS reports whether an in-mesh client uses Istio mTLS toward
// dst's container port. Auto mTLS does, unless the DestinationRule the
// client uses for every Service that reaches the port says DISABLE
// (plaintext), SIMPLE or MUTUAL (TLS of its own). Toward an ambient
// workload, or from one, traffic is HBONE, always mTLS: ztunnel reads no
// DestinationRule, and sidecars tunnel a DestinationRule's TLS inside HBONE
// (networking/core/cluster_tls.go applyHBONETransportSocketMatches).
func sendsIstioMTLS(m *model.Model, client, dst *model.Workload, port int32) bool {
	return clientTLSOverride(m, client, dst, port) == nil
}

// ClientTLSRule is the DestinationRule field that sets the TLS a client
// uses instead of Istio mTLS.
type ClientTLSRule struct {
	Rule *model.DestinationRule
	Path string
	Mode networkingv1beta1.ClientTLSSettings_TLSmode
}

// clientTLSOverride returns the DestinationRule setting that keeps client
// from Istio mTLS toward dst's port (that of the first Service port when
// several reach it, every one of them overridden), or nil when the client
// sends Istio mTLS (sendsIstioMTLS).
func clientTLSOverride(m *model.Model, client, dst *model.Workload, port int32) *ClientTLSRule {
	if dst.Mesh == model.MeshAmbient || client.Mesh == model.MeshAmbient {
		return nil
	}
	idx := destinationRuleIndex(m)
	if !idx.reachesWorkload(m, dst) {
		return nil
	}
	var first *model.DestinationRule
	firstAt := 0
	var firstMode networkingv1beta1.ClientTLSSettings_TLSmode
	for _, svc := range ServicesOf(m, dst) {
		_, from, tp := destinationRuleFor(m, client, svc)
		for _, sp := range svc.Ports {
			if sp.Protocol != "TCP" || TargetPort(dst, sp) != port {
				continue
			}
			if tls, at := portTLS(tp, sp.Port); tls != nil {
				switch tls.GetMode() {
				case networkingv1beta1.ClientTLSSettings_DISABLE, networkingv1beta1.ClientTLSSettings_SIMPLE, networkingv1beta1.ClientTLSSettings_MUTUAL:
					if first == nil {
						first, firstAt, firstMode = from, at, tls.GetMode()
					}
					continue
				}
			}
			return nil
		}
	}
	if first == nil {
		return nil // no Service port reaches it: nothing overrides auto mTLS
	}
	path := "spec.trafficPolicy.tls.mode"
	if firstAt >= 0 {
		path = manifest.JoinIndex("spec.trafficPolicy.portLevelSettings", firstAt) + ".tls.mode"
	}
	return &ClientTLSRule{Rule: first, Path: path, Mode: firstMode}
}

// TLSSensitive tells which in-mesh clients may send dst other TLS than a
// client no DestinationRule singles out (nil when no rule reaches dst):
// ambient clients, clients of namespaces whose rules select by label, and
// clients of namespaces (their own rules, an exportTo naming them, the root
// namespace) that resolve another rule for one of dst's Services. byLabels
// reports whether the labels of a namespace's clients matter too.
func TLSSensitive(m *model.Model, dst *model.Workload) (sensitive func(*model.Workload) bool, byLabels func(ns string) bool) {
	idx := destinationRuleIndex(m)
	byLabels = func(ns string) bool { return idx.bySelector[ns] }
	if !idx.reachesWorkload(m, dst) {
		return nil, byLabels
	}
	services := ServicesOf(m, dst)
	choices := func(client *model.Workload) []*model.DestinationRule {
		out := make([]*model.DestinationRule, len(services))
		for i, svc := range services {
			out[i], _ = DestinationRuleFor(m, client, svc)
		}
		return out
	}
	anonymous := choices(&model.Workload{Namespace: "\x00", Mesh: model.MeshSidecar})
	namespaces := map[string]bool{}
	for ns := range idx.named {
		if idx.bySelector[ns] || !slices.Equal(choices(&model.Workload{Namespace: ns, Mesh: model.MeshSidecar}), anonymous) {
			namespaces[ns] = true
		}
	}
	return func(w *model.Workload) bool {
		return w.Mesh == model.MeshAmbient || (w.Mesh == model.MeshSidecar && namespaces[w.Namespace])
	}, byLabels
}

// ClientTLSFor is the TLS setting client's sidecar applies toward Service
// port servicePort of svc, and the DestinationRule field it comes from, by
// Istio's precedence (destinationRuleFor: the client's namespace, then the
// Service's, then the root namespace, exportTo and workloadSelector
// honoured; portTLS: a port-level setting replaces the top level). Nil
// when no rule sets TLS there.
func ClientTLSFor(m *model.Model, client *model.Workload, svc *model.Service, servicePort int32) *ClientTLSRule {
	_, from, tp := destinationRuleFor(m, client, svc)
	tls, at := portTLS(tp, servicePort)
	if tls == nil {
		return nil
	}
	path := "spec.trafficPolicy.tls.mode"
	if at >= 0 {
		path = manifest.JoinIndex("spec.trafficPolicy.portLevelSettings", at) + ".tls.mode"
	}
	return &ClientTLSRule{Rule: from, Path: path, Mode: tls.GetMode()}
}
