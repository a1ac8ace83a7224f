package helm

import (
	"regexp"
	"strings"
)

// scope is what "." stands for at a point of a template: the top (where
// .Values is the values), a part of the values (inside "with .Values.x",
// where ".port" is x.port), or something else (inside range or define).
type scope struct {
	top, values bool
	path        []string
}

// scopes follows the scopes a template's control actions open and close,
// line by line, and finds the values the other actions write out.
type scopes struct {
	stack []scope
}

var (
	controlAction = regexp.MustCompile(`^\{\{-?\s*(if|else|with|range|end|define|block|template)\b\s*(.*?)\s*-?\}\}$`)
	absoluteValue = regexp.MustCompile(`^\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_\-]*)*)$`)
	relativeValue = regexp.MustCompile(`^(\.[A-Za-z_][A-Za-z0-9_\-]*)+$`)
)

func (s *scopes) current() scope {
	if len(s.stack) == 0 {
		return scope{top: true}
	}
	return s.stack[len(s.stack)-1]
}

// resolve is the values path an expression names in the current scope, if
// it names one: .Values.a.b, $.Values.a.b, or .b (or .) inside a with of
// the values.
func (s *scopes) resolve(expr string) ([]string, bool) {
	if m := absoluteValue.FindStringSubmatch(expr); m != nil {
		if m[1] == "" {
			return nil, true
		}
		return strings.Split(strings.TrimPrefix(m[1], "."), "."), true
	}
	cur := s.current()
	if !cur.values {
		return nil, false
	}
	if expr == "." {
		return cur.path, true
	}
	if relativeValue.MatchString(expr) {
		return append(append([]string(nil), cur.path...), strings.Split(strings.TrimPrefix(expr, "."), ".")...), true
	}
	return nil, false
}

// scan reads the actions of one line in order. Control actions open and
// close scopes; the values the others write out (".Values.a.b" in
// "{{ .Values.a.b }}" or "{{ toYaml .Values.a | nindent 4 }}", ".port"
// inside "with .Values.a") are returned. Those of if, with and range decide
// what is written rather than being it, and are not.
func (s *scopes) scan(line string) [][]string {
	var out [][]string
	for _, a := range actions.FindAllString(line, -1) {
		if m := controlAction.FindStringSubmatch(a); m != nil {
			switch m[1] {
			case "end":
				if len(s.stack) > 0 {
					s.stack = s.stack[:len(s.stack)-1]
				}
			case "if":
				s.stack = append(s.stack, s.current())
			case "with":
				if path, ok := s.resolve(firstWord(m[2])); ok && !strings.ContainsAny(m[2], "|") {
					s.stack = append(s.stack, scope{values: true, path: path})
				} else {
					s.stack = append(s.stack, scope{})
				}
			case "range", "define", "block":
				s.stack = append(s.stack, scope{})
			}
			continue
		}
		inner := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(a, "{{"), "-"), "}}"), "-")
		for _, tok := range strings.FieldsFunc(inner, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '(' || r == ')' || r == '|' || r == ','
		}) {
			if path, ok := s.resolve(tok); ok && len(path) > 0 {
				out = append(out, path)
			}
		}
	}
	return out
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
