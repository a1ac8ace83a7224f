// Package envs splits what a run loaded into environments: sets of objects
// applied to one cluster together. Every model, rule and graph works inside
// one environment, never across two.
//
// Without a declaration in the config file, environments follow from the
// parts the loader returns: kustomizations (or charts) that draw on a common
// directory, such as the overlays of one base, are alternatives, each its own
// environment named by its path; overlays of several applications that bear
// the same name below their common directory (apps/a/overlays/prod and
// apps/b/overlays/prod) are one environment; plain manifests, and builds that
// share nothing with any other, join every environment.
//
// The config file may declare environments instead, by name and paths. A
// part no declared environment lists joins every environment, unless it is
// an alternative to one that is listed; alternatives listed in one declared
// environment NAME are still apart (NAME/prod, NAME/staging).
package envs

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/loader"
)

// Env is one environment.
type Env struct {
	// Name is the environment's name: the path of its overlay (a pattern
	// such as apps/*/overlays/prod for same-named overlays of several
	// applications), or its name in the config file. It is "" when the run
	// has one environment that nothing names.
	Name string
	// Parts are what the environment is made of, in load order.
	Parts []*loader.Part
	// Loaded holds the environment's objects (in load order), problems and
	// counts, as the model reads them. A run with one environment shares
	// the loader's own result: nothing is copied.
	Loaded *loader.Result
}

// Declared is an environment the config file lists.
type Declared struct {
	Name string
	// Paths are absolute; a path may hold glob patterns (filepath.Match) in
	// any of its elements. A part belongs to the environment when its file
	// or directory is one of them or lies below one.
	Paths []string
}

// Split is how a run's parts were grouped.
type Split struct {
	Envs []*Env
	// LeftOut are parts no declared environment lists that share a base
	// with one that is listed: an overlay the config leaves out.
	LeftOut []*loader.Part
	// Empty names the declared environments that match nothing loaded.
	Empty []string
}

// Group splits res into environments, following the declarations when
// there are any.
func Group(res *loader.Result, declared []Declared) *Split {
	if len(declared) > 0 {
		return groupDeclared(res, declared)
	}
	return groupParts(res)
}

// groupParts finds the alternatives among the builds.
func groupParts(res *loader.Result) *Split {
	all := make([]bool, len(res.Parts))
	for i := range all {
		all[i] = true
	}
	alts := alternatives(res, all)
	if len(alts) == 0 {
		return &Split{Envs: []*Env{{Parts: res.Parts, Loaded: res}}}
	}
	split := &Split{}
	for _, a := range alts {
		split.Envs = append(split.Envs, subset(res, pattern(a.names), a.keep))
	}
	return split
}

// alternative is one environment among alternatives: the parts it keeps,
// its key (its path below the directory its group has in common) and the
// names of its own builds.
type alternative struct {
	key   string
	names []string
	keep  []bool
}

// alternatives splits the parts within marks into alternatives: connected
// groups of builds that share something. Alternatives of different groups
// with one key are one environment; every part outside the groups joins
// each. It returns nil when there are no alternatives.
func alternatives(res *loader.Result, within []bool) []alternative {
	var builds []int
	for i, p := range res.Parts {
		if within[i] && p.Kind != loader.PartManifests {
			builds = append(builds, i)
		}
	}
	// Union-find over the builds: there are few of them.
	parent := map[int]int{}
	var find func(int) int
	find = func(i int) int {
		if parent[i] == i {
			return i
		}
		parent[i] = find(parent[i])
		return parent[i]
	}
	for _, i := range builds {
		parent[i] = i
	}
	for a, i := range builds {
		for _, j := range builds[a+1:] {
			if res.Parts[i].Shares(res.Parts[j]) {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int][]int{}
	var roots []int
	for _, i := range builds {
		r := find(i)
		if len(groups[r]) == 0 {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	var keys []string
	members := map[string][]int{}
	inGroup := map[int]bool{}
	for _, r := range roots {
		g := groups[r]
		if len(g) < 2 {
			continue
		}
		names := make([]string, len(g))
		for k, i := range g {
			names[k] = res.Parts[i].Name
			inGroup[i] = true
		}
		for k, key := range relativeNames(names) {
			if _, ok := members[key]; !ok {
				keys = append(keys, key)
			}
			members[key] = append(members[key], g[k])
		}
	}
	var out []alternative
	for _, key := range keys {
		a := alternative{key: key, keep: make([]bool, len(res.Parts))}
		for i := range res.Parts {
			a.keep[i] = within[i] && !inGroup[i]
		}
		for _, i := range members[key] {
			a.keep[i] = true
			a.names = append(a.names, res.Parts[i].Name)
		}
		out = append(out, a)
	}
	return out
}

// relativeNames returns each name below the longest directory the names
// have in common ("." for the common directory itself).
func relativeNames(names []string) []string {
	split := make([][]string, len(names))
	for i, n := range names {
		split[i] = strings.Split(n, "/")
	}
	common := len(split[0])
	for _, s := range split[1:] {
		k := 0
		for k < common && k < len(s) && s[k] == split[0][k] {
			k++
		}
		common = k
	}
	out := make([]string, len(names))
	for i, s := range split {
		out[i] = strings.Join(s[common:], "/")
		if out[i] == "" {
			out[i] = "."
		}
	}
	return out
}

// pattern names the environment several same-named overlays make up: their
// common path with a * where they differ (apps/*/overlays/prod).
func pattern(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	split := make([][]string, len(names))
	for i, n := range names {
		split[i] = strings.Split(n, "/")
		if len(split[i]) != len(split[0]) {
			return strings.Join(names, " + ")
		}
	}
	out := make([]string, len(split[0]))
	for k := range out {
		out[k] = split[0][k]
		for _, s := range split[1:] {
			if s[k] != out[k] {
				out[k] = "*"
			}
		}
	}
	return strings.Join(out, "/")
}

func groupDeclared(res *loader.Result, declared []Declared) *Split {
	split := &Split{}
	listed := make([][]bool, len(declared))
	anyListed := make([]bool, len(res.Parts))
	for d, decl := range declared {
		listed[d] = make([]bool, len(res.Parts))
		for i, p := range res.Parts {
			if p.Dir != "" && matchesAny(p.Dir, decl.Paths) {
				listed[d][i] = true
				anyListed[i] = true
			}
		}
	}
	// A part no environment lists joins them all, unless it is an
	// alternative to a listed one.
	everywhere := make([]bool, len(res.Parts))
	for i, p := range res.Parts {
		if anyListed[i] {
			continue
		}
		everywhere[i] = true
		if p.Kind == loader.PartManifests {
			continue
		}
		for j, q := range res.Parts {
			if anyListed[j] && p.Shares(q) {
				everywhere[i] = false
				split.LeftOut = append(split.LeftOut, p)
				break
			}
		}
	}
	for d, decl := range declared {
		keep := make([]bool, len(res.Parts))
		found := false
		for i := range res.Parts {
			keep[i] = listed[d][i] || everywhere[i]
			found = found || listed[d][i]
		}
		if !found {
			split.Empty = append(split.Empty, decl.Name)
			continue
		}
		// Overlays of one base listed together are still alternatives:
		// NAME/prod and NAME/staging.
		alts := alternatives(res, keep)
		if len(alts) == 0 {
			split.Envs = append(split.Envs, subset(res, decl.Name, keep))
		}
		for _, a := range alts {
			split.Envs = append(split.Envs, subset(res, decl.Name+"/"+a.key, a.keep))
		}
	}
	return split
}

// matchesAny reports whether path is one of the paths (or patterns) or lies
// below one.
func matchesAny(path string, patterns []string) bool {
	elems := strings.Split(filepath.ToSlash(path), "/")
	for _, p := range patterns {
		pe := strings.Split(filepath.ToSlash(filepath.Clean(p)), "/")
		if len(pe) > len(elems) {
			continue
		}
		ok := true
		for k, e := range pe {
			if m, err := filepath.Match(e, elems[k]); err != nil || !m {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// subset makes the environment of the parts keep marks.
func subset(res *loader.Result, name string, keep []bool) *Env {
	loaded := res.Subset(keep)
	return &Env{Name: name, Parts: loaded.Parts, Loaded: loaded}
}

// Pick returns the environment of that name, or an error that lists the
// names there are.
func Pick(all []*Env, name string) (*Env, error) {
	var names []string
	for _, e := range all {
		if e.Name == name {
			return e, nil
		}
		if e.Name != "" {
			names = append(names, e.Name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no environment %q: the run has one environment (no overlays of a common base, and the config file declares none)", name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("no environment %q (there are: %s)", name, strings.Join(names, ", "))
}
