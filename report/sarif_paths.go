package report

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/manifest"
)

// locator turns finding positions into what the CI formats (SARIF, GitLab,
// GitHub annotations) need: paths relative to the repository root, since
// code scanning and merge-request widgets resolve them against the checkout,
// while findings carry paths relative to the working directory.
type locator struct {
	workDir string
	root    string
	lines   map[string][]string // file (as in findings) -> its lines; nil when unreadable
}

func newLocator(run *Run) *locator {
	wd := run.WorkDir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	if abs, err := filepath.Abs(wd); err == nil {
		wd = abs
	}
	return &locator{workDir: wd, root: repoRoot(wd), lines: map[string][]string{}}
}

// repoRoot is the nearest directory at or above dir holding .git (a
// directory, or a file in worktrees and submodules); dir itself when none.
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// repoPath is file relative to the repository root, with forward slashes.
// Files outside the repository keep their absolute path: no relative form
// would mean anything to the consumer.
func (l *locator) repoPath(file string) string {
	if file == "" || file == loader.StdinName {
		return file
	}
	abs := filepath.FromSlash(file)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(l.workDir, abs)
	}
	rel, err := filepath.Rel(l.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// fileLines are the lines of file (as findings name it), or nil when it
// cannot be read (stdin, a file gone since, a directory).
func (l *locator) fileLines(file string) []string {
	lines, ok := l.lines[file]
	if !ok {
		path := filepath.FromSlash(file)
		if !filepath.IsAbs(path) {
			path = filepath.Join(l.workDir, path)
		}
		lines = readLines(path)
		l.lines[file] = lines
	}
	return lines
}

// lineEnd is the column just past the last non-blank character of line in
// file (columns count characters, as the YAML parser's do), or 0 when the
// line cannot be read.
func (l *locator) lineEnd(file string, line int) int {
	lines := l.fileLines(file)
	if line < 1 || line > len(lines) {
		return 0
	}
	return utf8.RuneCountInString(strings.TrimRight(lines[line-1], " \t\r")) + 1
}

func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if sc.Err() != nil {
		return nil
	}
	return lines
}

// span is the region a finding covers: from its position to the end of that
// line. A finding without a line is about the file as a whole and covers all
// of it; consumers such as GitHub code scanning require a start line.
type span struct {
	StartLine, StartColumn, EndLine, EndColumn int
}

func (l *locator) span(pos manifest.Position) span {
	s := span{StartLine: pos.Line, StartColumn: max(pos.Column, 1), EndLine: pos.Line}
	if pos.Line < 1 {
		s.StartLine, s.StartColumn, s.EndLine = 1, 1, max(len(l.fileLines(pos.File)), 1)
	}
	s.EndColumn = l.lineEnd(pos.File, s.EndLine)
	if s.EndLine == s.StartLine && s.EndColumn <= s.StartColumn {
		// Unreadable, or blank past the start: mark one character.
		s.EndColumn = s.StartColumn + 1
	}
	if s.EndColumn < 1 {
		s.EndColumn = 1
	}
	return s
}

// findingKeys returns a stable identifier per finding: its fingerprint
// (rule, object, field path and message: no line numbers), with an
// occurrence number added when several findings share one, so that each key
// is unique within the run as GitLab requires. Occurrences are numbered in
// report order, which line shifts do not change.
func findingKeys(fs []analyzer.Finding) []string {
	keys := make([]string, len(fs))
	seen := map[string]int{}
	for i, f := range fs {
		fp := f.Fingerprint
		if fp == "" {
			// Findings made outside a Pass (plugins) may lack one.
			h := sha256.Sum256([]byte(f.Rule.ID + "\x00" + f.Pos.File + "\x00" + f.Message))
			fp = hex.EncodeToString(h[:16])
		}
		seen[fp]++
		if n := seen[fp]; n > 1 {
			fp += "-" + strconv.Itoa(n)
		}
		keys[i] = fp
	}
	return keys
}
