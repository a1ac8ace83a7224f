// Package analyzer defines what a rule is and runs rules over a model.
//
// A rule is a plain value, in the manner of golang.org/x/tools/go/analysis:
// it owns one idea and reports findings through a Pass; the driver owns
// scheduling, positions, ordering and de-duplication.
package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Severity orders findings; higher is worse.
type Severity int

const (
	Note Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Note:
		return "note"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "none"
}

// ParseSeverity reads "error", "warning", "note" (and "none", as 0).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "note", "info":
		return Note, nil
	case "none":
		return 0, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning, note or none)", s)
}

// Rule is one check.
type Rule struct {
	ID       string // MSH101
	Name     string // netpol-peer-split
	Severity Severity
	// Summary is one line: what the rule finds.
	Summary string
	// Description says why it matters, in Markdown.
	Description string
	// Bad is a manifest that fires; Good is the same, fixed.
	Bad, Good string
	// Fix says what to change, in one or two sentences.
	Fix string
	// HelpURI is where the rule's page lives; empty for built-in rules,
	// which get the project's docs URL.
	HelpURI string
	// Tags classify the rule (SARIF properties.tags).
	Tags []string
	// Custom marks rules that come from user policies rather than meshlint.
	Custom bool

	Run func(*Pass)
}

// Related is a secondary location of a finding.
type Related struct {
	Object  *manifest.Ref     `json:"object,omitempty"`
	Pos     manifest.Position `json:"-"`
	Message string            `json:"message"`
}

// Finding is one reported problem, with its position resolved.
type Finding struct {
	Rule     *Rule
	Severity Severity
	Message  string
	Object   *manifest.Ref // nil for findings on a file (MSH001)
	Path     string        // field path inside the object
	Pos      manifest.Position
	// ObjectFile is the file the object is written in; Pos may be in
	// another (a kustomize patch that set the field).
	ObjectFile string
	Related    []Related
	// Fingerprint identifies the finding across runs: a hash of the rule,
	// the object (API group, kind, namespace and name: the same in every
	// environment), the field path and, for a finding between two objects,
	// the other one; never the message or a line, so that rewording, lines
	// moving and unrelated objects appearing leave it as it is.
	Fingerprint string
	// Suppressed, when set, says why the finding is silenced.
	Suppressed *Suppression
	// Environments name the environments the finding holds in, when the
	// run has several (set when they are merged).
	Environments []string
}

// Suppression records how and why a finding was silenced.
type Suppression struct {
	Kind   string // "inSource" or "external"
	Reason string
}

// Pass is what a rule's Run receives.
type Pass struct {
	Model *model.Model
	Rule  *Rule
	// Rules are every rule of this run, user policies included: a rule about
	// rules (MSH007: does a suppression name one?) reads them.
	Rules    []*Rule
	findings []Finding
}

// Report adds a finding on the field at path of obj.
func (p *Pass) Report(obj *manifest.Object, path string, format string, args ...any) *Finding {
	ref := obj.Ref()
	f := Finding{
		Rule:       p.Rule,
		Severity:   p.Rule.Severity,
		Message:    fmt.Sprintf(format, args...),
		Object:     &ref,
		Path:       path,
		Pos:        obj.Position(path),
		ObjectFile: obj.File,
	}
	f.Fingerprint = fingerprint(p.Rule.ID, identity(obj), path)
	p.findings = append(p.findings, f)
	return &p.findings[len(p.findings)-1]
}

// identity names an object as a cluster knows it, in every environment and
// every version of its API.
func identity(o *manifest.Object) string {
	return o.Group() + "/" + o.Kind + "/" + o.Namespace + "/" + o.Name
}

// Other records the object on the other side of a finding about two (the
// workload a mesh rule cannot reach): the findings of one field that differ
// only there keep fingerprints of their own.
func (f *Finding) Other(obj *manifest.Object) *Finding {
	if obj == nil {
		return f
	}
	f.Fingerprint = fingerprint(f.Fingerprint, identity(obj))
	return f
}

// ReportFile adds a finding about a file position with no object.
func (p *Pass) ReportFile(pos manifest.Position, format string, args ...any) {
	f := Finding{
		Rule:     p.Rule,
		Severity: p.Rule.Severity,
		Message:  fmt.Sprintf(format, args...),
		Pos:      pos,
	}
	// Without an object, the file and what the message says identify the
	// finding; its numbers (lines, counts) are left out.
	f.Fingerprint = fingerprint(p.Rule.ID, pos.File, strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, f.Message))
	p.findings = append(p.findings, f)
}

// LegacyFingerprint is a finding's fingerprint as baselines of version 1
// recorded it (it hashed the message): old baselines match by it. It is
// worked out only for them.
func LegacyFingerprint(f *Finding) string {
	if f.Object == nil {
		return fingerprint(f.Rule.ID, f.Pos.File, f.Message)
	}
	return fingerprint(f.Rule.ID, f.Object.String()+"#"+f.Path, f.Message)
}

// Identity replaces what the fingerprint hashes beside the rule, for a
// finding about something other than the object it is located at (a
// namespace, reported at its first workload).
func (f *Finding) Identity(parts ...string) *Finding {
	f.Fingerprint = fingerprint(append([]string{f.Rule.ID}, parts...)...)
	return f
}

// Key adds to the fingerprint what tells apart findings of one rule on one
// field of one object (which of two copies of an object it is about).
func (f *Finding) Key(parts ...string) *Finding {
	f.Fingerprint = fingerprint(append([]string{f.Fingerprint}, parts...)...)
	return f
}

// Relate attaches a secondary location to a finding just reported.
func (f *Finding) Relate(obj *manifest.Object, path, format string, args ...any) *Finding {
	ref := obj.Ref()
	f.Related = append(f.Related, Related{Object: &ref, Pos: obj.Position(path), Message: fmt.Sprintf(format, args...)})
	return f
}

func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// Run runs the rules over m and returns their findings sorted by file, line,
// column and rule, without duplicates.
func Run(m *model.Model, rules []*Rule) []Finding {
	results := make([][]Finding, len(rules))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, r := range rules {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, r *Rule) {
			defer wg.Done()
			defer func() { <-sem }()
			pass := &Pass{Model: m, Rule: r, Rules: rules}
			r.Run(pass)
			results[i] = pass.findings
		}(i, r)
	}
	wg.Wait()
	var all []Finding
	for _, fs := range results {
		all = append(all, fs...)
	}
	Sort(all)
	return dedupe(all)
}

// Sort orders findings by file, line, column, rule and message.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		if a.Rule.ID != b.Rule.ID {
			return a.Rule.ID < b.Rule.ID
		}
		return a.Message < b.Message
	})
}

func dedupe(fs []Finding) []Finding {
	out := fs[:0]
	seen := map[string]bool{}
	for _, f := range fs {
		key := f.Rule.ID + "\x00" + f.Pos.String() + "\x00" + f.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, f)
	}
	return out
}

// Counts tallies unsuppressed findings by severity.
func Counts(fs []Finding) map[Severity]int {
	c := map[Severity]int{}
	for _, f := range fs {
		if f.Suppressed == nil {
			c[f.Severity]++
		}
	}
	return c
}
