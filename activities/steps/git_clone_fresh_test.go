package steps

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/railyard/railyard/activities/git"
)

// TestGitCloneFreshMirror follows a worker's mirror through promotions: a
// clone lists the remote in one request and fetches only when a ref it
// checks out moved past the mirror, and git-push keeps the mirror current
// for the stage branch it pushed.
func TestGitCloneFreshMirror(t *testing.T) {
	e := newGitEnv(t)
	e.promote(t, e.ctx(t, "p0"), map[string]string{"manifests.yaml": "v0\n"}) // a cold clone, then a push
	tests := []struct {
		name   string
		before func(t *testing.T)
		fetch  bool
	}{
		{name: "after this worker's push", fetch: false},
		{name: "another promotion of this worker pushed", before: func(t *testing.T) {
			e.promote(t, e.ctx(t, "p1"), map[string]string{"manifests.yaml": "v1\n"})
		}, fetch: false},
		{name: "someone else pushed the stage branch", before: func(t *testing.T) {
			e.srv.Commit(t, "gitops", "env/dev", map[string]string{"manual.yaml": "x\n"}, "by hand")
		}, fetch: true},
		{name: "nothing moved since that fetch", fetch: false},
		{name: "the source branch moved", before: func(t *testing.T) {
			e.srv.Commit(t, "gitops", "main", map[string]string{"base/app.yaml": "image: v9\n"}, "bump")
		}, fetch: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before(t)
			}
			e.srv.ResetCounters()
			sc := e.ctx(t, "q"+string(rune('a'+i)))
			res := mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{
				{"branch": "main", "path": "src"}, {"branch": "env/dev", "path": "out"}}})
			commits := res.Output["commits"].(map[string]any)
			for path, branch := range map[string]string{"src": "main", "out": "env/dev"} {
				if want := gitOut(t, e.srv.Path("gitops"), "rev-parse", branch); commits[path] != want {
					t.Errorf("%s = %v, want the remote's %s at %s", path, commits[path], branch, want)
				}
			}
			if lease := gitOut(t, sc.WorkDir+"/out", "rev-parse", "refs/remotes/origin/env/dev"); lease != commits["out"] {
				t.Errorf("push's lease = %s, want %v", lease, commits["out"])
			}
			if got := e.srv.Requests(); (got > 1) != tt.fetch {
				t.Errorf("%d requests to the git server; want a fetch: %v", got, tt.fetch)
			}
		})
	}
}

// TestOriginURL reads git-clone's worktrees' origin in this process and
// falls back to git for any other layout.
func TestOriginURL(t *testing.T) {
	e := newGitEnv(t)
	sc := e.ctx(t, "p")
	mustRun(t, GitClone{Git: e.client}, sc, map[string]any{"repoURL": e.url, "checkout": []map[string]any{{"branch": "main", "path": "out"}}})
	plain := t.TempDir()
	gitOut(t, plain, "init", "-q")
	gitOut(t, plain, "remote", "add", "origin", "https://example.com/plain.git")
	tests := []struct {
		name, dir, inProcess, want string
	}{
		{name: "git-clone worktree", dir: filepath.Join(sc.WorkDir, "out"), inProcess: e.url, want: e.url},
		{name: "plain repository", dir: plain, inProcess: "", want: "https://example.com/plain.git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := git.ConfiguredOrigin(tt.dir); got != tt.inProcess {
				t.Errorf("ConfiguredOrigin = %q, want %q", got, tt.inProcess)
			}
			got, err := originURL(context.Background(), e.client, tt.dir)
			if err != nil || got != tt.want {
				t.Errorf("originURL = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := originURL(context.Background(), e.client, t.TempDir()); err == nil {
		t.Error("originURL of a directory that is no checkout: no error")
	}
}
