package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Workspace is a promotion's working directory on one worker, and the task
// queue that reaches that worker.
type Workspace struct {
	Dir       string `json:"dir"`
	TaskQueue string `json:"taskQueue"`
}

// CreateWorkspace makes an empty working directory for a promotion on this
// worker and returns it with the worker's own task queue, so the steps that
// follow run here. Called again after a lost worker, it starts afresh.
func (a *Activities) CreateWorkspace(ctx context.Context, promotion string) (Workspace, error) {
	dir := filepath.Join(a.WorkRoot, safeName(promotion))
	if err := os.RemoveAll(dir); err != nil {
		return Workspace{}, fmt.Errorf("clearing workspace %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Workspace{}, fmt.Errorf("creating workspace %s: %w", dir, err)
	}
	return Workspace{Dir: dir, TaskQueue: a.HostQueue}, nil
}

// RemoveWorkspace deletes a promotion's working directory.
func (a *Activities) RemoveWorkspace(ctx context.Context, ws Workspace) error {
	if !strings.HasPrefix(filepath.Clean(ws.Dir), filepath.Clean(a.WorkRoot)+string(filepath.Separator)) {
		return fmt.Errorf("removing workspace %s: outside %s", ws.Dir, a.WorkRoot)
	}
	if err := os.RemoveAll(ws.Dir); err != nil {
		return fmt.Errorf("removing workspace %s: %w", ws.Dir, err)
	}
	return nil
}

// CleanWorkRoot removes leftovers of promotions this worker ran before a
// restart. The worker calls it once at start-up.
func CleanWorkRoot(root string) error {
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("cleaning %s: %w", root, err)
	}
	return os.MkdirAll(root, 0o755)
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}
