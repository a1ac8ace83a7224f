// Package mesh evaluates the mesh's own rules offline: which requests Istio
// authorization (current AuthorizationPolicy, and legacy RBAC read as the
// author's intent) and mTLS let from a source to a workload on a port.
//
// What a manifest cannot tell (the HTTP method of a request, its path, a JWT)
// is not guessed: a rule that depends on it yields a condition, carried to
// the output as "[methods=POST paths=/cart]".
package mesh

import (
	"sort"
	"strings"
)

// Match is a three-valued truth: a rule matches every request of a
// connection, none, or those that satisfy a condition.
type Match struct {
	// Cond is in disjunctive normal form: the match holds when every atom of
	// one of the terms holds. nil with Known means a plain truth value.
	Cond  [][]string
	Known bool
	True  bool
}

var (
	// Always matches every request.
	Always = Match{Known: true, True: true}
	// Never matches no request.
	Never = Match{Known: true}
)

// When is a condition of one atom, such as "methods=GET,POST".
func When(atom string) Match {
	if !satisfiable([]string{atom}) {
		return Never
	}
	return Match{Cond: [][]string{{atom}}}
}

// And is the conjunction of two matches.
func (a Match) And(b Match) Match {
	switch {
	case a.Known && !a.True, b.Known && !b.True:
		return Never
	case a.Known:
		return b
	case b.Known:
		return a
	}
	var out [][]string
	for _, x := range a.Cond {
		for _, y := range b.Cond {
			out = append(out, mergeTerm(x, y))
		}
	}
	return normal(out)
}

// Or is the disjunction of two matches.
func (a Match) Or(b Match) Match {
	switch {
	case a.Known && a.True, b.Known && b.True:
		return Always
	case a.Known:
		return b
	case b.Known:
		return a
	}
	return normal(append(append([][]string(nil), a.Cond...), b.Cond...))
}

// Not negates a match. A negated condition becomes one atom "not(...)":
// enough to print, and the analysis never needs to reason inside it.
func (a Match) Not() Match {
	if a.Known {
		return Match{Known: true, True: !a.True}
	}
	return When("not(" + a.String() + ")")
}

// Always reports whether the match holds for every request.
func (a Match) IsAlways() bool { return a.Known && a.True }

// IsNever reports whether the match holds for no request.
func (a Match) IsNever() bool { return a.Known && !a.True }

// String prints the condition as the graph shows it: terms joined by " | ",
// atoms of a term by spaces. Truth values print as "" (always) or "never".
func (a Match) String() string {
	if a.Known {
		if a.True {
			return ""
		}
		return "never"
	}
	terms := make([]string, len(a.Cond))
	for i, t := range a.Cond {
		terms[i] = strings.Join(t, " ")
	}
	return strings.Join(terms, " | ")
}

func mergeTerm(x, y []string) []string {
	out := append(append([]string(nil), x...), y...)
	sort.Strings(out)
	return dedupeStrings(out)
}

// normal sorts and dedupes terms, and drops those no request can meet
// (satisfiable, in vacuous.go): a condition is never printed for an edge
// that lets nothing through.
func normal(terms [][]string) Match {
	seen := map[string]bool{}
	var out [][]string
	for _, t := range terms {
		sort.Strings(t)
		t = dedupeStrings(t)
		key := strings.Join(t, "\x00")
		if !seen[key] {
			seen[key] = true
			if satisfiable(t) {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return Never
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], " ") < strings.Join(out[j], " ") })
	return Match{Cond: out}
}

func dedupeStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
