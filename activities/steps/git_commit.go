package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/railyard/railyard/activities/git"
)

// GitCommit is the `git-commit` step: it commits every change in a worktree
// with the promotion's trailer, and is Skipped when nothing changed.
type GitCommit struct{ Git *git.Client }

type gitCommitConfig struct {
	Path    string     `json:"path"`
	Message string     `json:"message"`
	Author  *gitAuthor `json:"author,omitempty"` // deprecated in Kargo; still honoured
}

// Name implements Runner.
func (GitCommit) Name() string { return "git-commit" }

// Run implements Runner.
func (g GitCommit) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitCommitConfig
	if err := DecodeConfig("git-commit", raw, &c); err != nil {
		return Result{}, err
	}
	if c.Message == "" {
		return Result{}, Terminal(errors.New("git-commit config: message is required"))
	}
	dir, err := securePath(sc.WorkDir, c.Path)
	if err != nil {
		return Result{}, fmt.Errorf("git-commit path: %w", err)
	}
	if _, err := gitIn(ctx, g.Git, dir, "add", "--all", "."); err != nil {
		return Result{}, fmt.Errorf("staging changes in %s: %w", c.Path, err)
	}
	// git commit itself says when nothing is staged: no diff beforehand.
	out, err := g.Git.Run(ctx, git.Cmd{Dir: dir, Args: g.commitArgs(sc, c)})
	if err != nil && strings.Contains(out, "nothing to commit") {
		return g.nothingToCommit(ctx, sc, dir)
	}
	if err != nil {
		return Result{}, fmt.Errorf("committing in %s: %w", c.Path, err)
	}
	sha, ok := git.WorktreeHead(dir)
	if !ok {
		if sha, err = gitIn(ctx, g.Git, dir, "rev-parse", "HEAD"); err != nil {
			return Result{}, fmt.Errorf("committing in %s: %w", c.Path, err)
		}
	}
	return Succeeded(map[string]any{"commit": sha}), nil
}

func (g GitCommit) commitArgs(sc *Context, c gitCommitConfig) []string {
	var args []string
	if c.Author != nil && c.Author.Name != "" {
		args = append(args, "-c", "user.name="+c.Author.Name, "-c", "user.email="+c.Author.Email)
	}
	args = append(args, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", c.Message)
	if sc.Promotion != "" {
		args = append(args, "--trailer", trailerLine(sc.Promotion))
	}
	return args
}

// nothingToCommit is Skipped, unless HEAD is this promotion's own commit
// from an earlier attempt: then that commit is the step's result.
func (g GitCommit) nothingToCommit(ctx context.Context, sc *Context, dir string) (Result, error) {
	sha, err := gitIn(ctx, g.Git, dir, "rev-parse", "--verify", "-q", "HEAD")
	if err != nil {
		return Result{Status: StatusSkipped, Message: "nothing to commit"}, nil
	}
	out := map[string]any{"commit": sha}
	msg, err := gitIn(ctx, g.Git, dir, "log", "-1", "--format=%B", "HEAD")
	if err == nil && sc.Promotion != "" && hasTrailer(msg, sc.Promotion) {
		return Succeeded(out), nil
	}
	return Result{Status: StatusSkipped, Message: "nothing to commit", Output: out}, nil
}
