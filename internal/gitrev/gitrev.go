// Package gitrev reads a git revision of the repository a directory is in,
// in process (go-git), and lays its whole tree out in a temporary
// directory, so that the loader reads it as it reads the working tree:
// kustomizations whose bases live elsewhere in the repository, and Helm
// charts with their templates, build the same way at both versions.
package gitrev

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Tree is a revision laid out on disk.
type Tree struct {
	// Repo is the working tree's root; Dir holds the revision's files at
	// the same relative paths.
	Repo, Dir string
	// Commit is the revision's commit hash.
	Commit string
}

// ErrNoRevision is a revision the repository does not have.
var ErrNoRevision = errors.New("unknown revision")

// Checkout lays out revision rev of the repository holding dir in a new
// temporary directory. Remove it with Close.
func Checkout(dir, rev string) (*Tree, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("--base: %s is not in a git repository", dir)
		}
		return nil, fmt.Errorf("--base: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("--base: %w (a bare repository has no working tree to compare)", err)
	}
	commit, err := resolve(repo, rev)
	if err != nil {
		return nil, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, missing(repo, rev, err)
	}
	tmp, err := os.MkdirTemp("", "meshlint-base-")
	if err != nil {
		return nil, err
	}
	t := &Tree{Repo: wt.Filesystem.Root(), Dir: tmp, Commit: commit.Hash.String()}
	if err := writeTree(tree, tmp); err != nil {
		t.Close()
		return nil, missing(repo, rev, err)
	}
	return t, nil
}

// Close removes the laid-out files.
func (t *Tree) Close() error { return os.RemoveAll(t.Dir) }

// Path maps a path of the working tree to the same path in the revision;
// ok is false for a path outside the repository.
func (t *Tree) Path(p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(t.Repo, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.Join(t.Dir, rel), true
}

func resolve(repo *git.Repository, rev string) (*object.Commit, error) {
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, missing(repo, rev, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return nil, missing(repo, rev, err)
	}
	return c, nil
}

// missing explains a revision that cannot be read: in a shallow clone,
// most likely because it was never fetched.
func missing(repo *git.Repository, rev string, cause error) error {
	if shallow, err := repo.Storer.Shallow(); err == nil && len(shallow) > 0 {
		return fmt.Errorf("--base %s: %w in this shallow clone (%v): fetch it first, with `fetch-depth: 0` in actions/checkout or `git fetch origin %s`", rev, ErrNoRevision, cause, rev)
	}
	return fmt.Errorf("--base %s: %w (%v)", rev, ErrNoRevision, cause)
}

func writeTree(tree *object.Tree, dir string) error {
	return tree.Files().ForEach(func(f *object.File) error {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		switch f.Mode {
		case filemode.Symlink:
			target, err := f.Contents()
			if err != nil {
				return err
			}
			return os.Symlink(target, path)
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
		default:
			return nil // submodules and the like hold no manifests here
		}
		r, err := f.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
