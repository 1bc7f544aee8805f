package git

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard/railyard/internal/testenv"
)

// stepRepo is a repository that borrows the mirror of f's remote, as
// git-clone makes them, with a worktree on branch from base; commit adds a
// file there and returns the new commit.
type stepRepo struct {
	t      *testing.T
	c      *Client
	repo   string
	work   string
	mirror string
}

func newStepRepo(t *testing.T, c *Client, url, branch, base string) *stepRepo {
	t.Helper()
	mirror, repo := borrowing(t, c, url)
	s := &stepRepo{t: t, c: c, repo: repo, work: filepath.Join(t.TempDir(), "out"), mirror: mirror}
	s.git(s.repo, "worktree", "add", "--quiet", "-b", branch, s.work, base)
	return s
}

// borrowing makes the mirror of url and a bare repository borrowing its
// objects, as git-clone's.
func borrowing(t *testing.T, c *Client, url string) (mirror, repo string) {
	t.Helper()
	mirror, err := c.SyncMirror(t.Context(), Remote{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	repo = filepath.Join(t.TempDir(), "step.git")
	if _, err := c.Git(t.Context(), "", "clone", "--quiet", "--bare", "--shared", mirror, repo); err != nil {
		t.Fatal(err)
	}
	return mirror, repo
}

func (s *stepRepo) git(dir string, args ...string) string {
	s.t.Helper()
	out, err := s.c.Git(s.t.Context(), dir, args...)
	if err != nil {
		s.t.Fatalf("git %v: %v", args, err)
	}
	return out
}

func (s *stepRepo) commit(name, content string) string {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.work, name), []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.git(s.work, "add", "--all", ".")
	s.git(s.work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "promote "+name)
	return s.git(s.work, "rev-parse", "HEAD")
}

// TestPushOwnObjects pushes a step repository's new commit in this process
// to the real git server: the remote's branch moves only when its lease
// holds, the pushed history is whole (git fsck on the server), and a second
// push to the same remote is one request.
func TestPushOwnObjects(t *testing.T) {
	tests := []struct {
		name    string
		branch  string
		old     func(f *fixture) string // the lease; "" for a branch that must not exist
		prepare func(t *testing.T, f *fixture, s *stepRepo)
		refused bool   // the server refuses the update
		reason  string // and says why
		inGit   bool   // ErrNotInProcess: git push must do it
		// borrowed: the new file's blob is in the mirror before the commit
		borrowed bool
	}{
		{name: "branch where the clone saw it", branch: "main", old: func(f *fixture) string { return f.shas["fix: app a values"] }},
		{name: "new branch", branch: "env/dev", old: func(*fixture) string { return "" }},
		{name: "the remote moved", branch: "main", old: func(f *fixture) string { return f.shas["fix: app a values"] },
			prepare: func(t *testing.T, f *fixture, _ *stepRepo) {
				f.srv.Commit(t, "demo", "main", map[string]string{"other.txt": "someone else"}, "someone else")
			}, refused: true, reason: "failed to update ref"},
		{name: "a branch that exists already", branch: "feature", old: func(*fixture) string { return "" }, refused: true, reason: "failed to update ref"},
		// The mirror holds an object the remote lacks, so the step
		// repository borrowed it and the pack leaves it out.
		{name: "an object only the mirror has", branch: "main", old: func(f *fixture) string { return f.shas["fix: app a values"] },
			borrowed: true, refused: true, reason: "missing necessary objects"},
		{name: "objects in a pack", branch: "main", old: func(f *fixture) string { return f.shas["fix: app a values"] },
			prepare: func(_ *testing.T, _ *fixture, s *stepRepo) { s.git(s.repo, "repack", "-d", "-l", "-q") }, inGit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.client(t, nil)
			s := newStepRepo(t, c, f.url, "push-"+strings.ReplaceAll(tt.branch, "/", "-"), "main")
			if tt.borrowed {
				if _, err := c.Run(t.Context(), Cmd{Dir: s.mirror, Args: []string{"hash-object", "-w", "--stdin"}, Stdin: strings.NewReader("kind: Deployment\n")}); err != nil {
					t.Fatal(err)
				}
			}
			made := s.commit("manifests.yaml", "kind: Deployment\n")
			if tt.prepare != nil {
				tt.prepare(t, f, s)
			}
			before := s.git("", "ls-remote", f.url)
			f.srv.ResetCounters()
			err := c.PushOwnObjects(t.Context(), Remote{URL: f.url}, s.repo, Update{Ref: "refs/heads/" + tt.branch, Old: tt.old(f), New: made})
			var ce *CommandError
			switch {
			case tt.inGit:
				if !errors.Is(err, ErrNotInProcess) {
					t.Fatalf("PushOwnObjects = %v, want ErrNotInProcess", err)
				}
			case tt.refused:
				if !errors.As(err, &ce) || !strings.HasPrefix(ce.Stderr, "refused refs/heads/"+tt.branch+": "+tt.reason) {
					t.Fatalf("PushOwnObjects = %v, want the server's refusal", err)
				}
			case err != nil:
				t.Fatalf("PushOwnObjects: %v", err)
			}
			if tt.refused || tt.inGit {
				if after := s.git("", "ls-remote", f.url); after != before {
					t.Errorf("the remote changed:\n%s\nwas\n%s", after, before)
				}
				return
			}
			if got := s.git(f.srv.Path("demo"), "rev-parse", "refs/heads/"+tt.branch); got != made {
				t.Errorf("remote %s = %s, want %s", tt.branch, got, made)
			}
			s.git(f.srv.Path("demo"), "fsck", "--connectivity-only", "--no-dangling")
			if n := f.srv.Requests(); n != 2 {
				t.Errorf("first push: %d requests, want 2 (advertisement, push)", n)
			}
			next := s.commit("second.yaml", "kind: Service\n")
			f.srv.ResetCounters()
			if err := c.PushOwnObjects(t.Context(), Remote{URL: f.url}, s.repo, Update{Ref: "refs/heads/" + tt.branch, Old: made, New: next}); err != nil {
				t.Fatalf("second push: %v", err)
			}
			if n := f.srv.Requests(); n != 1 {
				t.Errorf("second push: %d requests, want 1", n)
			}
			if got := s.git(f.srv.Path("demo"), "show", next+":second.yaml"); got != "kind: Service" {
				t.Errorf("second.yaml on the remote = %q", got)
			}
		})
	}
}

// TestPushOwnObjectsWithCredentials pushes to a server that demands basic
// authentication, with the credentials of the remote and without.
func TestPushOwnObjectsWithCredentials(t *testing.T) {
	f := newFixture(t, testenv.WithBasicAuth("bot", "s3cret-token"))
	withCreds := staticCreds{Username: "bot", Password: "s3cret-token"}
	c := f.client(t, withCreds)
	s := newStepRepo(t, c, f.url, "push", "main")
	made := s.commit("manifests.yaml", "kind: Deployment\n")
	u := Update{Ref: "refs/heads/main", Old: f.shas["fix: app a values"], New: made}
	err := (&Client{CacheDir: t.TempDir()}).PushOwnObjects(t.Context(), Remote{URL: f.url}, s.repo, u)
	if err == nil || strings.Contains(err.Error(), "s3cret-token") {
		t.Fatalf("push without credentials: %v, want an error that keeps the secret", err)
	}
	if err := c.PushOwnObjects(t.Context(), Remote{URL: f.url}, s.repo, u); err != nil {
		t.Fatalf("push with credentials: %v", err)
	}
	if got := s.git(f.srv.Path("demo"), "rev-parse", "refs/heads/main"); got != made {
		t.Errorf("remote main = %s, want %s", got, made)
	}
}

// TestPushOwnObjectsNotHTTP leaves other transports to git.
func TestPushOwnObjectsNotHTTP(t *testing.T) {
	err := (&Client{CacheDir: t.TempDir()}).PushOwnObjects(t.Context(), Remote{URL: "ssh://git@example.com/repo.git"}, t.TempDir(), Update{Ref: "refs/heads/main"})
	if !errors.Is(err, ErrNotInProcess) {
		t.Fatalf("PushOwnObjects = %v, want ErrNotInProcess", err)
	}
}
