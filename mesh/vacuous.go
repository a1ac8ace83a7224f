package mesh

import "strings"

// A term of a condition is a conjunction of atoms. Some terms no request can
// meet: [methods=GET notMethods=GET], or an ALLOW of GET less a DENY of GET,
// [methods=GET not(methods=GET)]. satisfiable finds those, so that the graph
// never draws an edge that lets nothing through. It is sound, not complete:
// a term it cannot disprove is kept.
//
// HTTP attributes match as Istio matches them (generator.go: exact, prefix
// "x*", suffix "*x", "*" for presence; hosts ignore case); a request always
// has a method, path and host. Path templates ({*}, {**}) are taken as
// matching anything when that keeps a term, nothing when that would drop it.

// httpDims are the HTTP attributes whose values satisfiable reasons about.
var httpDims = [...]string{"methods", "paths", "hosts"}

// dimConstraint is what a term requires of one HTTP attribute: a value that
// matches some pattern of each positive list and no negative pattern.
type dimConstraint struct {
	pos [][]string
	neg []string
}

// httpAtom splits "methods=GET,POST" or "notPaths=/x": dim index, values,
// and whether the atom excludes them.
func httpAtom(atom string) (int, []string, bool, bool) {
	key, vals, ok := strings.Cut(atom, "=")
	if !ok {
		return 0, nil, false, false
	}
	neg := false
	if strings.HasPrefix(key, "not") && len(key) > 3 {
		neg = true
		key = strings.ToLower(key[3:4]) + key[4:]
	}
	for i, d := range httpDims {
		if key == d {
			return i, strings.Split(vals, ","), neg, true
		}
	}
	return 0, nil, false, false
}

// satisfiable reports whether some request can meet every atom of term.
func satisfiable(term []string) bool {
	if plainTerm(term) {
		return true
	}
	var dims [len(httpDims)]dimConstraint
	var present map[string]bool // atoms the term asserts
	var absent []string         // atoms it denies: not(a)
	var denied [][]string       // conjunctions it denies: not(a b ...)
	for _, atom := range term {
		if inner, ok := negated(atom); ok {
			for _, t := range splitTerms(inner) {
				if len(t) != 1 {
					denied = append(denied, t)
					continue
				}
				if d, vals, neg, ok := httpAtom(t[0]); ok {
					addDim(&dims[d], vals, !neg)
					continue
				}
				absent = append(absent, t[0])
			}
			continue
		}
		if present == nil {
			present = map[string]bool{}
		}
		present[atom] = true
		if d, vals, neg, ok := httpAtom(atom); ok {
			addDim(&dims[d], vals, neg)
		}
	}
	for _, a := range absent {
		if present[a] {
			return false
		}
	}
	for i := range dims {
		if !dims[i].satisfiable(httpDims[i] == "hosts") {
			return false
		}
	}
	for _, t := range denied {
		all := true
		for _, a := range t {
			all = all && present[a]
		}
		if all {
			return false
		}
	}
	return true
}

// plainTerm reports, without parsing values, that a term has no negation
// and at most one atom per HTTP attribute: some request meets it.
func plainTerm(term []string) bool {
	var seen [len(httpDims)]bool
	for _, atom := range term {
		if strings.HasPrefix(atom, "not") {
			return false
		}
		key, _, _ := strings.Cut(atom, "=")
		for i, d := range httpDims {
			if key == d {
				if seen[i] {
					return false
				}
				seen[i] = true
			}
		}
	}
	return true
}

func addDim(c *dimConstraint, vals []string, neg bool) {
	if neg {
		c.neg = append(c.neg, vals...)
	} else {
		c.pos = append(c.pos, vals)
	}
}

// negated returns the inside of "not(...)".
func negated(atom string) (string, bool) {
	if strings.HasPrefix(atom, "not(") && strings.HasSuffix(atom, ")") {
		return atom[4 : len(atom)-1], true
	}
	return "", false
}

// splitTerms parses a printed condition (Match.String) into its terms and
// atoms, respecting parentheses.
func splitTerms(s string) [][]string {
	var out [][]string
	for _, t := range splitDepth0(s, " | ") {
		out = append(out, splitDepth0(t, " "))
	}
	return out
}

func splitDepth0(s, sep string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && strings.HasPrefix(s[i:], sep) {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func (c *dimConstraint) satisfiable(fold bool) bool {
	if len(c.pos) == 0 && len(c.neg) == 0 {
		return true
	}
	if fold {
		for i, p := range c.pos {
			c.pos[i] = lowerAll(p)
		}
		c.neg = lowerAll(c.neg)
	}
	for _, n := range c.neg {
		if n == "*" {
			return false // every request has the attribute
		}
	}
	// With a list of plain values the candidates are those values.
	for _, list := range c.pos {
		if !allLiteral(list) {
			continue
		}
		for _, v := range list {
			if c.admits(v) {
				return true
			}
		}
		return false
	}
	for i := range c.pos {
		for j := i + 1; j < len(c.pos); j++ {
			if disjointLists(c.pos[i], c.pos[j]) {
				return false
			}
		}
	}
	for _, list := range c.pos {
		covered := true
		for _, p := range list {
			covered = covered && coveredBy(p, c.neg)
		}
		if covered {
			return false
		}
	}
	return true
}

// admits reports whether the plain value v can meet the constraint.
func (c *dimConstraint) admits(v string) bool {
	for _, list := range c.pos {
		hit := false
		for _, p := range list {
			hit = hit || matchPattern(p, v, true)
		}
		if !hit {
			return false
		}
	}
	for _, n := range c.neg {
		if matchPattern(n, v, false) {
			return false
		}
	}
	return true
}

// matchPattern matches an Istio string pattern; a path template counts as
// matching when unknown is true.
func matchPattern(p, v string, unknown bool) bool {
	switch {
	case strings.Contains(p, "{"):
		return unknown
	case p == "*":
		return true
	case strings.HasSuffix(p, "*"):
		return strings.HasPrefix(v, p[:len(p)-1])
	case strings.HasPrefix(p, "*"):
		return strings.HasSuffix(v, p[1:])
	}
	return p == v
}

func allLiteral(list []string) bool {
	for _, p := range list {
		if strings.ContainsAny(p, "*{") {
			return false
		}
	}
	return true
}

// coveredBy reports whether every value p matches is matched by some
// pattern of neg.
func coveredBy(p string, neg []string) bool {
	if strings.Contains(p, "{") {
		return false
	}
	for _, n := range neg {
		switch {
		case strings.Contains(n, "{"):
		case n == "*", n == p:
			return true
		case strings.HasSuffix(n, "*") && !strings.HasPrefix(p, "*") && p != "*":
			prefix := n[:len(n)-1]
			if strings.HasPrefix(strings.TrimSuffix(p, "*"), prefix) {
				return true
			}
		case strings.HasPrefix(n, "*") && !strings.HasSuffix(p, "*") && p != "*":
			suffix := n[1:]
			if strings.HasSuffix(strings.TrimPrefix(p, "*"), suffix) {
				return true
			}
		}
	}
	return false
}

// disjointLists reports whether no value meets a pattern of each list.
func disjointLists(a, b []string) bool {
	for _, p := range a {
		for _, q := range b {
			if !disjoint(p, q) {
				return false
			}
		}
	}
	return true
}

func disjoint(p, q string) bool {
	switch {
	case strings.Contains(p, "{") || strings.Contains(q, "{") || p == "*" || q == "*":
		return false
	case !strings.Contains(p, "*"):
		return !matchPattern(q, p, true)
	case !strings.Contains(q, "*"):
		return !matchPattern(p, q, true)
	case strings.HasSuffix(p, "*") && strings.HasSuffix(q, "*"):
		a, b := p[:len(p)-1], q[:len(q)-1]
		return !strings.HasPrefix(a, b) && !strings.HasPrefix(b, a)
	case strings.HasPrefix(p, "*") && strings.HasPrefix(q, "*"):
		a, b := p[1:], q[1:]
		return !strings.HasSuffix(a, b) && !strings.HasSuffix(b, a)
	}
	return false // a prefix and a suffix pattern always share a value
}

func lowerAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToLower(v)
	}
	return out
}
