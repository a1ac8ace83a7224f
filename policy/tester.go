package policy

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestOptions tune Test.
type TestOptions struct {
	// Timeout bounds each test; zero means DefaultTimeout.
	Timeout time.Duration
	// Run, when set, is a regular expression the test names must match.
	Run string
	// Trace prints the evaluation trace of failed tests.
	Trace bool
}

// TestSummary counts test outcomes.
type TestSummary struct {
	Pass, Fail, Error, Skip int
}

// OK reports whether every test that ran passed.
func (s TestSummary) OK() bool { return s.Fail == 0 && s.Error == 0 }

// Test runs the test_* rules of the policies below dirs (their _test.rego
// files included) with OPA's tester and writes one PASS or FAIL line per
// test and a summary, as `opa test -v` does. Modules are read like Load
// reads them, Rego v0 syntax included. An error means the tests could not
// run: a module that does not compile, or no tests at all.
func Test(ctx context.Context, dirs []string, w io.Writer, opts TestOptions) (TestSummary, error) {
	var sum TestSummary
	fs, err := loadDirs(dirs, true)
	if err != nil {
		return sum, err
	}
	mods := make(map[string]*ast.Module, len(fs.modules))
	for _, m := range fs.modules {
		mods[m.file] = m.parsed
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	store := inmem.NewFromObject(fs.data)
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return sum, err
	}
	defer store.Abort(ctx, txn)
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithEnablePrintStatements(true)).
		SetStore(store).
		SetModules(mods).
		CapturePrintOutput(true).
		EnableTracing(opts.Trace).
		SetTimeout(opts.Timeout).
		Filter(opts.Run)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return sum, regoError("does not compile", err)
	}
	// The runner reports tests as they finish, in any order; sorting them
	// by file and line makes the report the same on every run.
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	if len(results) == 0 {
		return sum, fmt.Errorf("no test_ rules found in %s", strings.Join(dirs, ", "))
	}
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Location != nil && b.Location != nil && a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		if a.Location != nil && b.Location != nil && a.Location.Row != b.Location.Row {
			return a.Location.Row < b.Location.Row
		}
		return a.Name < b.Name
	})
	sorted := make(chan *tester.Result, len(results))
	for _, r := range results {
		switch {
		case r.Skip:
			sum.Skip++
		case r.Error != nil:
			sum.Error++
		case r.Fail:
			sum.Fail++
		default:
			sum.Pass++
		}
		sorted <- r
	}
	close(sorted)
	rep := tester.PrettyReporter{Output: w, Verbose: true}
	return sum, rep.Report(sorted)
}
