package git

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAddWorktree adds worktrees as git worktree add would, and git agrees:
// it lists them, reads their HEAD and finds them clean; a commit the
// repository lacks leaves nothing behind.
func TestAddWorktree(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	_, repo := borrowing(t, c, f.url)
	work := t.TempDir()
	tests := []struct {
		name, path, branch, commit string
		head, file                 string // HEAD's commit and a file the checkout has
		err                        bool
	}{
		{name: "on a branch", path: "out", branch: "feature", head: f.shas[lastFeatureSubject()], file: "f.txt"},
		{name: "detached", path: "src", commit: f.shas["feat: app a"], head: f.shas["feat: app a"], file: "apps/a/deploy.yaml"},
		{name: "a name taken in worktrees/", path: "nested/src", commit: f.shas["docs: guide"], head: f.shas["docs: guide"], file: "docs/guide.md"},
		{name: "a commit the repository lacks", path: "bad", commit: "0123456789abcdef0123456789abcdef01234567", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(work, tt.path)
			if tt.branch != "" { // a loose ref, as git-clone's update-ref writes
				for _, args := range [][]string{{"update-ref", "-d", "refs/heads/" + tt.branch}, {"update-ref", "refs/heads/" + tt.branch, tt.head}} {
					if _, err := c.Git(t.Context(), repo, args...); err != nil {
						t.Fatal(err)
					}
				}
			}
			err := c.AddWorktree(t.Context(), repo, path, tt.branch, tt.commit)
			if tt.err {
				if err == nil {
					t.Fatal("AddWorktree succeeded")
				}
				if _, serr := os.Stat(path); !os.IsNotExist(serr) {
					t.Errorf("%s left behind", path)
				}
				if _, serr := os.Stat(filepath.Join(repo, "worktrees", "bad")); !os.IsNotExist(serr) {
					t.Error("worktrees/bad left behind")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Git(t.Context(), path, "rev-parse", "HEAD"); got != tt.head {
				t.Errorf("HEAD = %s, want %s", got, tt.head)
			}
			if tt.branch != "" {
				if got, _ := c.Git(t.Context(), path, "symbolic-ref", "--short", "HEAD"); got != tt.branch {
					t.Errorf("on branch %q, want %q", got, tt.branch)
				}
			}
			if got, _ := c.Git(t.Context(), path, "status", "--porcelain"); got != "" {
				t.Errorf("status: %q", got)
			}
			if _, err := os.Stat(filepath.Join(path, tt.file)); err != nil {
				t.Error(err)
			}
			if got, ok := WorktreeHead(path); !ok || got != tt.head {
				t.Errorf("WorktreeHead = %s, %v; want %s", got, ok, tt.head)
			}
			if WorktreeRepo(path) != repo {
				t.Errorf("WorktreeRepo = %q, want %q", WorktreeRepo(path), repo)
			}
		})
	}
	list, err := c.Git(t.Context(), repo, "worktree", "list", "--porcelain")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"out", "src", "nested/src"} {
		if !containsLine(list, "worktree "+filepath.Join(work, p)) {
			t.Errorf("git worktree list lacks %s:\n%s", p, list)
		}
	}
	if _, err := c.Git(t.Context(), repo, "worktree", "prune"); err != nil {
		t.Fatal(err)
	}
	// A packed branch is git's to read.
	if _, err := c.Git(t.Context(), repo, "pack-refs", "--all", "--prune"); err != nil {
		t.Fatal(err)
	}
	if got, ok := WorktreeHead(filepath.Join(work, "out")); ok {
		t.Errorf("WorktreeHead of a packed branch = %s, want not ok", got)
	}
	if got, ok := WorktreeHead(filepath.Join(work, "src")); !ok || got != f.shas["feat: app a"] {
		t.Errorf("WorktreeHead of a detached worktree = %s, %v", got, ok)
	}
}

func lastFeatureSubject() string { return strings.Repeat("long subject ", 10) }

func containsLine(text, line string) bool {
	return slices.Contains(strings.Split(text, "\n"), line)
}
