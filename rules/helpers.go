package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/model"
)

// selectorText prints a selector as users write it: {app=frontend}.
func selectorText(s labels.Selector) string {
	if s == nil || s.Empty() {
		return "{} (everything)"
	}
	return "{" + s.String() + "}"
}

// workloadList names up to three workloads and how many more there are,
// each once (the pods of one owner share its name).
func workloadList(ws []*model.Workload) string {
	names := make([]string, 0, len(ws))
	for _, w := range ws {
		names = append(names, w.ID())
	}
	sort.Strings(names)
	names = slices.Compact(names)
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}

// reportable drops the implied cluster workloads, which are never reported on.
func reportable(ws []*model.Workload) []*model.Workload {
	out := ws[:0:0]
	for _, w := range ws {
		if !w.Implied {
			out = append(out, w)
		}
	}
	return out
}

// peerText names a NetworkPolicy peer as users write it.
func peerText(p *model.NetpolPeer) string {
	switch {
	case p == nil:
		return "this rule (no from/to: every source)"
	case p.IPBlock != nil:
		return "ipBlock " + p.IPBlock.CIDR.String()
	case p.Namespaces != nil && p.Pods != nil:
		return "namespaceSelector " + selectorText(p.Namespaces) + " with podSelector " + selectorText(p.Pods)
	case p.Namespaces != nil:
		return "namespaceSelector " + selectorText(p.Namespaces)
	}
	return "podSelector " + selectorText(p.Pods)
}
