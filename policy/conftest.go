package policy

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshlint/meshlint/analyzer"
)

// The rule names conftest evaluates (policy/engine.go of conftest).
var (
	conftestWarning = regexp.MustCompile("^warn(_[a-zA-Z0-9]+)*$")
	conftestFailure = regexp.MustCompile("^(deny|violation)(_[a-zA-Z0-9]+)*$")
)

// conftestRule is one rule name (deny, warn_labels, ...) of a conftest
// package, evaluated once per object with the object as input.
type conftestRule struct {
	set   *Set
	src   source
	query rego.PreparedEvalQuery
	// exception, when the package defines `exception`, matches the rule's
	// name as conftest does: data.<ns>.exception[_][_] == "<name without
	// the deny_/warn_/violation_ prefix>".
	exception *rego.PreparedEvalQuery
	pkg       string
}

func (s *Set) conftestRules(mods []module, namespaces []string) ([]source, error) {
	_, byPath := s.packages(mods)
	as := s.compiler.GetAnnotationSet()
	var out []source
	for _, ns := range namespaces {
		if strings.HasPrefix(ns+".", NativePrefix) {
			continue // meshlint-native packages are never conftest rules
		}
		p := "data." + ns
		var names []string
		defs := map[string][]*ast.Rule{}
		hasException := false
		for _, m := range byPath[p] {
			for _, r := range m.Rules {
				name := headName(r)
				if name == "exception" {
					hasException = true
				}
				if !conftestFailure.MatchString(name) && !conftestWarning.MatchString(name) {
					continue
				}
				// conftest refuses `deny if { ... }`: a boolean says nothing.
				if r.Head.Key == nil && r.Head.Value != nil && r.Head.Value.Equal(ast.InternedTerm(true)) && len(r.Head.Ref()) == 1 {
					return nil, fmt.Errorf("%s:%d: conftest rule %s uses `if` without `contains`: write `%s contains msg if { ... }`", r.Location.File, r.Location.Row, name, name)
				}
				if _, ok := defs[name]; !ok {
					names = append(names, name)
				}
				defs[name] = append(defs[name], r)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			src, err := s.conftestRule(as, ns, name, defs[name], hasException)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		}
	}
	return out, nil
}

func (s *Set) conftestRule(as *ast.AnnotationSet, ns, name string, defs []*ast.Rule, hasException bool) (source, error) {
	sort.Slice(defs, func(i, j int) bool { return defs[i].Location.Compare(defs[j].Location) < 0 })
	file := defs[0].Location.File
	md, err := readMeta(as, defs)
	if err != nil {
		return source{}, err
	}
	qualified := name
	if ns != DefaultNamespace {
		qualified = ns + "." + name
	}
	sev := analyzer.Error
	if conftestWarning.MatchString(name) {
		sev = analyzer.Warning
	}
	rule := md.rule(sev, "rego", "conftest")
	if rule.ID == "" {
		rule.ID = "CONFTEST-" + qualified
	}
	if rule.Name == "" {
		rule.Name = "conftest-" + kebab(qualified)
	}
	if rule.Summary == "" {
		rule.Summary = fmt.Sprintf("conftest rule %s of package %s", name, ns)
	}
	if rule.Description == "" {
		rule.Description = fmt.Sprintf("Rule `%s` of package `%s`, evaluated as conftest does: once per object, with the object as written as `input`.", name, ns)
	}
	cr := &conftestRule{set: s, src: source{rule: rule, file: file}, pkg: ns}
	p := "data." + ns
	if cr.query, err = s.prepare(p + "." + name); err != nil {
		return source{}, fmt.Errorf("%s: %w", file, err)
	}
	if hasException {
		bare := name
		for _, prefix := range []string{"deny_", "violation_", "warn_"} {
			bare = strings.TrimPrefix(bare, prefix)
		}
		if bare == "deny" || bare == "violation" || bare == "warn" {
			bare = ""
		}
		q, err := s.prepare(fmt.Sprintf("%s.exception[_][_] == %s", p, ast.StringTerm(bare)))
		if err != nil {
			return source{}, fmt.Errorf("%s: %w", file, err)
		}
		cr.exception = &q
	}
	rule.Run = cr.run
	return cr.src, nil
}

// conftestMsg is one message of a conftest rule for one object.
type conftestMsg struct {
	msg, path string
}

type objectVerdict struct {
	msgs     []conftestMsg
	excepted bool
}

func (r *conftestRule) run(pass *analyzer.Pass) {
	objs := Objects(pass.Model)
	ctx, cancelOpt, done := r.set.withDeadline()
	defer done()
	ctx, cancel := context.WithCancel(ctx) // the first error stops the other workers
	defer cancel()
	verdicts := make([]objectVerdict, len(objs))
	var (
		next     atomic.Int64
		finished atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	// Each evaluation is small; objects are shared out among workers so that
	// a large set keeps every core busy even when this is the only rule.
	for range min(runtime.GOMAXPROCS(0), 1+len(objs)/128) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(objs) {
					return
				}
				v, err := r.eval(ctx, cancelOpt, objs[i])
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				verdicts[i] = v
				finished.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr == nil && finished.Load() < int64(len(objs)) {
		// The deadline passed between two evaluations: the verdicts are
		// incomplete all the same.
		firstErr = r.set.evalError(ctx, r.src, ctx.Err())
	}
	if firstErr != nil {
		r.set.fail(pass.Model, firstErr)
		return
	}
	for i, v := range verdicts {
		obj := pass.Model.Objects[i]
		for _, m := range v.msgs {
			f := pass.Report(obj, m.path, "%s", m.msg)
			if v.excepted {
				f.Suppressed = &analyzer.Suppression{Kind: "inSource", Reason: "conftest exception in package " + r.pkg}
			}
		}
	}
}

func (r *conftestRule) eval(ctx context.Context, cancelOpt rego.EvalOption, obj *ast.Term) (objectVerdict, error) {
	var v objectVerdict
	rs, err := r.query.Eval(ctx, rego.EvalParsedInput(obj.Value), cancelOpt)
	if err != nil {
		return v, r.set.evalError(ctx, r.src, err)
	}
	for _, x := range resultValues(rs) {
		switch val := x.(type) {
		case string:
			v.msgs = append(v.msgs, conftestMsg{msg: val})
		case map[string]any:
			msg, ok := val["msg"].(string)
			if !ok {
				// conftest fails the same way: "msg" field must be present and a string.
				return v, fmt.Errorf("policy rule %s: result %s: the \"msg\" field must be present and a string", r.src, short(val))
			}
			// "path" is meshlint's addition; conftest keeps it as metadata.
			// A path that does not parse is ignored, not an error, so that
			// policies written for conftest alone keep working.
			path, err := fieldPath(val["path"])
			if err != nil {
				path = ""
			}
			v.msgs = append(v.msgs, conftestMsg{msg: msg, path: path})
		}
	}
	if len(v.msgs) > 0 && r.exception != nil {
		rs, err := r.exception.Eval(ctx, rego.EvalParsedInput(obj.Value), cancelOpt)
		if err != nil {
			return v, r.set.evalError(ctx, r.src, err)
		}
		v.excepted = len(rs) > 0
	}
	return v, nil
}
