package e2e

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard/railyard/internal/testenv"
)

// gateMode says what a pushGate does with the push it holds.
type gateMode int

const (
	// refuseHeld holds the push before git sees it; once released, the push
	// is answered with an error and never applied.
	refuseHeld gateMode = iota
	// delayAnswer lets git apply the push, then holds the answer until
	// released.
	delayAnswer
)

// pushGate holds the first push to a git server so that a test can kill
// the worker at a chosen moment of it. Later pushes go straight through.
type pushGate struct {
	mode    gateMode
	once    sync.Once
	arrived chan struct{} // closed when the held push arrived (refuseHeld) or was applied (delayAnswer)
	release chan struct{} // closed by open
}

func newPushGate(mode gateMode) *pushGate {
	return &pushGate{mode: mode, arrived: make(chan struct{}), release: make(chan struct{})}
}

// option installs the gate on a GitServer.
func (g *pushGate) option() testenv.GitOption {
	return testenv.WithReceivePackHook(g.hook)
}

func (g *pushGate) hook(w http.ResponseWriter, r *http.Request, serve http.Handler) {
	held := false
	g.once.Do(func() { held = true })
	switch {
	case !held:
		serve.ServeHTTP(w, r)
	case g.mode == refuseHeld:
		close(g.arrived)
		<-g.release
		http.Error(w, "push refused by the test", http.StatusServiceUnavailable)
	default:
		rec := httptest.NewRecorder()
		serve.ServeHTTP(rec, r)
		close(g.arrived)
		<-g.release
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// wait blocks until the held push arrived.
func (g *pushGate) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(timeout):
		t.Fatalf("no push arrived within %s", timeout)
	}
}

// open releases the held push; it is safe to call more than once.
func (g *pushGate) open() {
	select {
	case <-g.release:
	default:
		close(g.release)
	}
}

// branchCommit is one commit of a branch as git log shows it.
type branchCommit struct {
	SHA     string
	Message string
}

// branchLog returns the commits of branch in repo, newest first.
func branchLog(t *testing.T, srv *testenv.GitServer, repo, branch string) []branchCommit {
	t.Helper()
	cmd := exec.Command("git", "log", "--format=%H%x00%B%x1e", "refs/heads/"+branch)
	cmd.Dir = srv.Path(repo)
	cmd.Env = testenv.Env(t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git log %s in %s: %v", branch, repo, err)
	}
	var log []branchCommit
	for _, rec := range strings.Split(string(out), "\x1e") {
		sha, msg, ok := strings.Cut(strings.TrimSpace(rec), "\x00")
		if ok {
			log = append(log, branchCommit{SHA: sha, Message: msg})
		}
	}
	return log
}

// withTrailer returns the commits that carry promotion's trailer.
func withTrailer(log []branchCommit, promotion string) []branchCommit {
	want := "Railyard-Promotion: " + promotion
	var out []branchCommit
	for _, c := range log {
		for _, line := range strings.Split(c.Message, "\n") {
			if strings.TrimSpace(line) == want {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
