package connectivity

import (
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// Accessors of the mesh layer for explanations: which sources and ports a
// destination's verdict can tell apart, so that an explanation is worked
// out for those and shared by the rest, as the layer's own verdicts are.

// Evaluator is the authorization evaluator the layer decides with.
func (ml *MeshLayer) Evaluator() *mesh.Evaluator { return ml.e }

// DistinctSources are the workloads that some rule governing dst singles
// out (by principal, namespace or service account); every other workload
// gets the verdict of a stand-in with or without a mesh identity.
func (ml *MeshLayer) DistinctSources(dst *model.Workload) []*model.Workload {
	return ml.namedSources(dst)
}

// SourceAddressesMatter reports whether some rule governing dst looks at
// source addresses, so that external ranges may differ from each other.
func (ml *MeshLayer) SourceAddressesMatter(dst *model.Workload) bool { return ml.matchesIPs(dst) }

// Breakpoints are the TCP ports of dst where its verdict can change: the
// ports its policies and PeerAuthentications name, and its container
// ports. Every port between two of them is decided alike.
func (ml *MeshLayer) Breakpoints(dst *model.Workload) []int32 { return ml.breakpoints(dst) }

// OutsideDecided reports whether the mesh decides traffic to destinations
// outside the cluster (some ServiceEntry, or a REGISTRY_ONLY sidecar);
// otherwise the mesh layer leaves them out.
func (ml *MeshLayer) OutsideDecided() bool { return ml.outsideDecided }

// OutsideFrom is what the mesh lets workload w send to dst, a destination
// outside the cluster (a range or a ServiceEntry host), as the layer
// lists it for w's node.
func (ml *MeshLayer) OutsideFrom(w *model.Workload, dst *Node) Verdict { return ml.outsideFrom(w, dst) }
