// Package baseline records the findings a repository already has, so that a
// team adopting meshlint (or a new rule) sees only the problems that changes
// bring, and works the old ones off at its own pace.
//
// Findings are matched by fingerprint (rule, object, field path; never the
// message or the line), so rewording, edits elsewhere in a file and new
// unrelated objects do not bring them back. Baselines of version 1, whose
// fingerprints hashed the message too, still apply.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/meshlint/meshlint/analyzer"
)

// DefaultFile is where `meshlint baseline write` records findings.
const DefaultFile = ".meshlint-baseline.json"

// Version is the format version written. Version 1 files (fingerprints
// that hash the message) are still read and applied.
const Version = 2

// Reason is what baselined findings give as the reason of their suppression.
const Reason = "baselined"

// File is a baseline as stored.
type File struct {
	Version  int     `json:"version"`
	Findings []Entry `json:"findings"`
}

// Entry is one recorded finding. Only the fingerprint matches; the rest is
// there for the people who review the file.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Object      string `json:"object,omitempty"`
	Path        string `json:"path,omitempty"`
	File        string `json:"file,omitempty"`
	Message     string `json:"message"`
}

// New records the findings that are not already suppressed. Entries are
// sorted by what identifies them, not by line, so that a baseline rewritten
// after lines moved does not change.
func New(findings []analyzer.Finding) *File {
	b := &File{Version: Version, Findings: []Entry{}}
	for _, f := range findings {
		if f.Suppressed != nil {
			continue
		}
		e := Entry{Fingerprint: f.Fingerprint, Rule: f.Rule.ID, Path: f.Path, File: f.Pos.File, Message: f.Message}
		if f.Object != nil {
			e.Object = f.Object.String()
		}
		b.Findings = append(b.Findings, e)
	}
	sort.SliceStable(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		for _, c := range [][2]string{{x.File, y.File}, {x.Rule, y.Rule}, {x.Object, y.Object}, {x.Path, y.Path}, {x.Message, y.Message}, {x.Fingerprint, y.Fingerprint}} {
			if c[0] != c[1] {
				return c[0] < c[1]
			}
		}
		return false
	})
	return b
}

// Write stores the baseline as indented JSON.
func (b *File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// Save writes the baseline to path.
func (b *File) Save(path string) error {
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// Load reads the baseline at path; errors name the file and, for content
// that does not parse, the line and column.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("baseline %s: no such file (create it with `meshlint baseline write`)", path)
		}
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads a baseline; name is the file it came from, for errors.
func Parse(name string, data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, decodeError(name, data, err)
	}
	if dec.More() {
		line, col := lineCol(data, int(dec.InputOffset()))
		return nil, fmt.Errorf("%s:%d:%d: unexpected content after the baseline", name, line, col)
	}
	if b.Version != Version && b.Version != 1 {
		return nil, fmt.Errorf("%s: baseline version %d, want %d (rewrite it with `meshlint baseline write`)", name, b.Version, Version)
	}
	for i, e := range b.Findings {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("%s: finding %d has no fingerprint", name, i+1)
		}
	}
	return &b, nil
}

func decodeError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, int(syn.Offset)-1) // Offset is just past the bad byte
		return fmt.Errorf("%s:%d:%d: baseline does not parse: %v", name, line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, int(typ.Offset)-1)
		return fmt.Errorf("%s:%d:%d: baseline field %s: want %s, found %s", name, line, col, typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: baseline is empty or cut short", name)
	}
	return fmt.Errorf("%s: baseline does not parse: %v", name, err)
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int) (int, int) {
	offset = max(0, min(offset, len(data)))
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := offset - bytes.LastIndexByte(data[:offset], '\n')
	return line, col
}

// Stats say what applying a baseline did.
type Stats struct {
	// Baselined counts the findings the baseline suppressed.
	Baselined int
	// Stale counts entries that match no current finding: fixed problems,
	// or changed ones (a new message is a new finding).
	Stale int
}

// Apply marks findings recorded in the baseline as suppressed (Kind
// "external", Reason "baselined"). Each entry covers one finding, so a second
// occurrence of a recorded problem is new. A finding already suppressed in
// the manifests keeps that reason, and still uses up its entry (it occurs).
func (b *File) Apply(findings []analyzer.Finding) Stats {
	left := map[string]int{}
	for _, e := range b.Findings {
		left[e.Fingerprint]++
	}
	// A version 1 entry names the finding's old fingerprint; failing that
	// (the message changed wording), its rule, object and field.
	key := func(f *analyzer.Finding) string { return f.Fingerprint }
	if b.Version == 1 {
		loose := map[string]string{}
		for _, e := range b.Findings {
			if e.Object != "" {
				loose[e.Rule+"\x00"+e.Object+"\x00"+e.Path] = e.Fingerprint
			}
		}
		key = func(f *analyzer.Finding) string {
			if legacy := analyzer.LegacyFingerprint(f); left[legacy] > 0 || f.Object == nil {
				return legacy
			}
			return loose[f.Rule.ID+"\x00"+f.Object.String()+"\x00"+f.Path]
		}
	}
	var st Stats
	// Active findings first: New recorded only active ones, so entries stand
	// for them. Findings suppressed in the manifests then use up what is
	// left, since they still occur and their entries are not stale.
	wasActive := make([]bool, len(findings))
	for i, f := range findings {
		wasActive[i] = f.Suppressed == nil
	}
	for _, active := range []bool{true, false} {
		for i := range findings {
			f := &findings[i]
			k := key(f)
			if wasActive[i] != active || left[k] == 0 {
				continue
			}
			left[k]--
			if active {
				f.Suppressed = &analyzer.Suppression{Kind: "external", Reason: Reason}
				st.Baselined++
			}
		}
	}
	for _, n := range left {
		st.Stale += n
	}
	return st
}
