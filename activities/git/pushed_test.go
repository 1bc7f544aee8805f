package git

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRecordPush records a commit made in a repository that borrows the
// mirror's objects, as git-clone makes them: the mirror then holds the
// commit, whole, on the branch, whether its objects were loose or packed.
func TestRecordPush(t *testing.T) {
	tests := []struct {
		name   string
		pack   bool // the new objects are packed in the borrowing repository
		commit func(made string) string
		err    bool
	}{
		{name: "loose objects", commit: func(made string) string { return made }},
		{name: "a pack", pack: true, commit: func(made string) string { return made }},
		{name: "a commit nobody made", commit: func(string) string { return "0123456789abcdef0123456789abcdef01234567" }, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.client(t, nil)
			mirror, err := c.SyncMirror(t.Context(), Remote{URL: f.url})
			if err != nil {
				t.Fatal(err)
			}
			repo := filepath.Join(t.TempDir(), "step.git")
			work := filepath.Join(t.TempDir(), "out")
			git := func(dir string, args ...string) string {
				t.Helper()
				out, err := c.Git(t.Context(), dir, args...)
				if err != nil {
					t.Fatalf("git %v: %v", args, err)
				}
				return out
			}
			git("", "clone", "--quiet", "--bare", "--shared", mirror, repo)
			git(repo, "worktree", "add", "--quiet", "-b", "env/dev", work, "main")
			if err := os.WriteFile(filepath.Join(work, "manifests.yaml"), []byte("kind: Deployment\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			git(work, "add", "--all", ".")
			git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "promote")
			made := git(work, "rev-parse", "HEAD")
			if tt.pack {
				git(repo, "repack", "-d", "-l", "-q")
			}
			err = c.RecordPush(t.Context(), f.url, repo, tt.commit(made), "env/dev")
			if (err != nil) != tt.err {
				t.Fatalf("RecordPush: %v, want an error: %v", err, tt.err)
			}
			if tt.err {
				return
			}
			if got := git(mirror, "rev-parse", "refs/heads/env/dev"); got != made {
				t.Errorf("mirror's env/dev = %s, want %s", got, made)
			}
			git(mirror, "fsck", "--connectivity-only", "--no-dangling")
			if got := git(mirror, "show", made+":manifests.yaml"); got != "kind: Deployment" {
				t.Errorf("manifests.yaml in the mirror = %q", got)
			}
		})
	}
}

// TestLinkFileAcrossFileSystems copies where a hard link cannot be made.
func TestLinkFileAcrossFileSystems(t *testing.T) {
	other, err := os.MkdirTemp("/dev/shm", "railyard-link-")
	if err != nil {
		t.Skipf("no second file system: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(other) })
	from := filepath.Join(t.TempDir(), "obj")
	if err := os.WriteFile(from, []byte("object"), 0o444); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(other, "obj")
	if err := linkFile(from, to); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(to); err != nil || string(got) != "object" {
		t.Fatalf("copied %q, %v", got, err)
	}
	if err := linkFile(from, to); err != nil {
		t.Fatalf("linking again over an existing object: %v", err)
	}
}
