package policy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/internal/synth"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/policy"
	"github.com/meshlint/meshlint/rules"
)

// benchRules are house rules of the kinds teams write, beside the examples:
// per-object checks, joins over the model, conftest rules. With the six
// rules of rules/rego/examples they make the 20 Rego rules of the benchmark.
var benchRules = map[string]string{
	"pod_label_team": `warn contains {"msg": "no team label", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": "spec.template.metadata.labels"} if {
	some o in input.objects
	o.kind in {"Deployment", "StatefulSet", "DaemonSet"}
	not o.spec.template.metadata.labels.team
}`,
	"pod_label_version": `warn contains {"msg": "no version label", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": "spec.template.metadata.labels"} if {
	some o in input.objects
	o.kind == "Deployment"
	not o.spec.template.metadata.labels.version
}`,
	"authz_has_selector": `deny contains {"msg": "applies to the whole namespace", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": "spec"} if {
	some o in input.objects
	o.kind == "AuthorizationPolicy"
	o.metadata.namespace != input.settings.rootNamespace
	not o.spec.selector
	not o.spec.targetRefs
}`,
	"authz_trust_domain": `deny contains {"msg": "foreign trust domain", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": sprintf("spec.rules[%d].from[%d].source.principals[%d]", [i, j, k])} if {
	some o in input.objects
	o.kind == "AuthorizationPolicy"
	some i, r in o.spec.rules
	some j, f in r.from
	some k, p in f.source.principals
	not startswith(p, concat("", [input.settings.trustDomain, "/"]))
}`,
	"authz_methods_upper": `deny contains {"msg": "lower-case method", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}} if {
	some o in input.objects
	o.kind == "AuthorizationPolicy"
	some r in o.spec.rules
	some t in r.to
	some m in t.operation.methods
	upper(m) != m
}`,
	"netpol_dns_egress": `deny contains {"msg": "egress without DNS", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": "spec.egress"} if {
	some o in input.objects
	o.kind == "NetworkPolicy"
	"Egress" in o.spec.policyTypes
	count(object.get(o.spec, "egress", [])) > 0
	not allows_dns(o.spec.egress)
}

allows_dns(egress) if {
	some e in egress
	some p in e.ports
	p.port == 53
}`,
	"netpol_ipblock_private": `warn contains {"msg": "public address block", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}} if {
	some o in input.objects
	o.kind == "NetworkPolicy"
	some e in o.spec.egress
	some peer in e.to
	not net.cidr_contains("10.0.0.0/8", peer.ipBlock.cidr)
	peer.ipBlock.cidr
}`,
	"peerauth_strict": `deny contains {"msg": "not STRICT", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": "spec.mtls.mode"} if {
	some o in input.objects
	o.kind == "PeerAuthentication"
	o.spec.mtls.mode != "STRICT"
}`,
	"namespace_team": `warn contains {"msg": "namespace without team", "object": {"kind": "Namespace", "name": ns.name}, "path": "metadata.labels"} if {
	some ns in input.namespaces
	not ns.implied
	not ns.labels.team
}`,
	"service_port_names": `warn contains {"msg": "port name without protocol", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": sprintf("spec.ports[%d]", [i])} if {
	some o in input.objects
	o.kind == "Service"
	some i, p in o.spec.ports
	not regex.match("^(http|http2|https|grpc|grpc-web|tcp|tls|udp|mongo|mysql|redis)(-.*)?$", p.name)
}`,
	"workload_ports": `warn contains {"msg": "no ports", "object": w.object} if {
	some w in input.workloads
	not w.implied
	count(w.ports) == 0
}`,
	"mesh_sidecar_required": `deny contains {"msg": "outside the mesh in a team namespace", "object": w.object, "path": "metadata.name"} if {
	teams := {ns.name | some ns in input.namespaces; ns.labels.team}
	some w in input.workloads
	not w.implied
	w.namespace in teams
	w.mesh == "none"
}`,
	"service_selects_workload": `warn contains {"msg": "selects no workload", "object": {"kind": o.kind, "namespace": o.metadata.namespace, "name": o.metadata.name}, "path": "spec.selector"} if {
	apps := {sprintf("%s/%s", [w.namespace, w.labels.app]) | some w in input.workloads; w.labels.app}
	some o in input.objects
	o.kind == "Service"
	not sprintf("%s/%s", [o.metadata.namespace, o.spec.selector.app]) in apps
}`,
	"conftest_replicas": `package main

deny_replicas contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < 2
	msg := sprintf("%s runs a single replica", [input.metadata.name])
}`,
}

// benchPolicies writes the benchmark's rules and the examples into one
// directory and loads them.
func benchPolicies(b *testing.B) *policy.Set {
	b.Helper()
	dir := b.TempDir()
	examples, err := filepath.Glob("../rules/rego/examples/*")
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range examples {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	names := make([]string, 0, len(benchRules))
	for name := range benchRules {
		names = append(names, name)
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		body := benchRules[name]
		src := body
		if !strings.HasPrefix(body, "package ") {
			n++
			src = withID(fmt.Sprintf("BENCH%02d", n), "meshlint.rules.bench_"+name, body+"\n")
		}
		if err := os.WriteFile(filepath.Join(dir, "bench_"+name+".rego"), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	set, err := policy.Load(policy.Options{Dirs: []string{dir}})
	if err != nil {
		b.Fatal(err)
	}
	if len(set.Rules()) != 20 {
		b.Fatalf("%d Rego rules, want 20", len(set.Rules()))
	}
	return set
}

// synthModel loads the 10,000-object cluster of internal/synth.
func synthModel(b *testing.B, file string) *model.Model {
	b.Helper()
	res, err := loader.Load([]string{file}, loader.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return model.Build(res, model.DefaultSettings())
}

func synthFile(b *testing.B) string {
	b.Helper()
	file := filepath.Join(b.TempDir(), "cluster.yaml")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := synth.Write(f, synth.Default()); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return file
}

// BenchmarkRules compares the built-in rules with 20 Rego rules on the
// 10,000-object cluster. Each iteration gets a fresh model, so the Rego
// figure includes converting the input, and cached analyses are not reused
// across iterations by either side.
func BenchmarkRules(b *testing.B) {
	file := synthFile(b)
	set := benchPolicies(b)
	for _, bb := range []struct {
		name  string
		rules []*analyzer.Rule
	}{
		{"builtin", rules.All()},
		{"rego20", set.Rules()},
	} {
		b.Run(bb.name, func(b *testing.B) {
			findings := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				m := synthModel(b, file)
				b.StartTimer()
				findings = len(analyzer.Run(m, bb.rules))
				if err := set.Err(m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// BenchmarkInput measures converting the 10,000 objects and the model into
// OPA values: the part of a Rego run that grows with the object set.
func BenchmarkInput(b *testing.B) {
	file := synthFile(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := synthModel(b, file)
		b.StartTimer()
		policy.Input(m, policy.Layers{})
	}
}
