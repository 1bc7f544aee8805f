package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Worker is one railyard-worker process run as deploy/compose.yaml's worker
// service runs it: its command line, its cache directory, and no
// configuration but TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE.
type Worker struct {
	Name string
	bin  string
	args []string
	env  []string
	log  string
	cmd  *exec.Cmd
	// PIDs are the process ids this worker has had, oldest first; the SDK's
	// worker identity starts with the pid.
	PIDs []int
}

// NewWorker prepares a worker named name (its log and cache directory are
// its own) without starting it. extra is appended to compose's arguments.
func (c *Cluster) NewWorker(t testing.TB, bin, name string, extra ...string) *Worker {
	t.Helper()
	dir := t.TempDir()
	args, err := replaceArg(c.Compose.WorkerArgs, "--cache-dir", filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatalf("%s worker: %v", c.Compose.Path, err)
	}
	w := &Worker{Name: name, bin: bin, args: append(args, extra...), log: filepath.Join(dir, "worker.log")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") {
			w.env = append(w.env, kv)
		}
	}
	for k, v := range c.Compose.WorkerEnv {
		if k == "TEMPORAL_ADDRESS" {
			v = c.Address
		}
		w.env = append(w.env, k+"="+v)
	}
	t.Cleanup(w.Stop)
	return w
}

// replaceArg sets the value following flag in args.
func replaceArg(args []string, flag, value string) ([]string, error) {
	out := append([]string(nil), args...)
	for i := range out[:max(0, len(out)-1)] {
		if out[i] == flag {
			out[i+1] = value
			return out, nil
		}
	}
	return nil, fmt.Errorf("the worker command has no %s", flag)
}

// Start starts the worker and waits until it says it is ready.
func (w *Worker) Start(t testing.TB) {
	t.Helper()
	log, err := os.OpenFile(w.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	mark := len(w.Log())
	cmd := exec.Command(w.bin, w.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = w.env, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting worker %s: %v", w.Name, err)
	}
	w.cmd = cmd
	w.PIDs = append(w.PIDs, cmd.Process.Pid)
	for deadline := time.Now().Add(90 * time.Second); !strings.Contains(w.Log()[mark:], "railyard-worker ready"); {
		if time.Now().After(deadline) {
			t.Fatalf("worker %s not ready after 90s:\n%s", w.Name, tail(w.Log()[mark:], 40))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill kills the worker with SIGKILL and waits for it to be gone.
func (w *Worker) Kill() {
	if w.cmd == nil {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	_ = w.cmd.Wait()
	w.cmd = nil
}

// Stop interrupts the worker and waits for it, killing it after 15 s.
func (w *Worker) Stop() {
	if w.cmd == nil {
		return
	}
	_ = w.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = w.cmd.Wait(); close(done) }()
	select {
	case <-done:
		w.cmd = nil
	case <-time.After(15 * time.Second):
		w.Kill()
	}
}

// Running reports whether the worker's process is up.
func (w *Worker) Running() bool { return w.cmd != nil }

// Log returns the worker's log, over all its runs.
func (w *Worker) Log() string {
	b, _ := os.ReadFile(w.log)
	return string(b)
}

// Owns reports whether a Temporal worker identity (pid@host@…) is one of
// this worker's processes.
func (w *Worker) Owns(identity string) bool {
	pid, _, _ := strings.Cut(identity, "@")
	n, err := strconv.Atoi(pid)
	if err != nil {
		return false
	}
	for _, p := range w.PIDs {
		if p == n {
			return true
		}
	}
	return false
}
