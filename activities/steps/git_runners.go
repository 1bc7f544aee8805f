package steps

import "github.com/railyard/railyard/activities/git"

// GitRunners returns the git steps (git-clone, git-clear, git-commit,
// git-push, git-tag), all sharing c: its per-repository mirror cache, which
// lets a warm worker fetch only new objects, and its git environment.
func GitRunners(c *git.Client) []Runner {
	return []Runner{GitClone{Git: c}, GitClear{}, GitCommit{Git: c}, GitPush{Git: c}, GitTag{Git: c}}
}
