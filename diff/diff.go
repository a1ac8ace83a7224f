// Package diff compares two versions of a cluster's manifests: per
// environment and per connectivity layer, the pairs whose connection the
// change opens, closes or changes, and the objects whose edit did it. The
// result is a data structure every format reads (txt in netpol-analyzer's
// words, JSON, a Markdown pull-request comment, the HTML report's diff
// view).
package diff

import (
	"sort"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Layers are the layers a diff can compare, in the order reports show them.
var Layers = []connectivity.Layer{connectivity.LayerNetwork, connectivity.LayerMesh, connectivity.LayerEffective}

// Options select what is compared.
type Options struct {
	// Layers to compare (default: all three).
	Layers []connectivity.Layer
	// ShowImplied keeps the pairs of the cluster services meshlint assumes
	// (kube-dns, istiod).
	ShowImplied bool
}

// Env is one environment of one version.
type Env struct {
	// Name is how reports name the environment ("" when the run has one).
	Name string
	// Key pairs the environments of the two versions: the name below the
	// version's own path, so that v1/overlays/prod and v2/overlays/prod
	// are one environment.
	Key   string
	Model *model.Model
}

// Result is a whole diff.
type Result struct {
	// Old and New name the two versions (paths, or a git revision).
	Old, New     string
	Environments []*Environment
}

// Environment is the diff of one environment.
type Environment struct {
	Name string
	// Only is "old" or "new" when one version alone has the environment:
	// nothing is compared then.
	Only string
	// WorkloadsAdded and WorkloadsRemoved are the workloads (node IDs) one
	// version alone has.
	WorkloadsAdded, WorkloadsRemoved []string
	// Layers are the layers compared, in the order of Layers.
	Layers []*LayerDiff

	// OldModel and NewModel are the two models (nil on the side that lacks
	// the environment), for reports that draw more of them (HTML).
	OldModel, NewModel *model.Model
}

// Layer returns the diff of one layer, or nil when it was not compared.
func (e *Environment) Layer(l connectivity.Layer) *LayerDiff {
	for _, ld := range e.Layers {
		if ld.Layer == l {
			return ld
		}
	}
	return nil
}

// LayerDiff is what changed in one layer.
type LayerDiff struct {
	Layer   connectivity.Layer
	Changes []*Change
	Counts  Counts
}

// Counts sum up a layer's changes: Opens are added pairs, Closes removed
// ones; a changed pair Narrows (lets no more through than before), Widens
// (no less), or else Reshapes.
type Counts struct {
	Opens    int `json:"opens"`
	Closes   int `json:"closes"`
	Narrows  int `json:"narrows"`
	Widens   int `json:"widens"`
	Reshapes int `json:"reshapes"`
}

// Total is the number of changed pairs.
func (c Counts) Total() int { return c.Opens + c.Closes + c.Narrows + c.Widens + c.Reshapes }

// Effect words for a change.
const (
	EffectOpens    = "opens"
	EffectCloses   = "closes"
	EffectNarrows  = "narrows"
	EffectWidens   = "widens"
	EffectReshapes = "reshapes"
)

// Change is one pair whose connection differs.
type Change struct {
	Type connectivity.ChangeType
	// Effect is opens, closes, narrows, widens or reshapes.
	Effect   string
	Src, Dst string
	// Old and New are each side's connection (nil: none).
	Old, New *connectivity.Verdict
	// WorkloadsDiffInfo names the ends one version lacks, as
	// netpol-analyzer does ("workload ns/a[Deployment] added").
	WorkloadsDiffInfo string
	// Causes are the objects whose edit changed the pair.
	Causes []Cause

	pair connectivity.PairChange
}

// OldConn and NewConn print each side's connection ("No Connections").
func (c *Change) OldConn() string { return connectivity.ConnText(c.Old) }
func (c *Change) NewConn() string { return connectivity.ConnText(c.New) }

// Cause is an object (or one rule of it) whose edit changed a pair.
type Cause struct {
	Object manifest.Ref
	// Path is the field: a rule (spec.ingress[1]), a workload's labels.
	Path string
	// Location is the field in the version it is read from: NEW, or OLD
	// for an object the change deleted (Version says which).
	Location manifest.Position
	Version  string
	// Effect says what the edit did to the pair: "now admits", "no longer
	// admits", "now isolates ingress", "labels changed", ...
	Effect string
	// Detail adds the ports or mode concerned, when there are some.
	Detail string
	// Layer is the layer the object belongs to: network, mesh, or "" for a
	// workload or namespace (both layers).
	Layer connectivity.Layer
}

// Compare diffs every environment of two versions, pairing them by Key.
func Compare(oldName, newName string, old, new []Env, opts Options) *Result {
	if len(opts.Layers) == 0 {
		opts.Layers = Layers
	}
	res := &Result{Old: oldName, New: newName}
	oldByKey := map[string]Env{}
	for _, e := range old {
		oldByKey[e.Key] = e
	}
	// A run whose versions both have one environment compares them whatever
	// their names (a single overlay renamed, say).
	if len(old) == 1 && len(new) == 1 {
		oldByKey = map[string]Env{new[0].Key: old[0]}
	}
	seen := map[string]bool{}
	for _, n := range new {
		seen[n.Key] = true
		o, ok := oldByKey[n.Key]
		if !ok {
			res.Environments = append(res.Environments, &Environment{Name: n.Name, Only: "new", NewModel: n.Model})
			continue
		}
		res.Environments = append(res.Environments, compareEnv(n.Name, o.Model, n.Model, opts))
	}
	for _, o := range old {
		if !seen[o.Key] && !(len(old) == 1 && len(new) == 1) {
			res.Environments = append(res.Environments, &Environment{Name: o.Name, Only: "old", OldModel: o.Model})
		}
	}
	sort.SliceStable(res.Environments, func(i, j int) bool { return res.Environments[i].Name < res.Environments[j].Name })
	return res
}

func compareEnv(name string, old, new *model.Model, opts Options) *Environment {
	e := &Environment{Name: name, OldModel: old, NewModel: new}
	gOld, gNew := connectivity.Network(old), connectivity.Network(new)
	oldIDs, newIDs := nodeIDs(gOld), nodeIDs(gNew)
	for id, n := range newIDs {
		if oldIDs[id] == nil && (opts.ShowImplied || !n.Implied) {
			e.WorkloadsAdded = append(e.WorkloadsAdded, id)
		}
	}
	for id, n := range oldIDs {
		if newIDs[id] == nil && (opts.ShowImplied || !n.Implied) {
			e.WorkloadsRemoved = append(e.WorkloadsRemoved, id)
		}
	}
	sort.Strings(e.WorkloadsAdded)
	sort.Strings(e.WorkloadsRemoved)
	cs := &causes{old: old, new: new}
	for _, layer := range Layers {
		if !wanted(opts.Layers, layer) {
			continue
		}
		ld := &LayerDiff{Layer: layer}
		for _, pc := range connectivity.Diff(old, new, layer, connectivity.Options{ShowImplied: opts.ShowImplied}) {
			c := &Change{Type: pc.Type, Src: pc.Src.ID, Dst: pc.Dst.ID, Old: pc.Old, New: pc.New, pair: pc}
			c.Effect = effect(pc)
			c.WorkloadsDiffInfo = workloadsInfo(pc, oldIDs, newIDs)
			c.Causes = cs.of(layer, pc)
			ld.Changes = append(ld.Changes, c)
			ld.Counts.add(c.Effect)
		}
		e.Layers = append(e.Layers, ld)
	}
	return e
}

func wanted(layers []connectivity.Layer, l connectivity.Layer) bool {
	for _, x := range layers {
		if x == l {
			return true
		}
	}
	return false
}

func nodeIDs(g *connectivity.Graph) map[string]*connectivity.Node {
	out := map[string]*connectivity.Node{}
	for _, n := range g.WorkloadNodes() {
		out[n.ID] = n
	}
	return out
}

func effect(pc connectivity.PairChange) string {
	switch {
	case pc.Type == connectivity.Added:
		return EffectOpens
	case pc.Type == connectivity.Removed:
		return EffectCloses
	case connectivity.Narrower(*pc.New, *pc.Old):
		return EffectNarrows
	case connectivity.Narrower(*pc.Old, *pc.New):
		return EffectWidens
	}
	return EffectReshapes
}

func (c *Counts) add(effect string) {
	switch effect {
	case EffectOpens:
		c.Opens++
	case EffectCloses:
		c.Closes++
	case EffectNarrows:
		c.Narrows++
	case EffectWidens:
		c.Widens++
	default:
		c.Reshapes++
	}
}

// workloadsInfo is netpol-analyzer's workloads-diff-info: on an added line
// the workload ends the old version lacks, on a removed line those the new
// one lacks; never on a changed line.
func workloadsInfo(pc connectivity.PairChange, oldIDs, newIDs map[string]*connectivity.Node) string {
	other, word := oldIDs, "added"
	switch pc.Type {
	case connectivity.Removed:
		other, word = newIDs, "removed"
	case connectivity.Changed:
		return ""
	}
	var lost []string
	for _, end := range []connectivity.DiffEnd{pc.Src, pc.Dst} {
		if !end.External && other[end.ID] == nil {
			lost = append(lost, end.ID)
		}
	}
	if len(lost) == 0 {
		return ""
	}
	out := "workload "
	for i, id := range lost {
		if i > 0 {
			out += " and "
		}
		out += id
	}
	return out + " " + word
}
