package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/manifest"
)

// Reports run from a subdirectory of a repository still name files from the
// repository root, which is what code scanning and GitLab resolve against.
func TestRepoPath(t *testing.T) {
	repo := t.TempDir()
	for _, dir := range []string{".git", "deploy/prod"} {
		if err := os.MkdirAll(filepath.Join(repo, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	outside := t.TempDir()
	for _, tc := range []struct {
		workDir, file, want string
	}{
		{repo, "deploy/prod/np.yaml", "deploy/prod/np.yaml"},
		{filepath.Join(repo, "deploy"), "prod/np.yaml", "deploy/prod/np.yaml"},
		{filepath.Join(repo, "deploy", "prod"), "../base/np.yaml", "deploy/base/np.yaml"},
		{filepath.Join(repo, "deploy"), filepath.Join(repo, "deploy", "x.yaml"), "deploy/x.yaml"},
		{repo, "<stdin>", "<stdin>"},
		{outside, "np.yaml", "np.yaml"}, // no repository: the working directory is the root
		{repo, filepath.Join(outside, "np.yaml"), filepath.ToSlash(filepath.Join(outside, "np.yaml"))},
	} {
		l := newLocator(&Run{WorkDir: tc.workDir})
		if got := l.repoPath(tc.file); got != tc.want {
			t.Errorf("repoPath(%q) from %s = %q, want %q", tc.file, tc.workDir, got, tc.want)
		}
	}
}

func TestSpan(t *testing.T) {
	dir := t.TempDir()
	text := "apiVersion: v1\nkind: Namespace   \nmetadata:\n  name: é\n\n"
	if err := os.WriteFile(filepath.Join(dir, "ns.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	l := newLocator(&Run{WorkDir: dir})
	for _, tc := range []struct {
		pos  manifest.Position
		want span
	}{
		{manifest.Position{File: "ns.yaml", Line: 2, Column: 1}, span{2, 1, 2, 16}},  // trailing blanks left out
		{manifest.Position{File: "ns.yaml", Line: 4, Column: 3}, span{4, 3, 4, 10}},  // columns count characters
		{manifest.Position{File: "ns.yaml", Line: 5, Column: 1}, span{5, 1, 5, 2}},   // a blank line: one character
		{manifest.Position{File: "ns.yaml"}, span{1, 1, 5, 1}},                       // the whole file, to the start of its last (blank) line
		{manifest.Position{File: "gone.yaml", Line: 7, Column: 4}, span{7, 4, 7, 5}}, // unreadable
		{manifest.Position{File: "<stdin>"}, span{1, 1, 1, 2}},                       // no file, no line
		{manifest.Position{File: "ns.yaml", Line: 3, Column: 0}, span{3, 1, 3, 10}},  // no column
	} {
		if got := l.span(tc.pos); got != tc.want {
			t.Errorf("span(%v) = %v, want %v", tc.pos, got, tc.want)
		}
	}
}
