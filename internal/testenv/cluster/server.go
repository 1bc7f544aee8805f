package cluster

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// Server is the Temporal server process, started as the server image starts
// it: `temporal-server start` with no flags, the configuration rendered from
// its embedded template by the environment.
type Server struct {
	Address string
	bin     string
	env     map[string]string
	dir     string
	cmd     *exec.Cmd
	exited  chan struct{}
}

func newServer(t testing.TB, bin string, env map[string]string) *Server {
	s := &Server{Address: "127.0.0.1:" + env["FRONTEND_GRPC_PORT"], bin: bin, env: env, dir: t.TempDir()}
	t.Cleanup(s.stop)
	return s
}

// LogPath is where the server writes its output (appended over restarts).
func (s *Server) LogPath() string { return filepath.Join(s.dir, "temporal-server.log") }

// PID is the running server's process id, 0 when it is not running.
func (s *Server) PID() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Start starts the server and waits until its frontend reports healthy.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	log, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(s.bin, "start")
	cmd.Dir = s.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range s.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting temporal-server: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.exited)
	if err := s.waitHealthy(90 * time.Second); err != nil {
		b, _ := os.ReadFile(s.LogPath())
		t.Fatalf("temporal-server: %v\nlog:\n%s", err, tail(string(b), 60))
	}
}

// Kill kills the server with SIGKILL and waits for it to be gone.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

func (s *Server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		s.cmd = nil
	case <-time.After(20 * time.Second):
		s.Kill()
	}
}

// waitHealthy polls the frontend's health check.
func (s *Server) waitHealthy(limit time.Duration) error {
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	deadline := time.Now().Add(limit)
	var err error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errExited
		default:
		}
		var c client.Client
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if c, err = client.DialContext(ctx, client.Options{HostPort: s.Address, Logger: quiet}); err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

type exitedError struct{}

func (exitedError) Error() string { return "exited before its frontend was healthy" }

var errExited = exitedError{}

func tail(s string, lines int) string {
	n := 0
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			if n++; n > lines {
				return s[i+1:]
			}
		}
	}
	return s
}
