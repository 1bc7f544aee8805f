package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Workspace is a promotion's working directory on one worker, and the task
// queue that reaches that worker.
type Workspace struct {
	Dir       string `json:"dir"`
	TaskQueue string `json:"taskQueue"`
}

// CreateWorkspaceName is CreateWorkspace's registered name: the Promotion
// runs it as a local activity, on the worker that runs its workflow task.
const CreateWorkspaceName = "CreateWorkspace"

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

// RemoveWorkspaceName is RemoveWorkspace's registered name (a local
// activity of the Promotion).
const RemoveWorkspaceName = "RemoveWorkspace"

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

// pidFile marks a work root with the process that owns it.
const pidFile = ".owner-pid"

// PrepareWorkRoot creates this process's work root under parent and removes
// the work roots of workers that are no longer running (leftovers of
// promotions cut short by a crash). Roots of live workers sharing parent are
// left alone. The worker calls it once at start-up.
func PrepareWorkRoot(parent, name string) (string, error) {
	entries, err := os.ReadDir(parent)
	if err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("reading %s: %w", parent, err)
	}
	for _, e := range entries {
		dir := filepath.Join(parent, e.Name())
		if e.IsDir() && !ownerAlive(dir) {
			if err := os.RemoveAll(dir); err != nil {
				return "", fmt.Errorf("removing leftover workspace %s: %w", dir, err)
			}
		}
	}
	root := filepath.Join(parent, name)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", root, err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(filepath.Join(root, pidFile), pid, 0o644); err != nil {
		return "", fmt.Errorf("marking %s: %w", root, err)
	}
	return root, nil
}

// ownerAlive reports whether the process that created a work root still
// runs (signal 0 probes without signalling).
func ownerAlive(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}
