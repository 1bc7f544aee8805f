package steps

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/git"
	"github.com/railyard/railyard/internal/testenv"
)

func TestGitPromotionFlow(t *testing.T) {
	e := newGitEnv(t)
	sc := e.ctx(t, "dev.01abc.1234567")
	commit, push := e.promote(t, sc, map[string]string{"manifests.yaml": "kind: Deployment\n"})
	if commit.Status != StatusSucceeded || push.Output["commit"] != commit.Output["commit"] || push.Output["branch"] != "env/dev" {
		t.Fatalf("commit %+v push %+v", commit, push)
	}
	if got := e.srv.ReadFile(t, "gitops", "env/dev", "manifests.yaml"); got != "kind: Deployment\n" {
		t.Fatalf("pushed content %q", got)
	}
	if log := e.srv.Log(t, "gitops", "env/dev"); len(log) != 1 || log[0] != "promote dev.01abc.1234567" {
		t.Fatalf("log %q", log)
	}
	msg := gitOut(t, e.srv.Path("gitops"), "log", "-1", "--format=%B", "env/dev")
	if !hasTrailer(msg, sc.Promotion) {
		t.Fatalf("no trailer in %q", msg)
	}
	again := mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "again"})
	if again.Output["commit"] != commit.Output["commit"] {
		t.Fatalf("re-commit %+v", again)
	}
	other := e.ctx(t, "other")
	mustRun(t, GitClone{Git: e.client}, other, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "env/dev", "path": "out"}}})
	if res := mustRun(t, GitCommit{Git: e.client}, other, map[string]any{"path": "out", "message": "x"}); res.Status != StatusSkipped {
		t.Fatalf("no change: %+v", res)
	}
}

func TestGitPushIdempotent(t *testing.T) {
	tests := []struct {
		name  string
		again func(t *testing.T, e *gitEnv, sc *Context) Result
	}{
		{name: "push twice", again: func(t *testing.T, e *gitEnv, sc *Context) Result {
			return mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "targetBranch": "env/dev"})
		}},
		{name: "whole promotion again in a fresh WorkDir", again: func(t *testing.T, e *gitEnv, sc *Context) Result {
			fresh := e.ctx(t, sc.Promotion)
			_, push := e.promote(t, fresh, map[string]string{"manifests.yaml": "v1\n"})
			return push
		}},
		{name: "fresh WorkDir after another promotion landed", again: func(t *testing.T, e *gitEnv, sc *Context) Result {
			e.promote(t, e.ctx(t, "later"), map[string]string{"manifests.yaml": "v1\n", "later.yaml": "x\n"})
			fresh := e.ctx(t, sc.Promotion)
			_, push := e.promote(t, fresh, map[string]string{"manifests.yaml": "v1\n"})
			return push
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newGitEnv(t)
			sc := e.ctx(t, "dev.p1")
			_, first := e.promote(t, sc, map[string]string{"manifests.yaml": "v1\n"})
			before := len(e.srv.Log(t, "gitops", "env/dev"))
			second := tt.again(t, e, sc)
			if second.Output["commit"] != first.Output["commit"] {
				t.Fatalf("second push reported %v, want %v", second.Output["commit"], first.Output["commit"])
			}
			n := 0
			for _, s := range e.srv.Log(t, "gitops", "env/dev") {
				if s == "promote dev.p1" {
					n++
				}
			}
			if n != 1 || len(e.srv.Log(t, "gitops", "env/dev")) < before {
				t.Fatalf("%d commits of the promotion: %q", n, e.srv.Log(t, "gitops", "env/dev"))
			}
		})
	}
}

func TestGitPushRebasesOnMovedRemote(t *testing.T) {
	e := newGitEnv(t)
	sc := e.ctx(t, "p-rebase")
	mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "out"}}})
	writeFile(t, filepath.Join(sc.WorkDir, "out", "stages/dev/image.txt"), "v2\n")
	mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "promote image"})
	e.srv.Commit(t, "gitops", "main", map[string]string{"docs/readme.md": "hi\n"}, "someone else")
	res := mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out"})
	if got := strings.Join(e.srv.Log(t, "gitops", "main"), "|"); got != "promote image|someone else|initial layout" {
		t.Fatalf("log %s", got)
	}
	if res.Output["commit"] != e.srv.Head(t, "gitops", "main") || res.Output["branch"] != "main" {
		t.Fatalf("output %+v", res.Output)
	}
	if e.srv.ReadFile(t, "gitops", "main", "docs/readme.md") != "hi\n" {
		t.Fatal("lost the remote's change")
	}
}

func TestGitPushConflictIsTerminal(t *testing.T) {
	e := newGitEnv(t)
	sc := e.ctx(t, "p-conflict")
	mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "out"}}})
	writeFile(t, filepath.Join(sc.WorkDir, "out", "base/app.yaml"), "image: mine\n")
	mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "mine"})
	e.srv.Commit(t, "gitops", "main", map[string]string{"base/app.yaml": "image: theirs\n"}, "theirs")
	_, err := run(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out"})
	if !railyard.IsTerminal(err) {
		t.Fatalf("err = %v, want terminal", err)
	}
	forced := mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "force": true})
	if forced.Output["commit"] != e.srv.Head(t, "gitops", "main") {
		t.Fatalf("force push: %+v", forced)
	}
}

func TestGitPushConcurrentPromotions(t *testing.T) {
	e := newGitEnv(t)
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			sc := &Context{WorkDir: t.TempDir(), Promotion: fmt.Sprintf("promo-%d", i)}
			steps := []struct {
				r   Runner
				cfg string
			}{
				{GitClone{Git: e.client}, `{"repoURL":"` + e.url + `","checkout":[{"branch":"main","path":"out"}]}`},
				{GitCommit{Git: e.client}, `{"path":"out","message":"promo ` + fmt.Sprint(i) + `"}`},
				{GitPush{Git: e.client}, `{"path":"out","targetBranch":"main"}`},
			}
			for k, s := range steps {
				if k == 1 {
					p := filepath.Join(sc.WorkDir, "out", "apps", fmt.Sprint(i), "values.yaml")
					os.MkdirAll(filepath.Dir(p), 0o755)
					os.WriteFile(p, []byte("n: "+fmt.Sprint(i)), 0o644)
				}
				if _, err := s.r.Run(t.Context(), sc, []byte(s.cfg)); err != nil {
					errs <- fmt.Errorf("promotion %d %s: %w", i, s.r.Name(), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if log := e.srv.Log(t, "gitops", "main"); len(log) != n+1 {
		t.Fatalf("%d commits: %q", len(log), log)
	}
	for i := range n {
		if got := e.srv.ReadFile(t, "gitops", "main", fmt.Sprintf("apps/%d/values.yaml", i)); got != "n: "+fmt.Sprint(i) {
			t.Fatalf("apps/%d lost: %q", i, got)
		}
	}
}

func TestGitGeneratedBranchAndTag(t *testing.T) {
	e := newGitEnv(t)
	sc := e.ctx(t, "uat.xyz")
	mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "out"}}})
	writeFile(t, filepath.Join(sc.WorkDir, "out", "f"), "x")
	mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "m"})
	res := mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "generateTargetBranch": true, "provider": "github"})
	if res.Output["branch"] != "railyard/promotion/uat.xyz" || e.srv.Head(t, "gitops", "railyard/promotion/uat.xyz") != res.Output["commit"] {
		t.Fatalf("generated branch: %+v", res.Output)
	}
	for range 2 {
		mustRun(t, GitTag{Git: e.client}, sc, map[string]any{"path": "out", "tag": "release-1", "message": "r1"})
		mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "tag": "release-1"})
	}
	if got := gitOut(t, e.srv.Path("gitops"), "rev-parse", "release-1^{commit}"); got != res.Output["commit"] {
		t.Fatalf("tag at %s", got)
	}
	if _, err := run(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "tag": "x", "targetBranch": "y"}); err == nil {
		t.Fatal("tag and targetBranch accepted together")
	}
}

func TestGitStepsWithBasicAuth(t *testing.T) {
	e := newGitEnv(t, testenv.WithBasicAuth("bot", "tok3n"))
	tests := []struct {
		name string
		pass string
		ok   bool
	}{{"right password", "tok3n", true}, {"wrong password", "nope", false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.client = &git.Client{CacheDir: t.TempDir()}
			sc := e.ctx(t, "auth-"+tt.pass)
			sc.Creds = staticCreds{Username: "bot", Password: tt.pass}
			_, err := run(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "out"}}})
			if !tt.ok {
				if !railyard.IsTerminal(err) || strings.Contains(err.Error(), tt.pass) {
					t.Fatalf("err = %v, want terminal without the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(sc.WorkDir, "out", "auth.txt"), "ok")
			mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "auth"})
			mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out"})
			sc.Creds = staticCreds{Username: "bot", Password: "revoked"}
			writeFile(t, filepath.Join(sc.WorkDir, "out", "auth2.txt"), "ok")
			mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "auth2"})
			_, err = run(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out"})
			if !railyard.IsTerminal(err) {
				t.Fatalf("push with revoked credentials: %v, want terminal", err)
			}
		})
	}
}

func TestGitCloneWarmWorkerFetchesOnlyNewObjects(t *testing.T) {
	e := newGitEnv(t)
	rng := rand.New(rand.NewPCG(1, 2))
	files := map[string]string{}
	for i := range 200 {
		b := make([]byte, 2048)
		for k := range b {
			b[k] = byte('a' + rng.IntN(26))
		}
		files[fmt.Sprintf("data/%d.txt", i)] = string(b)
	}
	e.srv.Commit(t, "gitops", "main", files, "bulk")
	clone := func() int64 {
		e.srv.ResetCounters()
		mustRun(t, GitClone{Git: e.client}, e.ctx(t, "w"), map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "out"}}})
		return e.srv.BytesServed()
	}
	cold := clone()
	e.srv.Commit(t, "gitops", "main", map[string]string{"small.txt": "new"}, "small change")
	warm := clone()
	t.Logf("cold clone %d bytes served, warm clone %d bytes", cold, warm)
	if warm*10 > cold {
		t.Fatalf("warm clone fetched %d bytes, cold %d", warm, cold)
	}
}

type staticCreds struct{ Username, Password string }

func (s staticCreds) Lookup(_ context.Context, _, _ string) (creds.Credentials, bool, error) {
	return creds.Credentials{Username: s.Username, Password: s.Password}, true, nil
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = testenv.Env(t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// TestGitPushInProcess follows git-push through its in-process push
// (git.PushOwnObjects) and the cases it leaves to git push: each ends with
// the promotion's content on the remote, whole, and as many requests as
// the path it took makes.
func TestGitPushInProcess(t *testing.T) {
	const content = "kind: Deployment\nmetadata: {name: app}\n"
	tests := []struct {
		name         string
		beforeCommit func(t *testing.T, e *gitEnv, sc *Context)
		afterCommit  func(t *testing.T, e *gitEnv, sc *Context)
		requests     int64 // made by the push
	}{
		// The client pushed to this remote before: the push alone.
		{name: "in process", requests: 1},
		// The mirror holds the new file's blob, which the remote lacks:
		// the server refuses the in-process push, git push sends it.
		{name: "an object only the mirror has", beforeCommit: func(t *testing.T, e *gitEnv, sc *Context) {
			cmd := git.Cmd{Dir: e.client.MirrorDir(e.url), Args: []string{"hash-object", "-w", "--stdin"}, Stdin: strings.NewReader(content)}
			if _, err := e.client.Run(t.Context(), cmd); err != nil {
				t.Fatal(err)
			}
		}, requests: 3},
		{name: "objects in a pack", afterCommit: func(t *testing.T, e *gitEnv, sc *Context) {
			gitOut(t, git.WorktreeRepo(filepath.Join(sc.WorkDir, "out")), "repack", "-d", "-l", "-q")
		}, requests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newGitEnv(t)
			e.promote(t, e.ctx(t, "dev.first"), map[string]string{"first.yaml": "x\n"})
			sc := e.ctx(t, "dev.second")
			mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "env/dev", "path": "out"}}})
			if tt.beforeCommit != nil {
				tt.beforeCommit(t, e, sc)
			}
			writeFile(t, filepath.Join(sc.WorkDir, "out", "manifests.yaml"), content)
			mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "promote dev.second"})
			if tt.afterCommit != nil {
				tt.afterCommit(t, e, sc)
			}
			e.srv.ResetCounters()
			res := mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "targetBranch": "env/dev"})
			if n := e.srv.Requests(); n != tt.requests {
				t.Errorf("the push made %d requests, want %d", n, tt.requests)
			}
			if got := e.srv.ReadFile(t, "gitops", "env/dev", "manifests.yaml"); got != content {
				t.Errorf("manifests.yaml on the remote = %q", got)
			}
			if res.Output["commit"] != e.srv.Head(t, "gitops", "env/dev") {
				t.Errorf("push reported %v, remote is at %s", res.Output["commit"], e.srv.Head(t, "gitops", "env/dev"))
			}
			gitOut(t, e.srv.Path("gitops"), "fsck", "--connectivity-only", "--no-dangling")
		})
	}
}
