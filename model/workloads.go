package model

import (
	"fmt"
	"sort"
	"strconv"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
)

// templatePaths are where each workload kind keeps its pod template.
var templatePaths = map[string]string{
	"Pod":                   "",
	"Deployment":            "spec.template",
	"ReplicaSet":            "spec.template",
	"StatefulSet":           "spec.template",
	"DaemonSet":             "spec.template",
	"Job":                   "spec.template",
	"ReplicationController": "spec.template",
	"CronJob":               "spec.jobTemplate.spec.template",
}

// IsWorkloadKind reports whether kind runs pods.
func IsWorkloadKind(kind string) bool {
	_, ok := templatePaths[kind]
	return ok
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func (m *Model) buildWorkloads() {
	for _, o := range m.Objects {
		path, ok := templatePaths[o.Kind]
		if !ok || !servesWorkload(o) {
			continue
		}
		tmpl := o.Node
		if path != "" {
			tmpl = o.Lookup(path)
			if tmpl == nil {
				continue
			}
		}
		meta := manifest.MapGet(tmpl, "metadata")
		spec := manifest.MapGet(tmpl, "spec")
		w := &Workload{
			Kind:         o.Kind,
			Namespace:    o.Namespace,
			Name:         o.Name,
			Object:       o,
			TemplatePath: path,
			Labels:       labels.Set(manifest.StringMap(manifest.MapGet(meta, "labels"))),
			Annotations:  manifest.StringMap(manifest.MapGet(meta, "annotations")),
		}
		if w.Labels == nil {
			w.Labels = labels.Set{}
		}
		if o.Kind == "Pod" {
			if kind, name := controllerOwner(o); kind != "" {
				w.Kind, w.Name = kind, name
			}
		}
		w.ServiceAccount = manifest.ScalarString(manifest.MapGet(spec, "serviceAccountName"))
		if w.ServiceAccount == "" {
			w.ServiceAccount = manifest.ScalarString(manifest.MapGet(spec, "serviceAccount"))
		}
		if w.ServiceAccount == "" {
			w.ServiceAccount = "default"
		}
		w.Ports = containerPorts(spec)
		w.Mesh = meshMode(m.impliedNamespace(w.Namespace), w, spec)
		if w.Mesh == MeshSidecar && w.Gateway == NotGateway {
			w.Interception = readInterception(w.Annotations)
		}
		m.addWorkload(w)
	}
}

// servesWorkload leaves out workload kinds under apiVersions that never ran
// pods (MSH002 reports them), and other vendors' kinds of the same name.
func servesWorkload(o *manifest.Object) bool {
	return Served(o.Kind, o.APIVersion) == ServedYes
}

func (m *Model) addWorkload(w *Workload) {
	m.impliedNamespace(w.Namespace)
	if w.Mesh == "" {
		w.Mesh = MeshNone
	}
	w.SAIdentity = fmt.Sprintf("%s/ns/%s/sa/%s", m.Settings.TrustDomain, w.Namespace, w.ServiceAccount)
	if w.Mesh != MeshNone {
		w.Identity = w.SAIdentity
	}
	if m.bySA == nil {
		m.bySA = map[string][]*Workload{}
	}
	m.bySA[w.Namespace+"/"+w.ServiceAccount] = append(m.bySA[w.Namespace+"/"+w.ServiceAccount], w)
	m.Workloads = append(m.Workloads, w)
	m.workloadsByNS[w.Namespace] = append(m.workloadsByNS[w.Namespace], w)
}

// controllerOwner returns the kind and name of a pod's controlling owner.
// A Node owns the mirror pods of its static pods, which are not one
// workload. A controller named without its kind still groups its pods,
// which keep the kind Pod (as netpol-analyzer prints them).
func controllerOwner(o *manifest.Object) (string, string) {
	refs := o.Lookup("metadata.ownerReferences")
	if refs == nil || refs.Kind != manifest.SequenceNode {
		return "", ""
	}
	var kind, name string
	for _, r := range refs.Content() {
		k := manifest.ScalarString(manifest.MapGet(r, "kind"))
		n := manifest.ScalarString(manifest.MapGet(r, "name"))
		if n == "" || k == "Node" {
			continue
		}
		if manifest.ScalarString(manifest.MapGet(r, "controller")) == "true" {
			if k == "" {
				k = "Pod"
			}
			return k, n
		}
		if k == "" {
			continue
		}
		if kind == "" {
			kind, name = k, n
		}
	}
	return kind, name
}

func containerPorts(spec *manifest.Node) []ContainerPort {
	var out []ContainerPort
	containers := manifest.MapGet(spec, "containers")
	if containers == nil {
		return nil
	}
	for _, c := range containers.Content() {
		ports := manifest.MapGet(c, "ports")
		if ports == nil {
			continue
		}
		for _, p := range ports.Content() {
			port := atoi(manifest.ScalarString(manifest.MapGet(p, "containerPort")))
			if port <= 0 {
				continue
			}
			out = append(out, ContainerPort{
				Name:     manifest.ScalarString(manifest.MapGet(p, "name")),
				Port:     int32(port),
				Protocol: protocolOrTCP(manifest.ScalarString(manifest.MapGet(p, "protocol"))),
			})
		}
	}
	return out
}

// addImpliedServices stands in kube-dns and, once anything is in the mesh,
// istiod, when the set does not hold them: policies that allow DNS or the
// control plane must find something to match.
func (m *Model) addImpliedServices() {
	has := func(ns string, key, value string) bool {
		for _, w := range m.workloadsByNS[ns] {
			if w.Labels[key] == value {
				return true
			}
		}
		return false
	}
	if !m.Settings.NoImpliedKubeDNS && !has("kube-system", "k8s-app", "kube-dns") {
		m.addWorkload(&Workload{
			Kind: "Deployment", Namespace: "kube-system", Name: "kube-dns",
			Labels:         labels.Set{"k8s-app": "kube-dns"},
			ServiceAccount: "kube-dns",
			Ports: []ContainerPort{
				{Name: "dns", Port: 53, Protocol: "UDP"},
				{Name: "dns-tcp", Port: 53, Protocol: "TCP"},
			},
			Implied: true,
		})
		m.nsByName["kube-system"].Implied = m.nsByName["kube-system"].Object == nil
	}
	inMesh := false
	for _, w := range m.Workloads {
		if w.Mesh != MeshNone {
			inMesh = true
			break
		}
	}
	if inMesh && !m.Settings.NoImpliedIstiod && !has(m.Settings.IstiodNamespace, "app", "istiod") {
		m.addWorkload(&Workload{
			Kind: "Deployment", Namespace: m.Settings.IstiodNamespace, Name: "istiod",
			Labels:         labels.Set{"app": "istiod", "istio": "pilot"},
			ServiceAccount: "istiod",
			Ports: []ContainerPort{
				{Name: "grpc-xds", Port: 15012, Protocol: "TCP"},
				{Name: "https-webhooks", Port: 15017, Protocol: "TCP"},
			},
			Implied: true,
		})
	}
	m.sortIndexes()
	sort.SliceStable(m.Workloads, func(i, j int) bool { return m.Workloads[i].ID() < m.Workloads[j].ID() })
	for i, w := range m.Workloads {
		w.index = int32(i)
	}
}
