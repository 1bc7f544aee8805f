package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/git"
	"github.com/railyard/railyard/internal/testenv"
)

type gitEnv struct {
	srv    *testenv.GitServer
	url    string
	client *git.Client
	init   string // first commit on main
}

func newGitEnv(t *testing.T, opts ...testenv.GitOption) *gitEnv {
	e := &gitEnv{srv: testenv.NewGitServer(t, opts...), client: &git.Client{CacheDir: t.TempDir()}}
	e.url = e.srv.CreateRepo(t, "gitops")
	e.init = e.srv.Commit(t, "gitops", "main", map[string]string{
		"base/app.yaml": "image: v1\n", "stages/dev/kustomization.yaml": "resources: [../../base]\n",
	}, "initial layout")
	e.srv.Tag(t, "gitops", "v1.0.0", "main", true)
	return e
}

func (e *gitEnv) ctx(t *testing.T, promotion string) *Context {
	return &Context{WorkDir: t.TempDir(), Project: "p", Stage: "dev", Promotion: promotion, Creds: creds.None{}}
}

func run(t *testing.T, r Runner, sc *Context, cfg map[string]any) (Result, error) {
	t.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r.Run(context.Background(), sc, raw)
}

func mustRun(t *testing.T, r Runner, sc *Context, cfg map[string]any) Result {
	t.Helper()
	res, err := run(t, r, sc, cfg)
	if err != nil {
		t.Fatalf("%s: %v", r.Name(), err)
	}
	return res
}

// promote runs clone (stage branch env/dev, created when missing) → clear →
// write files → commit → push, as a classic promotion template does.
func (e *gitEnv) promote(t *testing.T, sc *Context, files map[string]string) (commit, push Result) {
	t.Helper()
	mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{
		{"branch": "main", "path": "src"}, {"branch": "env/dev", "create": true, "path": "out"}}})
	mustRun(t, GitClear{}, sc, map[string]any{"path": "out"})
	for p, body := range files {
		writeFile(t, filepath.Join(sc.WorkDir, "out", p), body)
	}
	commit = mustRun(t, GitCommit{Git: e.client}, sc, map[string]any{"path": "out", "message": "promote " + sc.Promotion})
	push = mustRun(t, GitPush{Git: e.client}, sc, map[string]any{"path": "out", "targetBranch": "env/dev"})
	return commit, push
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGitCloneCheckouts(t *testing.T) {
	e := newGitEnv(t)
	second := e.srv.Commit(t, "gitops", "main", map[string]string{"base/app.yaml": "image: v2\n"}, "bump")
	tests := []struct {
		name     string
		checkout map[string]any
		want     string // commit output; "-" for none
		file     string // expected content of base/app.yaml, "" for absent
		err      error
	}{
		{name: "branch", checkout: map[string]any{"branch": "main"}, want: second, file: "image: v2\n"},
		{name: "default branch", checkout: map[string]any{}, want: second, file: "image: v2\n"},
		{name: "commit", checkout: map[string]any{"commit": e.init}, want: e.init, file: "image: v1\n"},
		{name: "tag", checkout: map[string]any{"tag": "v1.0.0"}, want: e.init, file: "image: v1\n"},
		{name: "alias", checkout: map[string]any{"branch": "main", "as": "source"}, want: second, file: "image: v2\n"},
		{name: "sparse", checkout: map[string]any{"branch": "main", "sparse": []string{"stages"}}, want: second},
		{name: "create orphan", checkout: map[string]any{"branch": "env/new", "create": true}, want: ""},
		{name: "missing branch", checkout: map[string]any{"branch": "env/none"}, err: railyard.ErrNotFound},
		{name: "missing tag", checkout: map[string]any{"tag": "v9"}, err: railyard.ErrNotFound},
		{name: "two refs", checkout: map[string]any{"branch": "main", "tag": "v1.0.0"}, err: railyard.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := e.ctx(t, "p1")
			tt.checkout["path"] = "co"
			cfg := map[string]any{"repoURL": e.url, "checkout": []map[string]any{tt.checkout}}
			for range 2 { // a second attempt in the same WorkDir redoes the work
				res, err := run(t, GitClone{Git: e.client}, sc, cfg)
				if tt.err != nil {
					if err == nil || !railyard.IsTerminal(err) || (tt.err != railyard.ErrInvalid && !errors.Is(err, tt.err)) {
						t.Fatalf("err = %v, want terminal %v", err, tt.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				key := "co"
				if as, ok := tt.checkout["as"].(string); ok {
					key = as
				}
				if got := res.Output["commits"].(map[string]any)[key]; got != tt.want {
					t.Fatalf("commits[%s] = %v, want %s", key, got, tt.want)
				}
				got, _ := os.ReadFile(filepath.Join(sc.WorkDir, "co", "base", "app.yaml"))
				if string(got) != tt.file {
					t.Fatalf("base/app.yaml = %q, want %q", got, tt.file)
				}
			}
		})
	}
}

func TestGitCloneUnsupported(t *testing.T) {
	e := newGitEnv(t)
	tests := []map[string]any{
		{"repoURL": e.url, "checkout": []map[string]any{{"path": "a"}}, "recurseSubmodules": true},
		{"repoURL": e.url, "checkout": []map[string]any{{"path": "a"}}, "author": map[string]any{"name": "a", "email": "b", "signingKey": "k"}},
		{"repoURL": e.url, "checkout": []map[string]any{{"path": "a"}}, "unknownKey": 1},
		{"repoURL": e.url, "checkout": []map[string]any{{"path": "../escape"}}},
	}
	for i, cfg := range tests {
		t.Run(string(rune('a'+i)), func(t *testing.T) {
			_, err := run(t, GitClone{Git: e.client}, e.ctx(t, "p"), cfg)
			if !railyard.IsTerminal(err) {
				t.Fatalf("err = %v, want terminal", err)
			}
		})
	}
}

// TestGitCloneWarmMirror clones on a worker whose mirror is older than the
// remote: the branch and the commit checked out are the remote's newest,
// which the mirror learns during the step.
func TestGitCloneWarmMirror(t *testing.T) {
	e := newGitEnv(t)
	first := e.ctx(t, "p1")
	mustRun(t, GitClone{Git: e.client}, first, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "src"}}})
	tests := []struct {
		name     string
		checkout func(newest string) map[string]any
	}{
		{"branch moved", func(string) map[string]any { return map[string]any{"branch": "main"} }},
		{"default branch moved", func(string) map[string]any { return map[string]any{} }},
		{"commit the mirror lacks", func(newest string) map[string]any { return map[string]any{"commit": newest} }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := fmt.Sprintf("image: v%d\n", i+10)
			newest := e.srv.Commit(t, "gitops", "main", map[string]string{"base/app.yaml": body}, "bump")
			sc := e.ctx(t, "p2")
			co := tt.checkout(newest)
			co["path"] = "co"
			res := mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{co}})
			if got := res.Output["commits"].(map[string]any)["co"]; got != newest {
				t.Fatalf("commit = %v, want the remote's newest %s", got, newest)
			}
			if got, _ := os.ReadFile(filepath.Join(sc.WorkDir, "co", "base", "app.yaml")); string(got) != body {
				t.Fatalf("base/app.yaml = %q, want %q", got, body)
			}
		})
	}
}

// TestGitCloneSameBranchTwice: a branch checked out twice is refused, as
// git refuses it, whether the first checkout is sparse or not.
func TestGitCloneSameBranchTwice(t *testing.T) {
	e := newGitEnv(t)
	for _, sparse := range []bool{false, true} {
		t.Run(fmt.Sprintf("first sparse %v", sparse), func(t *testing.T) {
			first := map[string]any{"branch": "main", "path": "a"}
			if sparse {
				first["sparse"] = []string{"stages"}
			}
			cfg := map[string]any{"repoURL": e.url, "checkout": []map[string]any{first, {"branch": "main", "path": "b"}}}
			if _, err := run(t, GitClone{Git: e.client}, e.ctx(t, "p1"), cfg); err == nil || !strings.Contains(err.Error(), "refs/heads/main") {
				t.Fatalf("git-clone = %v, want a refusal of main checked out twice", err)
			}
		})
	}
}
