package policy

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/analyzer"
)

// meta is what a rule's # METADATA annotations say about it.
type meta struct {
	id, severity, name, title, description, help, fix string
	tags                                              []string
	// idAt is where the ID was declared, for conflict messages.
	idAt string
}

// rule makes the analyzer.Rule the metadata describes, with severity sev
// unless the metadata names one (readMeta has checked it parses).
func (md meta) rule(sev analyzer.Severity, tags ...string) *analyzer.Rule {
	if md.severity != "" {
		sev, _ = analyzer.ParseSeverity(md.severity)
	}
	return &analyzer.Rule{
		ID:          md.id,
		Name:        md.name,
		Severity:    sev,
		Summary:     md.title,
		Description: md.description,
		Fix:         md.fix,
		HelpURI:     md.help,
		Tags:        append(tags, md.tags...),
		Custom:      true,
	}
}

// readMeta merges the annotations that apply to the given rule definitions
// (rule, document, package and subpackages scope, closest first, as OPA's
// annotation chain orders them). Definitions that declare different IDs
// are an error: one package (or one conftest rule name) is one rule.
func readMeta(as *ast.AnnotationSet, defs []*ast.Rule) (meta, error) {
	var m meta
	for _, def := range defs {
		var own meta
		for _, ref := range as.Chain(def) {
			a := ref.Annotations
			if a == nil {
				continue
			}
			if err := own.fill(a); err != nil {
				return m, err
			}
		}
		if own.id != "" && m.id != "" && own.id != m.id {
			return m, fmt.Errorf("%s: custom.id %q differs from %q declared at %s: one policy package is one rule with one ID", own.idAt, own.id, m.id, m.idAt)
		}
		m.merge(own)
	}
	return m, nil
}

// fill sets the fields that are still empty from a.
func (m *meta) fill(a *ast.Annotations) error {
	where := "?"
	if a.Location != nil {
		where = fmt.Sprintf("%s:%d", a.Location.File, a.Location.Row)
	}
	str := func(key string) (string, error) {
		v, ok := a.Custom[key]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s: custom.%s must be a string, not %v", where, key, v)
		}
		return strings.TrimSpace(s), nil
	}
	set := func(dst *string, key string) error {
		v, err := str(key)
		if err == nil && *dst == "" {
			*dst = v
		}
		return err
	}
	if m.id == "" {
		if err := set(&m.id, "id"); err != nil {
			return err
		}
		if m.id != "" {
			m.idAt = where
			if strings.ContainsAny(m.id, " \t\n,") {
				return fmt.Errorf("%s: custom.id %q must not hold spaces or commas (it is used in --enable and --disable)", where, m.id)
			}
		}
	}
	for _, f := range []struct {
		dst *string
		key string
	}{{&m.severity, "severity"}, {&m.name, "name"}, {&m.fix, "fix"}} {
		if err := set(f.dst, f.key); err != nil {
			return err
		}
	}
	if m.severity != "" {
		if sev, err := analyzer.ParseSeverity(m.severity); err != nil || sev == 0 {
			return fmt.Errorf("%s: custom.severity %q: want error, warning or note", where, m.severity)
		}
	}
	if m.title == "" {
		m.title = strings.TrimSpace(a.Title)
	}
	if m.description == "" {
		m.description = strings.TrimSpace(a.Description)
	}
	if m.help == "" {
		for _, r := range a.RelatedResources {
			if r != nil && r.Ref.String() != "" {
				m.help = r.Ref.String()
				break
			}
		}
	}
	if m.tags == nil {
		if v, ok := a.Custom["tags"]; ok {
			list, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: custom.tags must be a list of strings", where)
			}
			for _, t := range list {
				s, ok := t.(string)
				if !ok {
					return fmt.Errorf("%s: custom.tags must be a list of strings", where)
				}
				m.tags = append(m.tags, s)
			}
		}
	}
	return nil
}

// merge takes o's fields where m has none.
func (m *meta) merge(o meta) {
	for _, f := range []struct{ dst, src *string }{
		{&m.id, &o.id}, {&m.idAt, &o.idAt}, {&m.severity, &o.severity}, {&m.name, &o.name},
		{&m.title, &o.title}, {&m.description, &o.description}, {&m.help, &o.help}, {&m.fix, &o.fix},
	} {
		if *f.dst == "" {
			*f.dst = *f.src
		}
	}
	if m.tags == nil {
		m.tags = o.tags
	}
}

// kebab turns a Rego name (snake_case, dotted) into a rule name.
func kebab(s string) string {
	return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(s))
}
