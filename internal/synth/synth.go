// Package synth writes synthetic clusters for benchmarks: namespaces of
// workloads with Services, ServiceAccounts, NetworkPolicies and Istio
// policies that look like a real mesh (tiers, cross-namespace callers, DNS
// egress), so that selector matching and connectivity do real work.
package synth

import (
	"bufio"
	"fmt"
	"io"
)

// Config sizes the cluster. The default (Default()) is 10,000 objects:
// 2,000 workloads in 100 namespaces.
type Config struct {
	Namespaces            int
	WorkloadsPerNamespace int
	// NetworkPolicies per namespace, besides a default-deny when DefaultDeny.
	NetworkPoliciesPerNamespace int
	DefaultDeny                 bool
	// AuthorizationPolicies per namespace (at most one per workload).
	AuthorizationPoliciesPerNamespace int
	PeerAuthentication                bool // one STRICT PeerAuthentication per namespace
	ServiceAccounts                   bool // one ServiceAccount per workload
	// MeshResources adds what decides membership and egress: every tenth
	// namespace (n%10 == 8) in ambient mode with a waypoint (a Gateway of
	// class istio-waypoint, istio.io/use-waypoint, a targetRefs policy),
	// a Sidecar in every sidecar namespace (half of them REGISTRY_ONLY),
	// and a ServiceEntry per namespace (every tenth with addresses).
	MeshResources bool
	// EditedPolicies makes a second version of the same cluster, for
	// diffs: that many policies edited, alternately a NetworkPolicy (svc-00's
	// egress to its tier's callees starts at 8081, not 8080) and an
	// AuthorizationPolicy (svc-01 lets svc-04 in where it let svc-00), one
	// per namespace from the first.
	EditedPolicies int
}

// Default is the 10,000-object cluster of the performance bar.
func Default() Config {
	return Config{
		Namespaces:                        100,
		WorkloadsPerNamespace:             20,
		NetworkPoliciesPerNamespace:       18,
		DefaultDeny:                       true,
		AuthorizationPoliciesPerNamespace: 19,
		PeerAuthentication:                true,
		ServiceAccounts:                   true,
	}
}

// Objects is how many objects Write produces for c.
func (c Config) Objects() int {
	per := 1 + 2*c.WorkloadsPerNamespace + c.NetworkPoliciesPerNamespace + c.AuthorizationPoliciesPerNamespace
	if c.DefaultDeny {
		per++
	}
	if c.PeerAuthentication {
		per++
	}
	if c.ServiceAccounts {
		per += c.WorkloadsPerNamespace
	}
	n := c.Namespaces * per
	if c.MeshResources {
		for i := 0; i < c.Namespaces; i++ {
			switch i % 10 {
			case 8: // ambient: a waypoint and a targetRefs policy
				n += 2
			case 9: // injection disabled: no Sidecar
			default:
				n++
			}
			n++ // the ServiceEntry
		}
	}
	return n
}

var tiers = []string{"frontend", "backend", "db", "cache"}

// edited reports whether the policy of kind k (0 svc-00's NetworkPolicy,
// 1 svc-01's AuthorizationPolicy) of workload i in namespace n is one of
// the edits.
func (c Config) edited(k, n, i int) bool {
	return i == k && 2*n+k < c.EditedPolicies
}

func netpolPort(c Config, n, i int) int {
	if c.edited(0, n, i) {
		return 8081
	}
	return 8080
}

func authzCaller(c Config, n, i int) string {
	if c.edited(1, n, i) {
		return "svc-04"
	}
	return "svc-00"
}

// Write writes the cluster as one multi-document YAML stream.
func Write(out io.Writer, c Config) error {
	w := bufio.NewWriterSize(out, 1<<16)
	for n := 0; n < c.Namespaces; n++ {
		ns := fmt.Sprintf("team-%03d", n)
		team := fmt.Sprintf("t%d", n%10)
		injection := "enabled"
		if n%10 == 9 {
			injection = "disabled"
		}
		ambient := c.MeshResources && n%10 == 8
		if ambient {
			fmt.Fprintf(w, "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: %s\n    istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint\n", ns, team)
		} else {
			fmt.Fprintf(w, "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: %s\n    istio-injection: %s\n", ns, team, injection)
		}
		if c.MeshResources {
			writeMeshResources(w, c, n, ns, ambient, injection == "enabled")
		}
		for i := 0; i < c.WorkloadsPerNamespace; i++ {
			app := fmt.Sprintf("svc-%02d", i)
			tier := tiers[i%len(tiers)]
			sa := "default"
			if c.ServiceAccounts {
				sa = app
				fmt.Fprintf(w, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n", sa, ns)
			}
			fmt.Fprintf(w, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app: %[1]s
spec:
  replicas: 2
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
        tier: %[3]s
        version: v%[4]d
    spec:
      serviceAccountName: %[5]s
      containers:
        - name: main
          image: registry.example.com/%[1]s:1.%[4]d
          ports:
            - name: http
              containerPort: 8080
            - name: grpc
              containerPort: 9090
            - name: metrics
              containerPort: 15090
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  selector:
    app: %[1]s
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: grpc
      port: 9090
      targetPort: grpc
`, app, ns, tier, i%3+1, sa)
		}
		if c.DefaultDeny {
			fmt.Fprintf(w, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: %s\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - protocol: UDP\n          port: 53\n        - protocol: TCP\n          port: 53\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: istio-system\n      ports:\n        - port: 15012\n", ns)
		}
		for i := 0; i < c.NetworkPoliciesPerNamespace && i < c.WorkloadsPerNamespace; i++ {
			app := fmt.Sprintf("svc-%02d", i)
			caller := fmt.Sprintf("t%d", (n+1)%10)
			fmt.Fprintf(w, `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-%[1]s
  namespace: %[2]s
spec:
  podSelector:
    matchLabels:
      app: %[1]s
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              tier: frontend
        - namespaceSelector:
            matchLabels:
              team: %[3]s
          podSelector:
            matchExpressions:
              - key: tier
                operator: In
                values: [frontend, backend]
      ports:
        - port: http
        - protocol: TCP
          port: 9090
  egress:
    - to:
        - podSelector:
            matchLabels:
              tier: %[4]s
      ports:
        - port: %[6]d
          endPort: 8090
    - to:
        - ipBlock:
            cidr: 10.%[5]d.0.0/16
            except: [10.%[5]d.1.0/24]
`, app, ns, caller, tiers[(i+1)%len(tiers)], n%250, netpolPort(c, n, i))
		}
		for i := 0; i < c.AuthorizationPoliciesPerNamespace && i < c.WorkloadsPerNamespace; i++ {
			app := fmt.Sprintf("svc-%02d", i)
			callerNS := fmt.Sprintf("team-%03d", (n+1)%c.Namespaces)
			fmt.Fprintf(w, `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-%[1]s
  namespace: %[2]s
spec:
  selector:
    matchLabels:
      app: %[1]s
  action: ALLOW
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/%[2]s/sa/%[4]s", "cluster.local/ns/%[3]s/sa/svc-01"]
      to:
        - operation:
            methods: ["GET", "POST"]
            paths: ["/api/*"]
            ports: ["8080"]
    - from:
        - source:
            namespaces: ["%[3]s"]
      to:
        - operation:
            ports: ["9090"]
`, app, ns, callerNS, authzCaller(c, n, i))
		}
		if c.PeerAuthentication {
			fmt.Fprintf(w, "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: %s\nspec:\n  mtls:\n    mode: STRICT\n", ns)
		}
	}
	return w.Flush()
}

// writeMeshResources writes a namespace's Sidecar or waypoint and its
// ServiceEntry.
func writeMeshResources(w *bufio.Writer, c Config, n int, ns string, ambient, injected bool) {
	callerNS := fmt.Sprintf("team-%03d", (n+1)%c.Namespaces)
	switch {
	case ambient:
		fmt.Fprintf(w, `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: %[1]s
spec:
  gatewayClassName: istio-waypoint
  listeners:
    - name: mesh
      port: 15008
      protocol: HBONE
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: svc-00-l7
  namespace: %[1]s
spec:
  targetRefs:
    - kind: Service
      group: ""
      name: svc-00
  rules:
    - from:
        - source:
            namespaces: ["%[1]s", "%[2]s"]
      to:
        - operation:
            methods: ["GET"]
`, ns, callerNS)
	case injected:
		mode := "ALLOW_ANY"
		if n%2 == 0 {
			mode = "REGISTRY_ONLY"
		}
		fmt.Fprintf(w, `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: %[1]s
spec:
  egress:
    - hosts:
        - ./*
        - istio-system/*
        - %[2]s/*
        - "*/api.%[1]s.example"
  outboundTrafficPolicy:
    mode: %[3]s
`, ns, callerNS, mode)
	}
	addresses, resolution := "", "DNS"
	if n%10 == 0 {
		// Istio takes CIDR addresses only without DNS resolution.
		addresses, resolution = fmt.Sprintf("\n  addresses: [100.64.%d.0/24]", n%250), "NONE"
	}
	fmt.Fprintf(w, `---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: api
  namespace: %[1]s
spec:
  hosts: [api.%[1]s.example]%[2]s
  location: MESH_EXTERNAL
  ports:
    - number: 443
      name: tls
      protocol: TLS
  resolution: %[3]s
  exportTo: ["."]
`, ns, addresses, resolution)
}
