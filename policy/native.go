package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// nativeRule is one package meshlint.rules.<name>.
type nativeRule struct {
	set *Set
	src source
	// at is the first deny/warn definition: findings about the policy itself
	// (a result naming an object that is not in the set) point there.
	at      manifest.Position
	entries []entry
}

// entry is one prepared query, data.<pkg>.deny or data.<pkg>.warn.
type entry struct {
	warn  bool
	query rego.PreparedEvalQuery
}

// packages groups the compiled modules by package path.
func (s *Set) packages(mods []module) (paths []string, byPath map[string][]*ast.Module) {
	byPath = map[string][]*ast.Module{}
	for _, m := range mods {
		compiled := s.compiler.Modules[m.file]
		p := compiled.Package.Path.String()
		if _, ok := byPath[p]; !ok {
			paths = append(paths, p)
		}
		byPath[p] = append(byPath[p], compiled)
	}
	sort.Strings(paths)
	return paths, byPath
}

// headName is the first name of a rule's head: deny for `deny contains x`.
func headName(r *ast.Rule) string {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	if v, ok := ref[0].Value.(ast.Var); ok {
		return string(v)
	}
	return ""
}

func (s *Set) nativeRules(mods []module) ([]source, error) {
	paths, byPath := s.packages(mods)
	as := s.compiler.GetAnnotationSet()
	var out []source
	for _, p := range paths {
		name, ok := strings.CutPrefix(p, "data."+NativePrefix)
		if !ok {
			continue
		}
		var defs []*ast.Rule
		kinds := map[string]bool{}
		for _, m := range byPath[p] {
			for _, r := range m.Rules {
				if n := headName(r); n == "deny" || n == "warn" {
					defs = append(defs, r)
					kinds[n] = true
				}
			}
		}
		if len(defs) == 0 {
			continue // a helper package: functions and data for other rules
		}
		sort.Slice(defs, func(i, j int) bool { return defs[i].Location.Compare(defs[j].Location) < 0 })
		file := defs[0].Location.File
		md, err := readMeta(as, defs)
		if err != nil {
			return nil, err
		}
		if md.id == "" {
			return nil, fmt.Errorf("%s: package %s has no rule ID: put a # METADATA block with `custom: {id: ...}` above the package or its deny/warn rule (see docs/rego.md)", file, strings.TrimPrefix(p, "data."))
		}
		sev := analyzer.Error
		if !kinds["deny"] {
			sev = analyzer.Warning
		}
		rule := md.rule(sev, "rego")
		if rule.Name == "" {
			rule.Name = kebab(name)
		}
		if rule.Summary == "" {
			rule.Summary = "Rego policy " + strings.TrimPrefix(p, "data.")
		}
		nr := &nativeRule{
			set: s,
			src: source{rule: rule, file: file},
			at:  manifest.Position{File: file, Line: defs[0].Location.Row, Column: defs[0].Location.Col},
		}
		for _, kind := range []string{"deny", "warn"} {
			if !kinds[kind] {
				continue
			}
			q, err := s.prepare(p + "." + kind)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			nr.entries = append(nr.entries, entry{warn: kind == "warn", query: q})
		}
		rule.Run = nr.run
		out = append(out, nr.src)
	}
	return out, nil
}

func (r *nativeRule) run(pass *analyzer.Pass) {
	in := Input(pass.Model, r.set.layers)
	ctx, cancelOpt, done := r.set.withDeadline()
	defer done()
	for _, e := range r.entries {
		rs, err := e.query.Eval(ctx, rego.EvalParsedInput(in), cancelOpt)
		if err != nil {
			r.set.fail(pass.Model, r.set.evalError(ctx, r.src, err))
			return
		}
		for _, v := range resultValues(rs) {
			if err := r.report(pass, e.warn, v); err != nil {
				r.set.fail(pass.Model, fmt.Errorf("policy rule %s: %w", r.src, err))
				return
			}
		}
	}
}

// resultValues flattens the value of a set or array rule into its elements.
func resultValues(rs rego.ResultSet) []any {
	var out []any
	for _, row := range rs {
		for _, ex := range row.Expressions {
			if list, ok := ex.Value.([]any); ok {
				out = append(out, list...)
			}
		}
	}
	return out
}

// report turns one result {"msg", "object", "path"} into a finding.
func (r *nativeRule) report(pass *analyzer.Pass, warn bool, v any) error {
	res, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("a result must be an object {\"msg\": ..., \"object\": {\"kind\", \"namespace\", \"name\"}, \"path\": ...}, not %s", short(v))
	}
	msg, ok := res["msg"].(string)
	if !ok {
		return fmt.Errorf("result %s has no \"msg\" string", short(v))
	}
	ref, err := objectRef(res["object"])
	if err != nil {
		return fmt.Errorf("result %s: %w", short(v), err)
	}
	path, err := fieldPath(res["path"])
	if err != nil {
		return fmt.Errorf("result %s: %w", short(v), err)
	}
	obj := lookupObject(pass.Model, ref)
	if obj == nil && implied(pass.Model, ref) {
		return nil // the kube-dns or istiod meshlint assumes: never reported on
	}
	if obj == nil {
		// The policy named something meshlint did not load (a typo, or an
		// implied workload such as kube-dns): say so where the rule is written.
		pass.ReportFile(r.at, "%s (the result names %s, which is not an object of the linted set)", msg, ref)
		return nil
	}
	f := pass.Report(obj, path, "%s", msg)
	if warn && f.Severity > analyzer.Warning {
		f.Severity = analyzer.Warning
	}
	return nil
}

// implied reports a reference to a workload or namespace meshlint assumes
// rather than read.
func implied(m *model.Model, ref manifest.Ref) bool {
	if ref.Kind == "Namespace" {
		ns := m.Namespace(ref.Name)
		return ns != nil && ns.Implied
	}
	for _, w := range m.Workloads {
		if w.Implied && w.Kind == ref.Kind && w.Name == ref.Name && (ref.Namespace == "" || ref.Namespace == w.Namespace) {
			return true
		}
	}
	return false
}

// objectRef reads the "object" of a result.
func objectRef(v any) (manifest.Ref, error) {
	o, ok := v.(map[string]any)
	if !ok {
		return manifest.Ref{}, fmt.Errorf("\"object\" must be {\"kind\", \"namespace\", \"name\"}")
	}
	get := func(k string) (string, error) {
		switch x := o[k].(type) {
		case nil:
			return "", nil
		case string:
			return x, nil
		}
		return "", fmt.Errorf("object.%s must be a string", k)
	}
	var ref manifest.Ref
	var err error
	for _, f := range []struct {
		dst *string
		key string
	}{{&ref.APIVersion, "apiVersion"}, {&ref.Kind, "kind"}, {&ref.Namespace, "namespace"}, {&ref.Name, "name"}} {
		if *f.dst, err = get(f.key); err != nil {
			return ref, err
		}
	}
	if ref.Kind == "" || ref.Name == "" {
		return ref, fmt.Errorf("\"object\" needs at least kind and name")
	}
	return ref, nil
}

// fieldPath reads "path": a string such as "spec.rules[0].from[0]", or a
// list of keys and indices as Gatekeeper and Regal write them.
func fieldPath(v any) (string, error) {
	switch p := v.(type) {
	case nil:
		return "", nil
	case string:
		if _, err := manifest.ParsePath(p); err != nil {
			return "", err
		}
		return p, nil
	case []any:
		path := ""
		for _, seg := range p {
			switch s := seg.(type) {
			case string:
				path = manifest.JoinKey(path, s)
			case float64:
				path = manifest.JoinIndex(path, int(s))
			case interface{ Int64() (int64, error) }:
				n, err := s.Int64()
				if err != nil {
					return "", fmt.Errorf("path index %v is not an integer", s)
				}
				path = manifest.JoinIndex(path, int(n))
			default:
				return "", fmt.Errorf("path element %v is neither a key nor an index", seg)
			}
		}
		return path, nil
	}
	return "", fmt.Errorf("\"path\" must be a string like \"spec.rules[0]\" or a list of keys and indices")
}

// short prints a value for an error message, cut to a readable length.
func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if t, err := ast.InterfaceToValue(v); err == nil {
		s = t.String()
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// objectKey identifies an object for lookups from policy results.
type objectKey struct{ kind, namespace, name string }

type objectIndex struct {
	exact  map[objectKey][]*manifest.Object
	byName map[objectKey][]*manifest.Object // namespace left empty
}

// lookupObject finds the object a result names. A result that names no
// namespace matches the object of that kind and name when there is only one;
// a workload's kind and name (an owned Pod's owner) find its manifest too.
func lookupObject(m *model.Model, ref manifest.Ref) *manifest.Object {
	idx := m.Derived("policy/object-index", func() any {
		idx := &objectIndex{exact: map[objectKey][]*manifest.Object{}, byName: map[objectKey][]*manifest.Object{}}
		add := func(k objectKey, o *manifest.Object) {
			idx.exact[k] = append(idx.exact[k], o)
			nk := objectKey{kind: k.kind, name: k.name}
			idx.byName[nk] = append(idx.byName[nk], o)
		}
		for _, o := range m.Objects {
			add(objectKey{o.Kind, o.Namespace, o.Name}, o)
		}
		for _, w := range m.Workloads {
			if w.Object != nil && (w.Kind != w.Object.Kind || w.Name != w.Object.Name) {
				add(objectKey{w.Kind, w.Namespace, w.Name}, w.Object)
			}
		}
		return idx
	}).(*objectIndex)
	candidates := idx.exact[objectKey{ref.Kind, ref.Namespace, ref.Name}]
	if len(candidates) == 0 && ref.Namespace == "" {
		if c := idx.byName[objectKey{kind: ref.Kind, name: ref.Name}]; len(c) == 1 {
			candidates = c
		}
	}
	for _, o := range candidates {
		if ref.APIVersion == "" || ref.APIVersion == o.APIVersion {
			return o
		}
	}
	return nil
}
