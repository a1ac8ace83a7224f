package rules

import (
	"sort"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// PeerAuthConflict reports PeerAuthentications of one scope that overlap.
var PeerAuthConflict = &analyzer.Rule{
	ID:       "MSH503",
	Name:     "peerauth-conflict",
	Severity: analyzer.Warning,
	Summary:  "Two PeerAuthentications of the same scope select the same workload.",
	Description: `Istio applies one PeerAuthentication per scope (workload, namespace, mesh). When
two of one scope select the same workload, the oldest wins and the other is
silently ignored; which one is oldest depends on the order they were applied,
so the mode can change on a redeploy.`,
	Bad: `# two namespace-wide policies in shop
kind: PeerAuthentication
metadata: {name: strict, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
kind: PeerAuthentication
metadata: {name: permissive, namespace: shop}
spec: {mtls: {mode: PERMISSIVE}}
`,
	Good: `kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
`,
	Fix:  "Keep one policy per scope; use a workload selector or portLevelMtls for exceptions.",
	Tags: []string{"correctness", "istio", "mtls"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		groups := map[string][]*model.PeerAuthentication{}
		var keys []string
		add := func(key string, pa *model.PeerAuthentication) {
			if _, ok := groups[key]; !ok {
				keys = append(keys, key)
			}
			groups[key] = append(groups[key], pa)
		}
		for _, pa := range m.PeerAuthentications {
			if pa.Selector == nil {
				add("namespace "+pa.Object.Namespace, pa)
			}
		}
		for _, w := range m.Workloads {
			var scoped []*model.PeerAuthentication
			for _, pa := range m.PeerAuthentications {
				// A selector in the root namespace is ignored (MSH211), not a conflict.
				if pa.Selector != nil && pa.Object.Namespace == w.Namespace && pa.Object.Namespace != m.Settings.RootNamespace && pa.Selector.Matches(w.Labels) {
					scoped = append(scoped, pa)
				}
			}
			if len(scoped) > 1 {
				for _, pa := range scoped {
					add("workload "+w.ID(), pa)
				}
			}
		}
		reported := map[[2]*model.PeerAuthentication]bool{}
		sort.Strings(keys)
		for _, key := range keys {
			list := groups[key]
			if len(list) < 2 {
				continue
			}
			sort.SliceStable(list, func(i, j int) bool { return list[i].Object.Name < list[j].Object.Name })
			first := list[0]
			for _, pa := range list[1:] {
				pair := [2]*model.PeerAuthentication{first, pa}
				if reported[pair] {
					continue
				}
				reported[pair] = true
				path := "spec.selector"
				if pa.Selector == nil {
					path = "metadata.name"
				}
				pass.Report(pa.Object, path, "PeerAuthentication %s and %s both apply at the scope of %s: Istio keeps only the oldest and ignores the other",
					first.Object.Name, pa.Object.Name, key).
					Relate(first.Object, "metadata.name", "the other policy of the same scope")
			}
		}
	},
}
