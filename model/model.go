// Package model is what every check reads: the loaded objects with their
// positions, and what they mean together (namespaces, workloads, identities,
// services, compiled selectors). It is built once per run.
package model

import (
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/manifest"
)

// Settings are the mesh facts that manifests do not say.
type Settings struct {
	DefaultNamespace string
	TrustDomain      string
	RootNamespace    string
	IstiodNamespace  string
	// OutboundTrafficPolicy is the mesh-wide outboundTrafficPolicy.mode:
	// AllowAny or RegistryOnly.
	OutboundTrafficPolicy string
	// MeshConfigFrom names the object of the set (an istio ConfigMap or an
	// IstioOperator) some of these settings were read from, or "".
	MeshConfigFrom string
	// NoImpliedKubeDNS and NoImpliedIstiod stop the model from standing in
	// those cluster services when the set lacks them (config
	// cluster-services); the zero value assumes both, as clusters have.
	NoImpliedKubeDNS bool
	NoImpliedIstiod  bool
}

// DefaultSettings are Istio's defaults.
func DefaultSettings() Settings {
	return Settings{
		DefaultNamespace: "default",
		TrustDomain:      "cluster.local",
		RootNamespace:    "istio-system",
		IstiodNamespace:  "istio-system",

		OutboundTrafficPolicy: AllowAny,
	}
}

// Model is the analyzed object set.
type Model struct {
	Settings Settings

	// Objects are the environment's objects in apply order, each once: of
	// an object defined twice, the copy applied last (see Duplicates).
	Objects  []*manifest.Object
	Problems []loader.Problem // what the loader could not read (MSH001, MSH009, MSH010)
	// Duplicates are the objects defined more than once, and which copy
	// replaced which (MSH008).
	Duplicates []Duplicate
	Files      int
	Skipped    int

	Namespaces      []*Namespace
	Workloads       []*Workload
	Services        []*Service
	ServiceAccounts map[string]*manifest.Object // "ns/name"

	NetworkPolicies       []*NetworkPolicy
	AuthorizationPolicies []*AuthorizationPolicy
	PeerAuthentications   []*PeerAuthentication
	DestinationRules      []*DestinationRule
	Sidecars              []*Sidecar
	ServiceEntries        []*ServiceEntry
	ServiceRoles          []*ServiceRole
	ServiceRoleBindings   []*ServiceRoleBinding
	RbacConfigs           []*RbacConfig

	// SpecErrors are fields that fail strict decoding or the API's own
	// validation (MSH003). The parts they name are left out of the model.
	SpecErrors []SpecError

	derivedMu sync.Mutex
	derived   map[string]*derivedEntry

	byKind        map[string][]*manifest.Object
	nsByName      map[string]*Namespace
	workloadsByNS map[string][]*Workload
	bySA          map[string][]*Workload // "ns/sa"
	servicesByNS  map[string][]*Service

	sidecarsByNS     map[string][]*Sidecar
	servicesOf       map[*Workload][]*Service
	gateways         []*Gateway
	serviceWaypoints map[*Service]waypointResolution
	waypointRoutes   map[*Workload][]WaypointRoute
}

// Duplicate is an object defined twice in one environment: the copy applied
// first is replaced by the one applied later, as kubectl apply does.
type Duplicate struct {
	Replaced, Winner *manifest.Object
	// Identical is set when both copies say the same: applying the second
	// changes nothing.
	Identical bool
}

// SpecError is a field that the API would reject.
type SpecError struct {
	Object  *manifest.Object
	Path    string
	Message string
}

// Namespace is a declared namespace, or one implied because objects use it.
type Namespace struct {
	Name    string
	Labels  labels.Set // always holds kubernetes.io/metadata.name
	Object  *manifest.Object
	Implied bool // not declared in the set
}

// MeshMode says how a workload takes part in the mesh.
type MeshMode string

const (
	MeshNone    MeshMode = "none"
	MeshSidecar MeshMode = "sidecar"
	MeshAmbient MeshMode = "ambient"
)

// ContainerPort is a port a workload's containers declare.
type ContainerPort struct {
	Name     string
	Port     int32
	Protocol string // TCP, UDP or SCTP
}

// Workload is one pod template: the unit that policies select.
type Workload struct {
	Kind      string // Deployment, Pod, ... (for an owned Pod: its owner's kind)
	Namespace string
	Name      string // for an owned Pod: its owner's name
	Object    *manifest.Object
	// TemplatePath is the field path of the pod template's metadata parent
	// ("spec.template" for a Deployment, "" for a Pod).
	TemplatePath string

	Labels         labels.Set
	Annotations    map[string]string
	ServiceAccount string
	Ports          []ContainerPort
	Mesh           MeshMode
	// InjectedBy says, for a sidecar workload, what puts the proxy in its
	// pod (membership.go).
	InjectedBy Injection
	// Gateway says the workload is an Istio gateway or waypoint: its proxy
	// is the main container (Mesh is then MeshSidecar: an Envoy in the pod).
	Gateway GatewayKind
	// Interception is which traffic a sidecar workload's proxy sees (its
	// traffic.sidecar.istio.io annotations); nil: all of it.
	Interception *Interception
	// Identity is the SPIFFE principal without the scheme
	// (<trust-domain>/ns/<ns>/sa/<sa>), or "" outside the mesh.
	Identity string
	// SAIdentity is the principal the workload's service account stands
	// for, whether or not the workload is in the mesh.
	SAIdentity string
	// Implied workloads (kube-dns, istiod) stand for cluster services the set
	// lacks; they are matched but never reported on.
	Implied bool

	index   int32    // in Model.Workloads
	sidecar *Sidecar // the Sidecar resource its sidecar uses (sidecars.go)
}

// Index is w's position in the model's Workloads, for per-workload tables.
func (w *Workload) Index() int { return int(w.index) }

// ID is the workload's name as the graph prints it: ns/name[Kind].
func (w *Workload) ID() string {
	return w.Namespace + "/" + w.Name + "[" + w.Kind + "]"
}

// Principal is the identity with the spiffe:// scheme, or "".
func (w *Workload) Principal() string {
	if w.Identity == "" {
		return ""
	}
	return "spiffe://" + w.Identity
}

// Service is a Kubernetes Service.
type Service struct {
	Object   *manifest.Object
	Selector labels.Set // nil: the Service selects no pods by label
	Ports    []ServicePort
}

// ServicePort maps a Service port to the pods' port.
type ServicePort struct {
	Name       string
	Port       int32
	TargetPort string // number or name; "" means the same as Port
	Protocol   string
	// AppProtocol is the port's appProtocol, which Istio reads before the name.
	AppProtocol string
	Path        string
}

// ByKind returns the objects of a kind, in load order.
func (m *Model) ByKind(kind string) []*manifest.Object { return m.byKind[kind] }

// Namespace returns the namespace of that name, or nil.
func (m *Model) Namespace(name string) *Namespace { return m.nsByName[name] }

// WorkloadsIn returns the workloads of a namespace.
func (m *Model) WorkloadsIn(ns string) []*Workload { return m.workloadsByNS[ns] }

// ServicesIn returns the Services of a namespace.
func (m *Model) ServicesIn(ns string) []*Service { return m.servicesByNS[ns] }

// HasServiceAccount reports whether ns/name is declared or used by a workload.
func (m *Model) HasServiceAccount(ns, name string) bool {
	if _, ok := m.ServiceAccounts[ns+"/"+name]; ok {
		return true
	}
	return len(m.bySA[ns+"/"+name]) > 0
}

// WorkloadsMatchingPrincipal returns the workloads whose service account
// identity an Istio principal pattern matches (exact, "*", prefix*, *suffix).
func (m *Model) WorkloadsMatchingPrincipal(pattern string) []*Workload {
	if !strings.Contains(pattern, "*") {
		ns, sa, ok := ParsePrincipal(pattern)
		if !ok {
			return nil
		}
		var out []*Workload
		for _, w := range m.bySA[ns+"/"+sa] {
			if w.SAIdentity == strings.TrimPrefix(pattern, "spiffe://") {
				out = append(out, w)
			}
		}
		return out
	}
	var out []*Workload
	for _, w := range m.Workloads {
		if MatchString(pattern, w.SAIdentity) {
			out = append(out, w)
		}
	}
	return out
}

// WorkloadsMatchingNamespace returns the workloads of the namespaces a
// pattern matches.
func (m *Model) WorkloadsMatchingNamespace(pattern string) []*Workload {
	if !strings.Contains(pattern, "*") {
		return m.workloadsByNS[pattern]
	}
	var out []*Workload
	for _, ns := range m.Namespaces {
		if MatchString(pattern, ns.Name) {
			out = append(out, m.workloadsByNS[ns.Name]...)
		}
	}
	return out
}

// SelectWorkloads returns the workloads of ns (all namespaces when ns is "")
// whose pod labels sel matches.
func (m *Model) SelectWorkloads(ns string, sel labels.Selector) []*Workload {
	var out []*Workload
	pick := func(ws []*Workload) {
		for _, w := range ws {
			if sel.Matches(w.Labels) {
				out = append(out, w)
			}
		}
	}
	if ns != "" {
		pick(m.workloadsByNS[ns])
		return out
	}
	pick(m.Workloads)
	return out
}

// Build computes the model from loaded objects.
func Build(res *loader.Result, settings Settings) *Model {
	// Settings the flags and config file leave empty come from the mesh
	// configuration in the set, else Istio's defaults.
	settings.OutboundTrafficPolicy = normalOutbound(settings.OutboundTrafficPolicy)
	applyMeshConfig(res, &settings)
	objects, dups := dedupe(res.Objects)
	m := &Model{
		Settings:        settings,
		Objects:         objects,
		Duplicates:      dups,
		Problems:        res.Problems,
		Files:           res.Files,
		Skipped:         res.Skipped,
		ServiceAccounts: map[string]*manifest.Object{},
		byKind:          map[string][]*manifest.Object{},
		nsByName:        map[string]*Namespace{},
		workloadsByNS:   map[string][]*Workload{},
		servicesByNS:    map[string][]*Service{},
	}
	for _, o := range m.Objects {
		if Foreign(o) {
			continue // another vendor's kind of a known name: not ours
		}
		m.byKind[o.Kind] = append(m.byKind[o.Kind], o)
	}
	m.buildNamespaces()
	m.buildWorkloads()
	m.buildGateways()
	m.addImpliedServices()
	m.buildServices()
	m.buildWaypoints()
	for _, o := range m.byKind["ServiceAccount"] {
		m.ServiceAccounts[o.Namespace+"/"+o.Name] = o
	}
	m.buildNetworkPolicies()
	m.buildSidecars()
	m.buildServiceEntries()
	m.buildIstio()
	m.buildLegacy()
	m.checkReplaced()
	sort.SliceStable(m.SpecErrors, func(i, j int) bool {
		a, b := m.SpecErrors[i], m.SpecErrors[j]
		if a.Object.File != b.Object.File {
			return a.Object.File < b.Object.File
		}
		return a.Object.Node.Line < b.Object.Node.Line
	})
	return m
}

func (m *Model) addSpecError(o *manifest.Object, path, format string, args ...any) {
	m.SpecErrors = append(m.SpecErrors, SpecError{Object: o, Path: path, Message: sprintf(format, args...)})
}

func (m *Model) buildNamespaces() {
	for _, o := range m.byKind["Namespace"] {
		if o.APIVersion != "v1" {
			continue
		}
		if _, dup := m.nsByName[o.Name]; dup {
			continue
		}
		ls := labels.Set{}
		for k, v := range o.Labels {
			ls[k] = v
		}
		ls["kubernetes.io/metadata.name"] = o.Name
		ns := &Namespace{Name: o.Name, Labels: ls, Object: o}
		m.nsByName[o.Name] = ns
		m.Namespaces = append(m.Namespaces, ns)
	}
	for _, o := range m.Objects {
		if o.Namespace != "" {
			m.impliedNamespace(o.Namespace)
		}
	}
}

// impliedNamespace returns the namespace, adding it when no manifest declares it.
func (m *Model) impliedNamespace(name string) *Namespace {
	if ns := m.nsByName[name]; ns != nil {
		return ns
	}
	ns := &Namespace{Name: name, Labels: labels.Set{"kubernetes.io/metadata.name": name}, Implied: true}
	m.nsByName[name] = ns
	m.Namespaces = append(m.Namespaces, ns)
	return ns
}

func (m *Model) sortIndexes() {
	sort.Slice(m.Namespaces, func(i, j int) bool { return m.Namespaces[i].Name < m.Namespaces[j].Name })
}

func (m *Model) buildServices() {
	for _, o := range m.byKind["Service"] {
		if o.APIVersion != "v1" {
			continue
		}
		svc := &Service{Object: o}
		spec := manifest.MapGet(o.Node, "spec")
		if sel := manifest.MapGet(spec, "selector"); sel != nil {
			svc.Selector = labels.Set(manifest.StringMap(sel))
		}
		ports := manifest.MapGet(spec, "ports")
		if ports != nil {
			for i, p := range ports.Content() {
				sp := ServicePort{
					Name:        manifest.ScalarString(manifest.MapGet(p, "name")),
					Port:        int32(atoi(manifest.ScalarString(manifest.MapGet(p, "port")))),
					TargetPort:  manifest.ScalarString(manifest.MapGet(p, "targetPort")),
					Protocol:    protocolOrTCP(manifest.ScalarString(manifest.MapGet(p, "protocol"))),
					AppProtocol: manifest.ScalarString(manifest.MapGet(p, "appProtocol")),
					Path:        manifest.JoinIndex("spec.ports", i),
				}
				svc.Ports = append(svc.Ports, sp)
			}
		}
		m.Services = append(m.Services, svc)
		m.servicesByNS[o.Namespace] = append(m.servicesByNS[o.Namespace], svc)
	}
	m.indexServices()
}

// ServicesOf returns the Services that send traffic to w.
func (m *Model) ServicesOf(w *Workload) []*Service { return m.servicesOf[w] }

func (m *Model) indexServices() {
	m.servicesOf = map[*Workload][]*Service{}
	for _, svc := range m.Services {
		for _, w := range m.ServiceWorkloads(svc) {
			m.servicesOf[w] = append(m.servicesOf[w], svc)
		}
	}
}

// ServiceWorkloads returns the workloads a Service sends traffic to.
func (m *Model) ServiceWorkloads(svc *Service) []*Workload {
	if len(svc.Selector) == 0 {
		return nil
	}
	return m.SelectWorkloads(svc.Object.Namespace, labels.SelectorFromSet(svc.Selector))
}

func protocolOrTCP(p string) string {
	if p == "" {
		return "TCP"
	}
	return p
}

// Derived returns the value computed by compute for key, computing it once.
// Analyses built on the model (connectivity, Rego input) use it so that every
// rule reads the same result and none computes it twice.
func (m *Model) Derived(key string, compute func() any) any {
	m.derivedMu.Lock()
	entry, ok := m.derived[key]
	if !ok {
		entry = &derivedEntry{}
		if m.derived == nil {
			m.derived = map[string]*derivedEntry{}
		}
		m.derived[key] = entry
	}
	m.derivedMu.Unlock()
	entry.once.Do(func() { entry.value = compute() })
	return entry.value
}

type derivedEntry struct {
	once  sync.Once
	value any
}
