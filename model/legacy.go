package model

import (
	"github.com/meshlint/meshlint/manifest"
)

// The legacy Istio RBAC schema (rbac.istio.io/v1alpha1, removed in Istio
// 1.6). istio.io/api no longer ships it, so it is written out here.

// ServiceRoleSpec is the spec of a ServiceRole.
type ServiceRoleSpec struct {
	Rules []AccessRule `json:"rules"`
}

// AccessRule is one permission of a ServiceRole.
type AccessRule struct {
	Services    []string     `json:"services,omitempty"`
	Hosts       []string     `json:"hosts,omitempty"`
	NotHosts    []string     `json:"notHosts,omitempty"`
	Paths       []string     `json:"paths,omitempty"`
	NotPaths    []string     `json:"notPaths,omitempty"`
	Methods     []string     `json:"methods,omitempty"`
	NotMethods  []string     `json:"notMethods,omitempty"`
	Ports       []int32      `json:"ports,omitempty"`
	NotPorts    []int32      `json:"notPorts,omitempty"`
	Constraints []Constraint `json:"constraints,omitempty"`
}

// Constraint is a custom key of an AccessRule.
type Constraint struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// ServiceRoleBindingSpec is the spec of a ServiceRoleBinding.
type ServiceRoleBindingSpec struct {
	Subjects []Subject    `json:"subjects"`
	RoleRef  *RoleRef     `json:"roleRef,omitempty"`
	Role     string       `json:"role,omitempty"`
	Actions  []AccessRule `json:"actions,omitempty"`
	Mode     string       `json:"mode,omitempty"`
}

// Subject is who a binding grants its role to.
type Subject struct {
	User          string            `json:"user,omitempty"`
	Names         []string          `json:"names,omitempty"`
	NotNames      []string          `json:"notNames,omitempty"`
	Group         string            `json:"group,omitempty"`
	Groups        []string          `json:"groups,omitempty"`
	NotGroups     []string          `json:"notGroups,omitempty"`
	Namespaces    []string          `json:"namespaces,omitempty"`
	NotNamespaces []string          `json:"notNamespaces,omitempty"`
	IPs           []string          `json:"ips,omitempty"`
	NotIPs        []string          `json:"notIps,omitempty"`
	Properties    map[string]string `json:"properties,omitempty"`
}

// RoleRef names the ServiceRole of a binding.
type RoleRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// RbacConfigSpec is the spec of RbacConfig and ClusterRbacConfig.
type RbacConfigSpec struct {
	Mode            string      `json:"mode,omitempty"`
	Inclusion       *RbacTarget `json:"inclusion,omitempty"`
	Exclusion       *RbacTarget `json:"exclusion,omitempty"`
	EnforcementMode string      `json:"enforcementMode,omitempty"`
}

// RbacTarget lists the services and namespaces RBAC is turned on or off for.
type RbacTarget struct {
	Services   []string `json:"services,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
}

// ServiceRole is a legacy ServiceRole, in any group (the author's intent
// counts even where the API never served it).
type ServiceRole struct {
	Object *manifest.Object
	Spec   ServiceRoleSpec
}

// ServiceRoleBinding is a legacy ServiceRoleBinding.
type ServiceRoleBinding struct {
	Object *manifest.Object
	Spec   ServiceRoleBindingSpec
	// SubjectRefs are subjects written as Kubernetes-style references
	// (subjects[].ref), which Istio never read but which state the intent
	// plainly; the article teaches this form.
	SubjectRefs []SubjectRef
}

// SubjectRef is a subjects[].ref entry, kept as the author's intent.
type SubjectRef struct {
	Path      string // spec.subjects[0].ref
	Kind      string
	Name      string
	Namespace string
}

// RbacConfig is a legacy RbacConfig or ClusterRbacConfig.
type RbacConfig struct {
	Object *manifest.Object
	Spec   RbacConfigSpec
}

// ServiceRoleNamed returns the ServiceRole ns/name, or nil.
func (m *Model) ServiceRoleNamed(ns, name string) *ServiceRole {
	for _, r := range m.ServiceRoles {
		if r.Object.Namespace == ns && r.Object.Name == name {
			return r
		}
	}
	return nil
}

func (m *Model) buildLegacy() {
	for _, o := range m.byKind["ServiceRole"] {
		r := &ServiceRole{Object: o}
		m.decodeK8s(o, "spec", &r.Spec)
		m.ServiceRoles = append(m.ServiceRoles, r)
	}
	for _, o := range m.byKind["ServiceRoleBinding"] {
		b := &ServiceRoleBinding{Object: o}
		m.decodeK8s(o, "spec", &b.Spec)
		b.SubjectRefs = subjectRefs(o)
		m.ServiceRoleBindings = append(m.ServiceRoleBindings, b)
	}
	for _, kind := range []string{"RbacConfig", "ClusterRbacConfig"} {
		for _, o := range m.byKind[kind] {
			c := &RbacConfig{Object: o}
			m.decodeK8s(o, "spec", &c.Spec)
			m.RbacConfigs = append(m.RbacConfigs, c)
		}
	}
}

func subjectRefs(o *manifest.Object) []SubjectRef {
	subjects := o.Lookup("spec.subjects")
	if subjects == nil {
		return nil
	}
	var refs []SubjectRef
	for i, s := range subjects.Content() {
		ref := manifest.MapGet(s, "ref")
		if ref == nil {
			continue
		}
		refs = append(refs, SubjectRef{
			Path:      manifest.JoinIndex("spec.subjects", i) + ".ref",
			Kind:      manifest.ScalarString(manifest.MapGet(ref, "kind")),
			Name:      manifest.ScalarString(manifest.MapGet(ref, "name")),
			Namespace: manifest.ScalarString(manifest.MapGet(ref, "namespace")),
		})
	}
	return refs
}
