package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/devserver"
)

// bin holds the binaries built once for all tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "railyard-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, pkg := range map[string]string{"railyard-worker": "../worker", "railyard": "../starter"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", name+":", err)
			os.Exit(1)
		}
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one test's Railyard: an embedded server and a worker process.
type env struct {
	t        *testing.T
	addr     string
	cacheDir string
	worker   *exec.Cmd
	logs     *bytes.Buffer
	project  string // dumped when the test fails
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newEnv starts an in-memory embedded Temporal server and a worker.
func newEnv(t *testing.T) *env {
	t.Helper()
	srv, err := devserver.Start(context.Background(), devserver.Options{
		Port: freePort(t), Headless: true, SearchAttributes: railyard.SearchAttributes,
	})
	if err != nil {
		t.Fatalf("starting Temporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	e := &env{t: t, addr: srv.FrontendAddress(), cacheDir: t.TempDir(), logs: &bytes.Buffer{}}
	e.startWorker()
	t.Cleanup(func() {
		if t.Failed() && e.project != "" {
			for _, kind := range []string{"warehouses", "promotions", "stages"} {
				out, err := e.railyard("get", kind, "--project", e.project, "-o", "yaml")
				t.Logf("get %s: %v\n%s", kind, err, out)
			}
		}
		e.stopWorker()
		if t.Failed() {
			t.Logf("worker log:\n%s", e.logs.String())
		}
	})
	return e
}

func (e *env) startWorker() {
	e.t.Helper()
	cmd := exec.Command(filepath.Join(bin, "railyard-worker"), "--cache-dir", e.cacheDir, "--log-level", "debug")
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+e.addr, "TEMPORAL_NAMESPACE=default")
	cmd.Stdout, cmd.Stderr = e.logs, e.logs
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("starting worker: %v", err)
	}
	e.worker = cmd
}

// killWorker kills the worker process without letting it clean up.
func (e *env) killWorker() {
	if e.worker != nil && e.worker.Process != nil {
		_ = e.worker.Process.Kill()
		_ = e.worker.Wait()
		e.worker = nil
	}
}

func (e *env) stopWorker() {
	if e.worker != nil && e.worker.Process != nil {
		_ = e.worker.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = e.worker.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			e.killWorker()
		}
		e.worker = nil
	}
}

// railyard runs the CLI and returns its standard output; err is set when
// it exits non-zero, carrying standard error.
func (e *env) railyard(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(bin, "railyard"), append([]string{"--address", e.addr}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("railyard %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

func (e *env) must(args ...string) string {
	e.t.Helper()
	out, err := e.railyard(args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// getJSON runs `railyard get … -o json` into v.
func (e *env) getJSON(v any, args ...string) {
	e.t.Helper()
	out := e.must(append(append([]string{"get"}, args...), "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		e.t.Fatalf("decoding %q: %v", out, err)
	}
}

// eventually polls cond until it holds or the timeout passes.
func (e *env) eventually(timeout time.Duration, what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	e.t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// writeManifests writes YAML text into a temp dir and returns the dir.
func writeManifests(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "project.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
