package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/devserver"
	"github.com/railyard/railyard/internal/freeport"
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

// env is one test's or benchmark's Railyard: an embedded in-memory
// Temporal server in this process, a client, and a worker process whose log
// goes to a file.
type env struct {
	t        testing.TB
	addr     string
	client   client.Client
	cacheDir string
	logLevel string
	logPath  string
	args     []string // extra worker arguments
	worker   *exec.Cmd
	project  string // dumped when the test fails
}

type envOption func(*env)

// withoutWorker leaves starting the worker to the caller.
func withoutWorker() envOption { return func(e *env) { e.cacheDir = "" } }

// withWorkerArgs passes extra arguments to the worker.
func withWorkerArgs(args ...string) envOption { return func(e *env) { e.args = args } }

// withLogLevel sets the worker's log level (default debug).
func withLogLevel(level string) envOption { return func(e *env) { e.logLevel = level } }

// freePort is a free loopback port outside the kernel's ephemeral range
// (internal/freeport), so that no outgoing connection takes it before its
// server binds it.
func freePort(t testing.TB) int {
	t.Helper()
	port, err := freeport.On("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// newEnv starts the server, dials it and, unless told not to, starts a
// worker and waits until it is ready.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := devserver.Start(context.Background(), devserver.Options{
		Port: freePort(t), Headless: true, SearchAttributes: railyard.SearchAttributes, Logger: quiet,
	})
	if err != nil {
		t.Fatalf("starting Temporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return envAt(t, srv.FrontendAddress(), opts...)
}

// envAt dials the Temporal frontend at addr (namespace default) and, unless
// told not to, starts a worker against it and waits until it is ready.
func envAt(t testing.TB, addr string, opts ...envOption) *env {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := client.Dial(client.Options{HostPort: addr, Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatalf("dialing Temporal: %v", err)
	}
	t.Cleanup(c.Close)
	e := &env{t: t, addr: addr, client: c, cacheDir: t.TempDir(), logLevel: "debug",
		logPath: filepath.Join(t.TempDir(), "worker.log")}
	for _, o := range opts {
		o(e)
	}
	t.Cleanup(e.cleanup)
	if e.cacheDir != "" {
		e.startWorker()
	}
	return e
}

func (e *env) cleanup() {
	if e.t.Failed() && e.project != "" {
		for _, kind := range []string{"warehouses", "promotions", "stages"} {
			out, err := e.railyard("get", kind, "--project", e.project, "-o", "yaml")
			e.t.Logf("get %s: %v\n%s", kind, err, out)
		}
	}
	e.stopWorker()
	if e.t.Failed() {
		lines := strings.Split(e.workerLog(), "\n")
		e.t.Logf("worker log (last %d lines):\n%s", min(300, len(lines)), strings.Join(lines[max(0, len(lines)-300):], "\n"))
	}
}

// startWorker starts a worker on the env's cache directory and waits until
// it polls.
func (e *env) startWorker() { e.startWorkerIn(e.cacheDir) }

// startWorkerIn starts a worker on cacheDir (a fresh one makes it cold).
func (e *env) startWorkerIn(cacheDir string) {
	e.t.Helper()
	e.cacheDir = cacheDir
	log, err := os.OpenFile(e.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatalf("opening the worker log: %v", err)
	}
	defer log.Close()
	mark := len(e.workerLog())
	args := append([]string{"--cache-dir", cacheDir, "--log-level", e.logLevel}, e.args...)
	cmd := exec.Command(filepath.Join(bin, "railyard-worker"), args...)
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+e.addr, "TEMPORAL_NAMESPACE=default")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("starting worker: %v", err)
	}
	e.worker = cmd
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(e.workerLog()[mark:], "railyard-worker ready") {
		if time.Now().After(deadline) {
			e.t.Fatalf("worker not ready after 60s:\n%s", e.workerLog()[mark:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killWorker kills the worker process without letting it clean up.
func (e *env) killWorker() {
	if e.worker != nil && e.worker.Process != nil {
		_ = e.worker.Process.Kill()
		_ = e.worker.Wait()
		e.worker = nil
	}
}

// stopWorker interrupts the worker and waits for it to exit.
func (e *env) stopWorker() {
	if e.worker == nil || e.worker.Process == nil {
		return
	}
	_ = e.worker.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.worker.Wait(); close(done) }()
	select {
	case <-done:
		e.worker = nil
	case <-time.After(15 * time.Second):
		e.killWorker()
	}
}

func (e *env) workerLog() string {
	b, _ := os.ReadFile(e.logPath)
	return string(b)
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

// query runs a workflow query on the current run into v.
func (e *env) query(v any, workflowID, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := e.client.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return fmt.Errorf("querying %s of %s: %w", name, workflowID, err)
	}
	return res.Get(v)
}

// historyEvents counts the events of a workflow's current run.
func (e *env) historyEvents(workflowID string) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	it := e.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			e.t.Fatalf("reading the history of %s: %v", workflowID, err)
		}
		n++
	}
	return n
}

// procMemory reads VmRSS and VmHWM (in MB) from a /proc/<pid>/status file.
func procMemory(t testing.TB, path string) (rss, peak float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("reading memory: %v", err)
	}
	defer f.Close()
	fields := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			t.Fatalf("parsing %s in %s: %v", name, path, err)
		}
		fields[name] = kb / 1024
	}
	return fields["VmRSS"], fields["VmHWM"]
}

// writeManifests writes YAML text into a temp dir and returns the dir.
func writeManifests(t testing.TB, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "project.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
