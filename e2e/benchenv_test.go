package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/devserver"
)

// benchEnv is a benchmark's Railyard: an embedded server, a Temporal client
// and a worker process that can be restarted with another cache directory.
type benchEnv struct {
	b      *testing.B
	addr   string
	client client.Client
	worker *exec.Cmd
	logs   *syncBuffer
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	port := freePortTB(b)
	srv, err := devserver.Start(context.Background(), devserver.Options{
		Port: port, Headless: true, SearchAttributes: railyard.SearchAttributes,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatalf("starting Temporal: %v", err)
	}
	b.Cleanup(func() { _ = srv.Stop() })
	c, err := client.Dial(client.Options{HostPort: srv.FrontendAddress(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatalf("dialing Temporal: %v", err)
	}
	b.Cleanup(c.Close)
	e := &benchEnv{b: b, addr: srv.FrontendAddress(), client: c, logs: &syncBuffer{}}
	b.Cleanup(func() {
		e.stopWorker()
		if b.Failed() {
			b.Logf("worker log:\n%s", e.logs.String())
		}
	})
	return e
}

func freePortTB(b *testing.B) int {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startWorker starts a worker on cacheDir and waits until it is ready.
func (e *benchEnv) startWorker(cacheDir string) {
	e.b.Helper()
	mark := e.logs.Len()
	cmd := exec.Command(filepath.Join(bin, "railyard-worker"), "--cache-dir", cacheDir, "--log-level", "info")
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+e.addr, "TEMPORAL_NAMESPACE=default")
	cmd.Stdout, cmd.Stderr = e.logs, e.logs
	if err := cmd.Start(); err != nil {
		e.b.Fatalf("starting worker: %v", err)
	}
	e.worker = cmd
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(e.logs.From(mark), "railyard-worker ready") {
		if time.Now().After(deadline) {
			e.b.Fatalf("worker not ready after 30s:\n%s", e.logs.From(mark))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopWorker interrupts the worker and waits for it to exit.
func (e *benchEnv) stopWorker() {
	if e.worker == nil {
		return
	}
	_ = e.worker.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.worker.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = e.worker.Process.Kill()
		<-done
	}
	e.worker = nil
}

// must runs the CLI and fails the benchmark when it exits non-zero.
func (e *benchEnv) must(args ...string) string {
	e.b.Helper()
	out, err := (&env{addr: e.addr}).railyard(args...)
	if err != nil {
		e.b.Fatal(err)
	}
	return out
}

// query runs a workflow query into v.
func (e *benchEnv) query(v any, workflowID, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := e.client.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return err
	}
	return res.Get(v)
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Len()
}

func (s *syncBuffer) String() string { return s.From(0) }

// From returns what was written after the first n bytes.
func (s *syncBuffer) From(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.buf.Bytes()[n:])
}
