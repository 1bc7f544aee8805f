package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// GitClear is the `git-clear` step: it empties a worktree, keeping .git, so
// that later steps write the branch's complete new content.
type GitClear struct{}

type gitClearConfig struct {
	Path string `json:"path"`
}

// Name implements Runner.
func (GitClear) Name() string { return "git-clear" }

// Run implements Runner.
func (GitClear) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitClearConfig
	if err := DecodeConfig("git-clear", raw, &c); err != nil {
		return Result{}, err
	}
	dir, err := securePath(sc.WorkDir, c.Path)
	if err != nil {
		return Result{}, fmt.Errorf("git-clear path: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		return Result{}, Terminal(fmt.Errorf("git-clear: %s is not a git checkout", c.Path))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Result{}, fmt.Errorf("clearing %s: %w", c.Path, err)
	}
	for _, e := range entries {
		if e.Name() == ".git" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return Result{}, fmt.Errorf("clearing %s: %w", c.Path, err)
		}
	}
	return Succeeded(nil), nil
}
