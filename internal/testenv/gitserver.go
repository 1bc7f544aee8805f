// Package testenv provides real servers on loopback for tests: a git server
// speaking smart HTTP through `git http-backend`, with optional basic auth and
// traffic counters for benchmarks.
package testenv

import (
	"crypto/subtle"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// GitServer serves the bare repositories under one directory over smart HTTP
// on 127.0.0.1. It is closed when the test ends.
type GitServer struct {
	root  string
	home  string
	user  string
	pass  string
	srv   *httptest.Server
	bytes atomic.Int64
	reqs  atomic.Int64
	push  ReceivePackHook

	mu    sync.Mutex // serialises writes made through the helpers
	clock time.Time  // deterministic commit and tag dates
}

// GitOption configures a GitServer.
type GitOption func(*GitServer)

// WithBasicAuth requires HTTP basic authentication with user and pass.
func WithBasicAuth(user, pass string) GitOption {
	return func(s *GitServer) { s.user, s.pass = user, pass }
}

// ReceivePackHook intercepts every push (POST …/git-receive-pack). serve
// runs git on the request; the hook decides whether, when and how: it may
// hold the request, refuse it, or let git apply it and delay the answer.
type ReceivePackHook func(w http.ResponseWriter, r *http.Request, serve http.Handler)

// WithReceivePackHook routes every push through h.
func WithReceivePackHook(h ReceivePackHook) GitOption {
	return func(s *GitServer) { s.push = h }
}

// NewGitServer starts a git server serving repositories from a fresh
// temporary directory.
func NewGitServer(t testing.TB, opts ...GitOption) *GitServer {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	s := &GitServer{
		root:  t.TempDir(),
		home:  t.TempDir(),
		clock: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, o := range opts {
		o(s)
	}
	backend := &cgi.Handler{
		Path: git,
		Args: []string{"http-backend"},
		Dir:  s.root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"HOME=" + s.home,
		},
	}
	s.srv = httptest.NewServer(s.handler(backend))
	t.Cleanup(s.Close)
	return s
}

func (s *GitServer) handler(backend http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.reqs.Add(1)
		cw := &countingWriter{ResponseWriter: w, n: &s.bytes}
		if s.user != "" && !s.authorized(r) {
			cw.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(cw, "unauthorized", http.StatusUnauthorized)
			return
		}
		if s.user != "" {
			r.Header.Set("X-Remote-User", s.user)
		}
		if s.push != nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			s.push(cw, r, backend)
			return
		}
		backend.ServeHTTP(cw, r)
	})
}

func (s *GitServer) authorized(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.pass)) == 1
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Close stops the server; later requests fail to connect. It is safe to call
// more than once.
func (s *GitServer) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL returns the clone URL of the repository name (without ".git").
func (s *GitServer) URL(name string) string {
	return s.srv.URL + "/" + strings.TrimSuffix(name, ".git") + ".git"
}

// Path returns the bare repository's directory on disk.
func (s *GitServer) Path(name string) string {
	return filepath.Join(s.root, strings.TrimSuffix(name, ".git")+".git")
}

// BytesServed is the number of response body bytes written to clients.
func (s *GitServer) BytesServed() int64 { return s.bytes.Load() }

// Requests is the number of HTTP requests received.
func (s *GitServer) Requests() int64 { return s.reqs.Load() }

// ResetCounters zeroes BytesServed and Requests.
func (s *GitServer) ResetCounters() {
	s.bytes.Store(0)
	s.reqs.Store(0)
}

// ServeDir makes every bare repository (*.git) found in dir available on
// this server under its own name, without copying it.
func (s *GitServer) ServeDir(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("serving %s: %v", dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), ".git") {
			continue
		}
		src, _ := filepath.Abs(filepath.Join(dir, e.Name()))
		if err := os.Symlink(src, filepath.Join(s.root, e.Name())); err != nil {
			t.Fatalf("serving %s: %v", src, err)
		}
	}
}
