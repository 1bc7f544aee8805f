package steps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/git"
)

// GitClone is the `git-clone` step: one bare repository per step under the
// promotion's working directory, borrowing the objects of the worker's
// persistent mirror (so a warm worker fetches only new objects), and one
// worktree per checkout.
type GitClone struct{ Git *git.Client }

type gitCloneConfig struct {
	RepoURL               string        `json:"repoURL"`
	Checkout              []gitCheckout `json:"checkout"`
	Author                *gitAuthor    `json:"author,omitempty"`
	Blobless              bool          `json:"blobless,omitempty"`
	RecurseSubmodules     bool          `json:"recurseSubmodules,omitempty"`
	InsecureSkipTLSVerify bool          `json:"insecureSkipTLSVerify,omitempty"`
}

type gitCheckout struct {
	Path   string   `json:"path"`
	Branch string   `json:"branch,omitempty"`
	Commit string   `json:"commit,omitempty"`
	Tag    string   `json:"tag,omitempty"`
	Create bool     `json:"create,omitempty"`
	As     string   `json:"as,omitempty"`
	Sparse []string `json:"sparse,omitempty"`
}

// Name implements Runner.
func (GitClone) Name() string { return "git-clone" }

// Run implements Runner.
func (g GitClone) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitCloneConfig
	if err := DecodeConfig("git-clone", raw, &c); err != nil {
		return Result{}, err
	}
	if err := c.validate(); err != nil {
		return Result{}, Terminal(fmt.Errorf("git-clone config: %w", err))
	}
	j := &cloneJob{g: g, sc: sc, c: &c, repo: repoDir(sc.WorkDir, &c),
		remote: git.Remote{URL: c.RepoURL, Insecure: c.InsecureSkipTLSVerify, Creds: sc.Creds}}
	commits, err := j.run(ctx)
	if err != nil {
		return Result{}, err
	}
	return Succeeded(map[string]any{"commits": commits}), nil
}

func (c *gitCloneConfig) validate() error {
	var problems []error
	if c.RepoURL == "" {
		problems = append(problems, errors.New("repoURL is required"))
	}
	if len(c.Checkout) == 0 {
		problems = append(problems, errors.New("checkout needs at least one entry"))
	}
	if c.RecurseSubmodules {
		problems = append(problems, fmt.Errorf("recurseSubmodules: %w", railyard.ErrNotSupported))
	}
	if c.Author != nil && c.Author.SigningKey != "" {
		problems = append(problems, fmt.Errorf("author.signingKey (commit signing): %w", railyard.ErrNotSupported))
	}
	for i, co := range c.Checkout {
		n := 0
		for _, s := range []string{co.Branch, co.Commit, co.Tag} {
			if s != "" {
				n++
			}
		}
		if co.Path == "" || n > 1 {
			problems = append(problems, fmt.Errorf("checkout[%d]: needs a path and at most one of branch, commit, tag", i))
		}
		if co.Create && co.Branch == "" {
			problems = append(problems, fmt.Errorf("checkout[%d]: create needs a branch", i))
		}
	}
	return errors.Join(problems...)
}

func (co gitCheckout) key() string {
	if co.As != "" {
		return co.As
	}
	return co.Path
}

// repoDir is the step's bare repository: stable across attempts, distinct
// for steps cloning other repositories or into other paths.
func repoDir(workDir string, c *gitCloneConfig) string {
	key := railyard.NormalizeGitURL(c.RepoURL)
	for _, co := range c.Checkout {
		key += "\x00" + co.Path
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(workDir, ".railyard", "git", hex.EncodeToString(sum[:8])+".git")
}

// addOrphan checks out a new branch without history: a worktree detached at
// a throwaway empty commit, then an orphan branch with an empty index.
func (g GitClone) addOrphan(ctx context.Context, repo, path, branch string) error {
	empty, err := gitIn(ctx, g.Git, repo, "hash-object", "-t", "tree", "-w", "/dev/null")
	if err != nil {
		return err
	}
	base, err := gitIn(ctx, g.Git, repo, "commit-tree", empty, "-m", "railyard: empty base")
	if err != nil {
		return err
	}
	if _, err := gitIn(ctx, g.Git, repo, "worktree", "add", "--quiet", "--detach", path, base); err != nil {
		return err
	}
	_, err = gitIn(ctx, g.Git, path, "checkout", "--quiet", "--orphan", branch)
	return err
}

// ensureCommit fetches a commit the mirror does not have (not on any branch
// or tag) directly from the remote.
func (g GitClone) ensureCommit(ctx context.Context, sc *Context, repo string, remote git.Remote, sha string) error {
	if _, err := gitIn(ctx, g.Git, repo, "cat-file", "-e", sha+"^{commit}"); err == nil {
		return nil
	}
	_, err := gitRemote(ctx, g.Git, sc, repo, remote.URL, "fetch", "--quiet", "--no-tags", "origin", sha)
	if err != nil {
		return notFound(err, "commit "+sha)
	}
	return nil
}

// populate fills a --no-checkout worktree, limited to the sparse cone.
func (g GitClone) populate(ctx context.Context, path string, sparse []string) error {
	if _, err := gitIn(ctx, g.Git, path, "rev-parse", "--verify", "-q", "HEAD"); err != nil {
		return nil // orphan branch: nothing to check out
	}
	if len(sparse) > 0 {
		args := append([]string{"sparse-checkout", "set", "--cone", "--"}, sparse...)
		if _, err := gitIn(ctx, g.Git, path, args...); err != nil {
			return err
		}
	}
	_, err := gitIn(ctx, g.Git, path, "checkout", "--quiet")
	return err
}

func notFound(err error, what string) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "invalid reference") || strings.Contains(err.Error(), "not a valid") {
		return Terminal(fmt.Errorf("%s: %w", what, railyard.ErrNotFound))
	}
	return err
}
