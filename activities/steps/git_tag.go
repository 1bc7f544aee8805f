package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/railyard/railyard/activities/git"
)

// GitTag is the `git-tag` step: it tags the worktree's HEAD, annotated when
// a message is given. Re-tagging the same commit is a no-op.
type GitTag struct{ Git *git.Client }

type gitTagConfig struct {
	Path    string `json:"path"`
	Tag     string `json:"tag"`
	Message string `json:"message,omitempty"`
	Force   bool   `json:"force,omitempty"`
}

// Name implements Runner.
func (GitTag) Name() string { return "git-tag" }

// Run implements Runner.
func (g GitTag) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitTagConfig
	if err := DecodeConfig("git-tag", raw, &c); err != nil {
		return Result{}, err
	}
	if c.Tag == "" {
		return Result{}, Terminal(errors.New("git-tag config: tag is required"))
	}
	dir, err := securePath(sc.WorkDir, c.Path)
	if err != nil {
		return Result{}, fmt.Errorf("git-tag path: %w", err)
	}
	head, err := gitIn(ctx, g.Git, dir, "rev-parse", "HEAD")
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("tagging %s: no commit to tag: %w", c.Path, err))
	}
	existing, err := gitIn(ctx, g.Git, dir, "rev-parse", "--verify", "-q", "refs/tags/"+c.Tag+"^{commit}")
	if err == nil && existing == head {
		return Succeeded(map[string]any{"tag": c.Tag, "commit": head}), nil
	}
	args := []string{"tag"}
	if c.Force {
		args = append(args, "--force")
	}
	if c.Message != "" {
		args = append(args, "--annotate", "--no-sign", "-m", c.Message)
	}
	if _, err := gitIn(ctx, g.Git, dir, append(args, c.Tag)...); err != nil {
		return Result{}, Terminal(fmt.Errorf("tagging %s as %s: %w", c.Path, c.Tag, err))
	}
	return Succeeded(map[string]any{"tag": c.Tag, "commit": head}), nil
}
