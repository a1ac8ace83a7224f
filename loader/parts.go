package loader

import (
	"path/filepath"
	"sort"

	"github.com/meshlint/meshlint/helm"
	"github.com/meshlint/meshlint/manifest"
)

// PartKind says how a part's objects were made.
type PartKind int

const (
	// PartManifests is one plain manifest file (or stdin), named on the
	// command line or found while walking a directory.
	PartManifests PartKind = iota
	// PartKustomization is one kustomization, built.
	PartKustomization
)

// Part is one unit of what a run loaded: a plain manifest file, or one
// kustomization build (a rendered Helm chart with one set of values would be
// another). Environments are made of parts: parts that draw on a common
// directory (overlays of one base) are alternatives, the others are applied
// together.
type Part struct {
	Kind PartKind
	// Name is the part as users name it: the file or the kustomization's
	// directory, relative to the working directory (StdinName for stdin).
	Name string
	// Dir is the part's file or directory, absolute ("" for stdin).
	Dir string
	// Uses are the absolute paths of the directories and files the part is
	// made from beyond Dir, sorted: the bases, components and resource
	// files of a kustomization, followed through the kustomizations they
	// include. Two parts that use a common path are alternatives.
	Uses []string
	// Named is set when the part was named on the command line rather than
	// found while walking a directory.
	Named bool

	Objects  []*manifest.Object
	Problems []Problem
	Files    int
	Skipped  int
	// Hooks counts a chart's hooks left out (helm.go).
	Hooks int

	// values are, for fields rendered from a chart's values, where the
	// values are written (helm.go).
	values map[*manifest.Node][]helm.ValueRef
}

// Shares reports whether the two parts are made from a common directory or
// file, or one is made from the other: they are then alternatives, never
// applied together.
func (p *Part) Shares(q *Part) bool {
	if p.Kind == PartManifests || q.Kind == PartManifests {
		return false
	}
	if p.Dir == q.Dir {
		return true
	}
	in := func(path string, list []string) bool {
		i := sort.SearchStrings(list, path)
		return i < len(list) && list[i] == path
	}
	for _, u := range p.Uses {
		if u == q.Dir || in(u, q.Uses) {
			return true
		}
	}
	return in(p.Dir, q.Uses)
}

// PartOf returns the part that object i of Objects belongs to.
func (r *Result) PartOf(i int) *Part { return r.Parts[r.objectPart[i]] }

// filePart starts the part of one plain manifest file (name as shown; path
// on disk, "" for stdin).
func (l *loader) filePart(name, path string) int32 {
	abs := path
	if path != "" {
		if a, err := filepath.Abs(path); err == nil {
			abs = a
		}
	}
	return l.newPart(&Part{Kind: PartManifests, Name: name, Dir: abs})
}

func (l *loader) newPart(p *Part) int32 {
	l.res.Parts = append(l.res.Parts, p)
	return int32(len(l.res.Parts) - 1)
}

// kustomizationPart starts the part of a kustomization.
func (l *loader) kustomizationPart(k *kustomization, named bool) int32 {
	uses := l.closure(k, false)
	sort.Strings(uses)
	return l.newPart(&Part{Kind: PartKustomization, Name: l.display(k.dir), Dir: k.dir, Uses: compactSorted(uses), Named: named})
}

func compactSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Subset returns the result of the parts keep marks (by index in Parts):
// their objects in load order, their problems and their counts.
func (r *Result) Subset(keep []bool) *Result {
	out := &Result{}
	index := make([]int32, len(r.Parts))
	for i, p := range r.Parts {
		if !keep[i] {
			continue
		}
		index[i] = int32(len(out.Parts))
		out.Parts = append(out.Parts, p)
		out.Problems = append(out.Problems, p.Problems...)
		out.Files += p.Files
		out.Skipped += p.Skipped
	}
	for i, part := range r.objectPart {
		if keep[part] {
			out.Objects = append(out.Objects, r.Objects[i])
			out.objectPart = append(out.objectPart, index[part])
		}
	}
	return out
}
