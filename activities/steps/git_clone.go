package steps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
	remote := git.Remote{URL: c.RepoURL, Insecure: c.InsecureSkipTLSVerify, Creds: sc.Creds}
	repo, err := g.prepareRepo(ctx, sc, &c, remote)
	if err != nil {
		return Result{}, err
	}
	commits := map[string]any{}
	for _, co := range c.Checkout {
		sha, err := g.checkout(ctx, sc, repo, remote, co)
		if err != nil {
			return Result{}, fmt.Errorf("checking out %s into %s: %w", git.Redact(c.RepoURL), co.Path, err)
		}
		commits[co.key()] = sha
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

// prepareRepo wipes what an earlier attempt left, brings the worker's mirror
// up to date (only new objects cross the network), and makes a bare
// repository that shares the mirror's objects.
func (g GitClone) prepareRepo(ctx context.Context, sc *Context, c *gitCloneConfig, remote git.Remote) (string, error) {
	repo := repoDir(sc.WorkDir, c)
	if err := os.RemoveAll(repo); err != nil {
		return "", fmt.Errorf("cleaning %s: %w", repo, err)
	}
	unlock := g.Git.Lock(remote.URL)
	mirror, err := g.Git.SyncMirror(ctx, remote)
	if err == nil {
		// One process: the clone borrows the mirror's objects (--shared, no
		// copy) and writes its settings as it is created; the mirror is
		// remote "mirror", so that "origin" is the repository's own URL.
		name, email := defaultAuthorName, defaultAuthorEmail
		if c.Author != nil && c.Author.Name != "" {
			name, email = c.Author.Name, c.Author.Email
		}
		args := []string{"clone", "--quiet", "--bare", "--shared", "--origin", "mirror"}
		for _, kv := range [][2]string{{"remote.origin.url", remote.URL}, {"user.name", name}, {"user.email", email},
			{"gc.auto", "0"}, {"http.sslVerify", fmt.Sprint(!remote.Insecure)}} {
			args = append(args, "--config", kv[0]+"="+kv[1])
		}
		_, err = gitIn(ctx, g.Git, "", append(args, mirror, repo)...)
	}
	unlock()
	if err != nil {
		return "", fmt.Errorf("cloning %s: %w", git.Redact(remote.URL), err)
	}
	return repo, nil
}

// checkout adds one worktree and returns the commit it holds ("" for a new
// orphan branch).
func (g GitClone) checkout(ctx context.Context, sc *Context, repo string, remote git.Remote, co gitCheckout) (string, error) {
	path, err := securePath(sc.WorkDir, co.Path)
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(path); err != nil {
		return "", err
	}
	// The repository is new for this step (prepareRepo), so there is no
	// stale worktree to prune.
	if err := g.addWorktree(ctx, sc, repo, remote, path, co); err != nil {
		return "", err
	}
	if len(co.Sparse) > 0 {
		if err := g.populate(ctx, path, co.Sparse); err != nil {
			return "", err
		}
	}
	sha, err := gitIn(ctx, g.Git, path, "rev-parse", "--verify", "-q", "HEAD")
	if err != nil && co.Create {
		return "", nil // unborn orphan branch
	}
	return sha, err
}

func (g GitClone) addWorktree(ctx context.Context, sc *Context, repo string, remote git.Remote, path string, co gitCheckout) error {
	add := []string{"worktree", "add", "--quiet"}
	if len(co.Sparse) > 0 {
		add = append(add, "--no-checkout") // populate checks out the sparse cone
	}
	switch {
	case co.Commit != "":
		if err := g.ensureCommit(ctx, sc, repo, remote, co.Commit); err != nil {
			return err
		}
		_, err := gitIn(ctx, g.Git, repo, append(add, "--detach", path, co.Commit+"^{commit}")...)
		return err
	case co.Tag != "":
		_, err := gitIn(ctx, g.Git, repo, append(add, "--detach", path, "refs/tags/"+co.Tag+"^{commit}")...)
		return notFound(err, "tag "+co.Tag)
	}
	branch := co.Branch
	if branch == "" {
		name, _, err := g.Git.DefaultBranch(ctx, remote)
		if err != nil {
			return err
		}
		branch = name
	}
	if _, err := gitIn(ctx, g.Git, repo, "rev-parse", "--verify", "-q", "refs/heads/"+branch); err == nil {
		// Remember where the remote's branch was, for git-push's lease.
		if _, err := gitIn(ctx, g.Git, repo, "update-ref", "refs/remotes/origin/"+branch, "refs/heads/"+branch); err != nil {
			return err
		}
		_, err = gitIn(ctx, g.Git, repo, append(add, path, branch)...)
		return err
	}
	if !co.Create {
		return Terminal(fmt.Errorf("branch %q: %w (set create: true to create it)", branch, railyard.ErrNotFound))
	}
	return g.addOrphan(ctx, repo, path, branch)
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
