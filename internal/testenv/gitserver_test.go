package testenv

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestGitServer(t *testing.T) {
	tests := []struct {
		name       string
		opts       []GitOption
		cloneUser  string
		wantFailed bool
	}{
		{name: "anonymous"},
		{name: "basic auth", opts: []GitOption{WithBasicAuth("u", "p")}, cloneUser: "u:p@"},
		{name: "basic auth missing", opts: []GitOption{WithBasicAuth("u", "p")}, wantFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewGitServer(t, tt.opts...)
			url := s.CreateRepo(t, "demo")
			first := s.Commit(t, "demo", "main", map[string]string{"a.txt": "one"}, "first")
			second := s.Commit(t, "demo", "main", map[string]string{"b/c.txt": "two"}, "second")
			s.Tag(t, "demo", "v1.0.0", first, true)
			s.Commit(t, "demo", "feature", map[string]string{"f": "x"}, "feature start")
			if got := s.Head(t, "demo", "main"); got != second {
				t.Fatalf("Head = %s, want %s", got, second)
			}
			if got := strings.Join(s.Log(t, "demo", "main"), ","); got != "second,first" {
				t.Fatalf("Log = %s", got)
			}
			if got := s.ReadFile(t, "demo", "v1.0.0", "a.txt"); got != "one" {
				t.Fatalf("ReadFile = %q", got)
			}
			s.ResetCounters()
			authURL := strings.Replace(url, "http://", "http://"+tt.cloneUser, 1)
			cmd := exec.Command("git", "clone", "-q", authURL, filepath.Join(t.TempDir(), "c"))
			cmd.Env = Env(t.TempDir())
			out, err := cmd.CombinedOutput()
			if (err != nil) != tt.wantFailed {
				t.Fatalf("clone err = %v, want failure %v: %s", err, tt.wantFailed, out)
			}
			if s.Requests() == 0 || s.BytesServed() == 0 {
				t.Fatalf("counters not moving: %d requests, %d bytes", s.Requests(), s.BytesServed())
			}
		})
	}
}

func TestServeDir(t *testing.T) {
	a := NewGitServer(t)
	a.CreateRepo(t, "fixture")
	sha := a.Commit(t, "fixture", "main", map[string]string{"x": "y"}, "fixture commit")
	b := NewGitServer(t)
	b.ServeDir(t, filepath.Dir(a.Path("fixture")))
	cmd := exec.Command("git", "ls-remote", b.URL("fixture"), "refs/heads/main")
	cmd.Env = Env(t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), sha) {
		t.Fatalf("ls-remote = %s, %v; want %s", out, err, sha)
	}
}
