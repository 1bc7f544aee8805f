package git

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/railyard/railyard/internal/testenv"
)

// walkRepo makes a bare repository of n commits, each changing one of 40
// files in 8 directories, with git fast-import (consecutive commits of a
// branch chain by themselves).
func walkRepo(b *testing.B, n int) string {
	dir := b.TempDir() + "/walk.git"
	env := testenv.Env(b.TempDir())
	if out, err := exec.Command("git", "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
		b.Fatalf("%v: %s", err, out)
	}
	var s strings.Builder
	for i := 0; i < n; i++ {
		body := fmt.Sprintf("content %d\n", i)
		fmt.Fprintf(&s, "commit refs/heads/main\ncommitter t <t@example.com> %d +0000\ndata 7\ncommit\n", 1700000000+i)
		fmt.Fprintf(&s, "M 100644 inline d%d/f%d.yaml\ndata %d\n%s\n", i%8, i%40, len(body), body)
	}
	cmd := exec.Command("git", "--git-dir", dir, "fast-import", "--quiet")
	cmd.Env, cmd.Stdin = env, strings.NewReader(s.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("fast-import: %v: %s", err, out)
	}
	return dir
}

// BenchmarkWalkCommitsWithPaths compares the read discovery does on a
// mirror (the newest commits of a branch, with the paths each changed
// against its first parent) by spawning git and with go-git.
func BenchmarkWalkCommitsWithPaths(b *testing.B) {
	const history, walk = 2000, 200
	dir := walkRepo(b, history)
	c := &Client{}
	b.Run("git-log", func(b *testing.B) {
		for b.Loop() {
			out, err := c.Git(b.Context(), dir, "log", logFormat, "-n", fmt.Sprint(walk),
				"--name-only", "--no-renames", "--diff-merges=first-parent", "main", "--")
			if err != nil {
				b.Fatal(err)
			}
			if infos := parseLog(out); len(infos) != walk || len(infos[0].Paths) != 1 {
				b.Fatalf("%d commits", len(infos))
			}
		}
	})
	b.Run("go-git", func(b *testing.B) {
		for b.Loop() {
			repo, err := gogit.PlainOpen(dir)
			if err != nil {
				b.Fatal(err)
			}
			ref, err := repo.Reference("refs/heads/main", true)
			if err != nil {
				b.Fatal(err)
			}
			iter, err := repo.Log(&gogit.LogOptions{From: ref.Hash()})
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for n < walk {
				commit, err := iter.Next()
				if err != nil {
					b.Fatal(err)
				}
				tree, err := commit.Tree()
				if err != nil {
					b.Fatal(err)
				}
				var parentTree *object.Tree
				if p, err := commit.Parent(0); err == nil {
					if parentTree, err = p.Tree(); err != nil {
						b.Fatal(err)
					}
				}
				changes, err := object.DiffTree(parentTree, tree)
				if err != nil || len(changes) != 1 {
					b.Fatalf("diff: %v (%d changes)", err, len(changes))
				}
				n++
			}
			iter.Close()
		}
	})
}
