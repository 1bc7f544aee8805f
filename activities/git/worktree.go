package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WorktreeRepo is the git directory of the repository whose worktree is
// dir, as git-clone lays its checkouts out: a .git file naming the
// worktree's own directory, whose commondir file names the repository. It
// is "" for any other layout.
func WorktreeRepo(dir string) string {
	_, repo := worktreeDirs(dir)
	return repo
}

// worktreeDirs are the worktree's own administrative directory and its
// repository's git directory, both "" unless dir is laid out as
// WorktreeRepo says.
func worktreeDirs(dir string) (admin, repo string) {
	link, err := os.ReadFile(filepath.Join(dir, ".git"))
	admin, ok := strings.CutPrefix(strings.TrimSpace(string(link)), "gitdir: ")
	if err != nil || !ok || !filepath.IsAbs(admin) {
		return "", ""
	}
	common, err := os.ReadFile(filepath.Join(admin, "commondir"))
	if err != nil {
		return "", ""
	}
	repo = strings.TrimSpace(string(common))
	if !filepath.IsAbs(repo) {
		repo = filepath.Join(admin, repo)
	}
	return admin, repo
}

// ConfiguredOrigin is remote.origin.url of the repository whose worktree
// is dir (see WorktreeRepo), read without a git process; "" when dir is laid
// out otherwise or names no origin.
func ConfiguredOrigin(dir string) string {
	repo := WorktreeRepo(dir)
	if repo == "" {
		return ""
	}
	cfg, err := readConfig(filepath.Join(repo, "config"))
	if err != nil {
		return ""
	}
	return cfg.Section("remote").Subsection("origin").Option("url")
}

// AddWorktree adds a worktree of the bare repository repo at path, on
// branch (HEAD names refs/heads/<branch>) or, when branch is "", detached
// at commit, a full object name. It writes the worktree's administrative
// files as git worktree add lays them out (worktrees/<id>/{HEAD,commondir,
// gitdir} and the .git file at path) and checks out with one git process,
// where git worktree add runs three. A failure leaves neither behind.
func (c *Client) AddWorktree(ctx context.Context, repo, path, branch, commit string) error {
	head := commit + "\n"
	if branch != "" {
		head = "ref: refs/heads/" + branch + "\n"
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	admin, err := newWorktreeAdmin(repo, filepath.Base(abs))
	if err != nil {
		return fmt.Errorf("adding worktree %s: %w", path, err)
	}
	files := []struct{ path, text string }{
		{filepath.Join(admin, "commondir"), "../..\n"},
		{filepath.Join(admin, "gitdir"), filepath.Join(abs, ".git") + "\n"},
		{filepath.Join(admin, "HEAD"), head},
		{filepath.Join(abs, ".git"), "gitdir: " + admin + "\n"},
	}
	err = os.MkdirAll(abs, 0o755)
	for _, f := range files {
		if err == nil {
			err = os.WriteFile(f.path, []byte(f.text), 0o644)
		}
	}
	if err == nil {
		_, err = c.Git(ctx, abs, "reset", "--hard", "--quiet", "--no-recurse-submodules")
	}
	if err != nil {
		os.RemoveAll(admin)
		os.RemoveAll(abs)
		return fmt.Errorf("adding worktree %s: %w", path, err)
	}
	return nil
}

// newWorktreeAdmin creates the worktree's administrative directory under
// repo/worktrees, named after the worktree (with a number added when the
// name is taken, as git does).
func newWorktreeAdmin(repo, name string) (string, error) {
	root := filepath.Join(repo, "worktrees")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	for i := 0; ; i++ {
		dir := filepath.Join(root, name)
		if i > 0 {
			dir += strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if !errors.Is(err, fs.ErrExist) || i > 1000 {
			return dir, err
		}
	}
}

// WorktreeHead reads the commit checked out in the worktree at dir, laid
// out as WorktreeRepo says, without a git process: its HEAD, and the loose
// ref HEAD names. ok is false when it cannot tell (another layout, a
// packed ref, an unborn branch); git rev-parse can.
func WorktreeHead(dir string) (commit string, ok bool) {
	admin, repo := worktreeDirs(dir)
	if repo == "" {
		return "", false
	}
	head, err := os.ReadFile(filepath.Join(admin, "HEAD"))
	if err != nil {
		return "", false
	}
	if ref, symbolic := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: "); symbolic {
		return LooseRef(repo, ref)
	}
	return objectName(string(head))
}

// LooseRef reads ref (refs/heads/main) from its loose file in the git
// directory repo. ok is false when there is none: the ref may still be
// packed, which git rev-parse reads.
func LooseRef(repo, ref string) (commit string, ok bool) {
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(ref)))
	if err != nil {
		return "", false
	}
	return objectName(string(b))
}

// objectName is text as a full object name, if it is one.
func objectName(text string) (string, bool) {
	if s := strings.TrimSpace(text); IsObjectName(s) {
		return s, true
	}
	return "", false
}

// IsObjectName reports a full hexadecimal object name (SHA-1 or SHA-256).
func IsObjectName(s string) bool {
	return (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdef") == ""
}
