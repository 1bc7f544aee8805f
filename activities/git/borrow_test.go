package git

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBorrow makes a repository that borrows a mirror's objects and reads
// its settings back with git, values that need quoting included.
func TestBorrow(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	mirror, err := c.SyncMirror(t.Context(), Remote{URL: f.url})
	if err != nil {
		t.Fatal(err)
	}
	settings := [][2]string{
		{"remote.origin.url", f.url},
		{"user.name", `Jane "JJ" Doe \ the # first; `},
		{"user.signingkey", "tab\there\nnewline"},
		{"user.email", "jane@example.com"},
		{"gc.auto", "0"},
		{"http.sslVerify", "false"},
		{"url.https://mirror.example/.insteadOf", "https://example.com/"},
	}
	repo := filepath.Join(t.TempDir(), "step.git")
	if err := c.Borrow(t.Context(), mirror, repo, settings); err != nil {
		t.Fatal(err)
	}
	for _, kv := range append(settings, [2]string{"remote.mirror.url", mirror}) {
		t.Run(kv[0], func(t *testing.T) {
			out, err := c.Run(t.Context(), Cmd{Dir: repo, Args: []string{"config", "--get", kv[0]}})
			if got := strings.TrimSuffix(out, "\n"); err != nil || got != kv[1] {
				t.Errorf("git config %s = %q, %v; want %q", kv[0], got, err, kv[1])
			}
		})
	}
	t.Run("objects", func(t *testing.T) {
		if _, err := c.Git(t.Context(), repo, "cat-file", "-e", f.shas["initial"]+"^{commit}"); err != nil {
			t.Errorf("the mirror's commit is not readable: %v", err)
		}
		if refs, _ := c.Git(t.Context(), repo, "for-each-ref"); refs != "" {
			t.Errorf("refs %q, want none", refs)
		}
	})
	t.Run("bad key", func(t *testing.T) {
		if err := c.Borrow(t.Context(), mirror, filepath.Join(t.TempDir(), "r.git"), [][2]string{{"nodot", "x"}}); err == nil {
			t.Error("no error for a key without a section")
		}
	})
}
