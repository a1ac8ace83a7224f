// Package policy runs users' Rego policies as meshlint rules.
//
// Two kinds of policy are read from the --policy directories:
//
//   - meshlint-native rules: package meshlint.rules.<name>, rules deny and
//     warn, evaluated once over the whole object set and model (the input
//     documented in docs/rego.md). Each package is one analyzer.Rule whose
//     ID, severity and help come from its # METADATA annotations.
//   - conftest rules: rules deny, violation and warn (and deny_* etc.) of
//     package main, evaluated once per object with the object as input,
//     exactly as conftest evaluates them.
//
// Modules are compiled and queries prepared once, in Load; the input is
// converted to OPA values once per model (model.Derived) and shared by every
// rule. Findings go through analyzer.Pass like any built-in rule's, so they
// get the same locations, formats, filters and suppressions.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// DefaultTimeout bounds one rule's evaluation over the whole object set.
const DefaultTimeout = 10 * time.Second

// DefaultNamespace is the package conftest reads rules from.
const DefaultNamespace = "main"

// NativePrefix is the package prefix of meshlint-native rules.
const NativePrefix = "meshlint.rules."

// Options say where the policies are and how to run them.
type Options struct {
	// Dirs are the --policy directories (or single files).
	Dirs []string
	// Namespaces are the packages whose deny, violation and warn rules run
	// conftest-style, once per object. Empty means "main".
	Namespaces []string
	// Timeout bounds each rule's evaluation; zero means DefaultTimeout.
	Timeout time.Duration
	// Print receives the output of Rego print() calls; nil drops them.
	Print io.Writer
	// Builtin are the rules whose IDs and names policies may not take.
	Builtin []*analyzer.Rule
}

// Set is a compiled set of policies, ready to evaluate against any model.
type Set struct {
	timeout  time.Duration
	compiler *ast.Compiler
	store    storage.Store
	print    io.Writer
	rules    []*analyzer.Rule
	// layers are the connectivity layers some module reads from
	// input.connectivity.
	layers Layers
}

// Load reads, parses and compiles the policies and prepares one query per
// rule. A module that does not parse or compile, a data file that does not
// parse, or a native rule without an ID is an error that names the file.
func Load(opts Options) (*Set, error) {
	if len(opts.Dirs) == 0 {
		return &Set{}, nil
	}
	fs, err := loadDirs(opts.Dirs, false)
	if err != nil {
		return nil, err
	}
	if len(fs.modules) == 0 {
		return nil, fmt.Errorf("--policy %s: no Rego policies (.rego files other than _test.rego) found", strings.Join(opts.Dirs, ", "))
	}
	s := &Set{timeout: opts.Timeout, print: opts.Print}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	s.compiler = ast.NewCompiler().WithEnablePrintStatements(opts.Print != nil)
	mods := make(map[string]*ast.Module, len(fs.modules))
	for _, m := range fs.modules {
		mods[m.file] = m.parsed
	}
	if s.compiler.Compile(mods); s.compiler.Failed() {
		return nil, regoError("does not compile", s.compiler.Errors)
	}
	s.store = inmem.NewFromObject(fs.data)
	s.layers = readsConnectivity(fs.modules)

	namespaces := opts.Namespaces
	if len(namespaces) == 0 {
		namespaces = []string{DefaultNamespace}
	}
	native, err := s.nativeRules(fs.modules)
	if err != nil {
		return nil, err
	}
	conftest, err := s.conftestRules(fs.modules, namespaces)
	if err != nil {
		return nil, err
	}
	seen := map[string]source{}
	for _, b := range opts.Builtin {
		seen[strings.ToLower(b.ID)] = source{rule: b, file: "built in"}
		seen[strings.ToLower(b.Name)] = source{rule: b, file: "built in"}
	}
	for _, src := range append(native, conftest...) {
		for _, key := range []string{strings.ToLower(src.rule.ID), strings.ToLower(src.rule.Name)} {
			if other, dup := seen[key]; dup && other.rule != src.rule {
				return nil, fmt.Errorf("policy rules %s and %s share the ID or name %q: IDs and names must be unique", src, other, key)
			}
			seen[key] = src
		}
		s.rules = append(s.rules, src.rule)
	}
	sort.SliceStable(s.rules, func(i, j int) bool { return s.rules[i].ID < s.rules[j].ID })
	return s, nil
}

// Layers says which connectivity layers input.connectivity holds.
type Layers struct{ Network, Mesh, Effective bool }

func (l Layers) any() bool { return l.Network || l.Mesh || l.Effective }

// readsConnectivity finds the layers the modules read from
// input.connectivity. A module that reads input.connectivity as a whole, a
// layer chosen at run time, or the whole input (which it might pass on) gets
// them all: they are costly on large clusters, so only what is read is built.
func readsConnectivity(mods []module) Layers {
	conn := ast.StringTerm("connectivity")
	all := Layers{true, true, true}
	var out Layers
	for _, m := range mods {
		ast.WalkRefs(m.parsed, func(r ast.Ref) bool {
			if !r[0].Equal(ast.InputRootDocument) {
				return false
			}
			switch {
			case len(r) == 1 || !r[1].IsGround():
				out = all
			case !r[1].Equal(conn):
			case len(r) == 2 || !r[2].IsGround():
				out = all
			default:
				switch layer, _ := r[2].Value.(ast.String); string(layer) {
				case "network":
					out.Network = true
				case "mesh":
					out.Mesh = true
				case "effective":
					out.Effective = true
				}
			}
			return false
		})
	}
	return out
}

// source is a rule and the file that defines it, for messages.
type source struct {
	rule *analyzer.Rule
	file string
}

func (s source) String() string { return s.rule.ID + " (" + s.file + ")" }

// Rules returns one analyzer.Rule per native package and per conftest rule
// name, sorted by ID.
func (s *Set) Rules() []*analyzer.Rule {
	return s.rules
}

// prepare compiles one query against the set's compiler and data.
func (s *Set) prepare(query string) (rego.PreparedEvalQuery, error) {
	opts := []func(*rego.Rego){
		rego.Query(query),
		rego.Compiler(s.compiler),
		rego.Store(s.store),
	}
	if s.print != nil {
		opts = append(opts, rego.EnablePrintStatements(true), rego.PrintHook(topdown.NewPrintHook(s.print)))
	}
	return rego.New(opts...).PrepareForEval(context.Background())
}

// withDeadline bounds a rule's evaluations by the timeout. OPA starts a
// goroutine per evaluation to watch a context; one external Cancel per rule
// run does the same job once, which counts when a conftest rule runs once
// per object.
func (s *Set) withDeadline() (context.Context, rego.EvalOption, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	c := topdown.NewCancel()
	stop := context.AfterFunc(ctx, c.Cancel)
	return ctx, rego.EvalExternalCancel(c), func() { stop(); cancel() }
}

// evalError says why an evaluation failed, naming the rule; a timeout says
// which flag raises it.
func (s *Set) evalError(ctx context.Context, src source, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || topdown.IsCancel(err) {
		return fmt.Errorf("policy rule %s did not finish within %s (--policy-timeout): look for a loop over a large collection", src, s.timeout)
	}
	return fmt.Errorf("policy rule %s: evaluation failed: %w", src, err)
}

// errList collects the evaluation failures of one run. Rules run inside
// analyzer.Run, which has no error path, so failures wait here until the
// caller asks Err.
type errList struct {
	mu   sync.Mutex
	errs []error
}

func (s *Set) errList(m *model.Model) *errList {
	key := fmt.Sprintf("policy/errors/%p", s)
	return m.Derived(key, func() any { return &errList{} }).(*errList)
}

func (s *Set) fail(m *model.Model, err error) {
	l := s.errList(m)
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

// Err reports the evaluation failures (timeouts, runtime errors, results
// of the wrong shape) of the rules run over m. A run with failures is a
// failed run: its findings are incomplete.
func (s *Set) Err(m *model.Model) error {
	if s == nil || m == nil {
		return nil
	}
	l := s.errList(m)
	l.mu.Lock()
	defer l.mu.Unlock()
	msgs := make([]string, 0, len(l.errs))
	for _, e := range l.errs {
		msgs = append(msgs, e.Error())
	}
	sort.Strings(msgs)
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}
