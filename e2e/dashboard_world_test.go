package e2e

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard/dashboard"
)

// board is a dashboard under test: its base URL and an HTTP client that
// does not follow redirects, so an action's outcome can be read.
type board struct {
	t    testing.TB
	base string
	http *http.Client
}

// startBoard serves the dashboard in this process against the env's
// Temporal server.
func startBoard(t testing.TB, e *env) *board {
	t.Helper()
	srv := httptest.NewServer(dashboard.New(dashboard.Options{Client: e.client, Namespace: "default",
		UIURL: "http://ui.invalid:8233"}).Handler())
	t.Cleanup(srv.Close)
	return newBoard(t, srv.URL)
}

func newBoard(t testing.TB, base string) *board {
	return &board{t: t, base: base, http: &http.Client{Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// startBoardBinary runs `railyard dashboard` against the env and returns
// it once it printed its URL.
func startBoardBinary(t testing.TB, e *env) (*board, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "railyard"), "--address", e.addr, "dashboard",
		"--port", strconv.Itoa(freePort(t)), "--ui-url", "http://127.0.0.1:8233")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting railyard dashboard: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "dashboard: http://") {
		t.Fatalf("railyard dashboard printed %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return newBoard(t, strings.TrimSpace(strings.TrimPrefix(line, "dashboard: "))), cmd
}

// get fetches a page and returns its status and body.
func (b *board) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.http.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post submits a form and returns the outcome its redirect carries: the
// message, or the refusal.
func (b *board) post(path string, form url.Values) (ok, refused string) {
	b.t.Helper()
	resp, err := b.http.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("POST %s: status %d, want 303", path, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return loc.Query().Get("ok"), loc.Query().Get("error")
}

// form builds url.Values from pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
