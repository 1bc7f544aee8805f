package git

import (
	"os"
	"path/filepath"
	"strings"
)

// WorktreeRepo is the git directory of the repository whose worktree is
// dir, as git-clone lays its checkouts out: a .git file naming the
// worktree's own directory, whose commondir file names the repository. It
// is "" for any other layout.
func WorktreeRepo(dir string) string {
	link, err := os.ReadFile(filepath.Join(dir, ".git"))
	gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(link)), "gitdir: ")
	if err != nil || !ok || !filepath.IsAbs(gitdir) {
		return ""
	}
	common, err := os.ReadFile(filepath.Join(gitdir, "commondir"))
	if err != nil {
		return ""
	}
	repo := strings.TrimSpace(string(common))
	if !filepath.IsAbs(repo) {
		repo = filepath.Join(gitdir, repo)
	}
	return repo
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
