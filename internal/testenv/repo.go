package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Identity used for every commit and tag the helpers write.
const (
	CommitterName  = "Railyard Test"
	CommitterEmail = "test@railyard.invalid"
)

// CreateRepo creates an empty bare repository (HEAD -> main, pushes allowed)
// and returns its clone URL.
func (s *GitServer) CreateRepo(t testing.TB, name string) string {
	t.Helper()
	dir := s.Path(name)
	s.git(t, "", "init", "-q", "--bare", "--initial-branch=main", dir)
	s.git(t, dir, "config", "http.receivepack", "true")
	s.git(t, dir, "config", "gc.auto", "0")
	return s.URL(name)
}

// Commit writes files (path -> content) on top of branch, creating the
// branch when it does not exist, and returns the new commit's SHA. Dates are
// deterministic and increase by one minute per commit or tag.
func (s *GitServer) Commit(t testing.TB, repo, branch string, files map[string]string, message string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := s.Path(repo)
	index := filepath.Join(t.TempDir(), "index")
	env := []string{"GIT_INDEX_FILE=" + index}
	parent := s.try(dir, "rev-parse", "--verify", "-q", "refs/heads/"+branch+"^{commit}")
	if parent != "" {
		s.gitEnv(t, dir, env, nil, "read-tree", parent)
	}
	for _, p := range sortedKeys(files) {
		blob := s.gitEnv(t, dir, nil, []byte(files[p]), "hash-object", "-w", "--stdin")
		s.gitEnv(t, dir, env, nil, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+p)
	}
	tree := s.gitEnv(t, dir, env, nil, "write-tree")
	args := []string{"commit-tree", tree, "-m", message}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	sha := s.gitEnv(t, dir, s.dated(), nil, args...)
	s.git(t, dir, "update-ref", "refs/heads/"+branch, sha, parent)
	return sha
}

// Tag creates tag name at rev (a branch, tag or SHA), annotated or not.
func (s *GitServer) Tag(t testing.TB, repo, name, rev string, annotated bool) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"tag", name, rev}
	if annotated {
		args = []string{"tag", "-a", "-m", "release " + name, name, rev}
	}
	s.gitEnv(t, s.Path(repo), s.dated(), nil, args...)
}

// Head returns the SHA at the tip of branch.
func (s *GitServer) Head(t testing.TB, repo, branch string) string {
	t.Helper()
	return s.git(t, s.Path(repo), "rev-parse", "refs/heads/"+branch)
}

// Log returns the subjects of branch's commits, newest first.
func (s *GitServer) Log(t testing.TB, repo, branch string) []string {
	t.Helper()
	out := s.git(t, s.Path(repo), "log", "--format=%s", "refs/heads/"+branch)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// ReadFile returns the content of path at rev.
func (s *GitServer) ReadFile(t testing.TB, repo, rev, path string) string {
	t.Helper()
	cmd := s.command(s.Path(repo), nil, nil, "show", rev+":"+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reading %s at %s in %s: %v", path, rev, repo, err)
	}
	return string(out)
}

func (s *GitServer) dated() []string {
	s.clock = s.clock.Add(time.Minute)
	d := s.clock.Format(time.RFC3339)
	return []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}
}

func (s *GitServer) git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return s.gitEnv(t, dir, nil, nil, args...)
}

func (s *GitServer) gitEnv(t testing.TB, dir string, env []string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := s.command(dir, env, stdin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// try runs git and returns its trimmed output, or "" when it fails.
func (s *GitServer) try(dir string, args ...string) string {
	out, err := s.command(dir, nil, nil, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func (s *GitServer) command(dir string, env []string, stdin []byte, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(Env(s.home), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	return cmd
}

// Env is a clean environment for running git in tests: no system or user
// configuration, HOME at home, a fixed identity, no prompts.
func Env(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=" + CommitterName,
		"GIT_AUTHOR_EMAIL=" + CommitterEmail,
		"GIT_COMMITTER_NAME=" + CommitterName,
		"GIT_COMMITTER_EMAIL=" + CommitterEmail,
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
