package config

import (
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Matcher matches slash-separated paths, relative to the directory the
// patterns are relative to, against gitignore-style patterns:
//
//   - a pattern without a slash (other than a trailing one) matches a name at
//     any depth: `*.generated.yaml`, `vendor`;
//   - a pattern with a slash is anchored to the base directory: `/charts`,
//     `deploy/legacy/*.yaml`;
//   - `**` matches any number of directories; a trailing `/` matches only
//     directories; a leading `!` re-includes what an earlier pattern excluded;
//   - the last pattern that matches decides, and a path inside an excluded
//     directory stays excluded, as in git.
//
// Globbing itself is doublestar's (which also knows `{a,b}`).
type Matcher struct {
	patterns []pattern
}

type pattern struct {
	glob    string
	negate  bool
	dirOnly bool
}

// PatternError is an ignore pattern that does not compile.
type PatternError struct {
	Index   int
	Pattern string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("pattern %q is not a valid glob", e.Pattern)
}

// CompileIgnore compiles patterns in order.
func CompileIgnore(patterns []string) (*Matcher, error) {
	m := &Matcher{}
	for i, raw := range patterns {
		p := pattern{}
		s := strings.TrimSpace(raw)
		if strings.HasPrefix(s, "!") {
			p.negate = true
			s = s[1:]
		}
		if strings.HasSuffix(s, "/") && !strings.HasSuffix(s, `\/`) {
			p.dirOnly = true
			s = strings.TrimRight(s, "/")
		}
		anchored := strings.Contains(s, "/")
		s = strings.TrimPrefix(s, "/")
		if !anchored {
			s = "**/" + s
		}
		if s == "" || s == "**/" || !doublestar.ValidatePattern(s) {
			return nil, &PatternError{Index: i, Pattern: raw}
		}
		p.glob = s
		m.patterns = append(m.patterns, p)
	}
	return m, nil
}

// Match reports whether rel (relative to the base directory) is ignored.
// Paths outside the base directory never are.
func (m *Matcher) Match(rel string, isDir bool) bool {
	rel = path.Clean(rel)
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return false
	}
	// git cannot re-include a file whose directory is excluded; neither can we.
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if m.excluded(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return m.excluded(rel, isDir)
}

func (m *Matcher) excluded(rel string, isDir bool) bool {
	out := false
	for _, p := range m.patterns {
		if p.dirOnly && !isDir {
			continue
		}
		if doublestar.MatchUnvalidated(p.glob, rel) {
			out = !p.negate
		}
	}
	return out
}
