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
			s := newStepRepo(t, c, f.url, "env/dev", "main")
			made := s.commit("manifests.yaml", "kind: Deployment\n")
			if tt.pack {
				s.git(s.repo, "repack", "-d", "-l", "-q")
			}
			err := c.RecordPush(t.Context(), f.url, s.repo, tt.commit(made), "env/dev")
			if (err != nil) != tt.err {
				t.Fatalf("RecordPush: %v, want an error: %v", err, tt.err)
			}
			if tt.err {
				return
			}
			if got := s.git(s.mirror, "rev-parse", "refs/heads/env/dev"); got != made {
				t.Errorf("mirror's env/dev = %s, want %s", got, made)
			}
			s.git(s.mirror, "fsck", "--connectivity-only", "--no-dangling")
			if got := s.git(s.mirror, "show", made+":manifests.yaml"); got != "kind: Deployment" {
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
