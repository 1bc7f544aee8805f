package steps

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gitcfg "github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/railyard/railyard/activities/git"
)

// PromotionTrailer is the commit trailer that marks a promotion's commit, so
// that a retried promotion recognises its own work on the remote.
const PromotionTrailer = "Railyard-Promotion"

// Default commit identity when a git-clone step names no author.
const (
	defaultAuthorName  = "Railyard"
	defaultAuthorEmail = "railyard@localhost"
)

type gitAuthor struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	SigningKey string `json:"signingKey,omitempty"`
}

// gitIn runs a local git command in dir.
func gitIn(ctx context.Context, c *git.Client, dir string, args ...string) (string, error) {
	return c.Git(ctx, dir, args...)
}

// gitRemote runs a git command in dir that talks to the worktree's origin,
// with the promotion's credentials.
func gitRemote(ctx context.Context, c *git.Client, sc *Context, dir, url string, args ...string) (string, error) {
	out, err := c.Run(ctx, git.Cmd{Dir: dir, Args: args, Remote: url, Creds: sc.Creds})
	return strings.TrimSpace(out), err
}

// originURL is the remote URL the worktree at dir was cloned from, read
// from the repository's configuration in this process when it can be, by
// git otherwise.
func originURL(ctx context.Context, c *git.Client, dir string) (string, error) {
	if url := configuredOrigin(dir); url != "" {
		return url, nil
	}
	url, err := gitIn(ctx, c, dir, "config", "--get", "remote.origin.url")
	if err != nil || url == "" {
		return "", Terminal(fmt.Errorf("%s is not a git-clone checkout: %w", dir, err))
	}
	return url, nil
}

// configuredOrigin reads remote.origin.url from the configuration of the
// repository whose worktree is dir, "" when dir is not laid out as
// git-clone makes its worktrees.
func configuredOrigin(dir string) string {
	repo := commonDir(dir)
	if repo == "" {
		return ""
	}
	f, err := os.Open(filepath.Join(repo, "config"))
	if err != nil {
		return ""
	}
	defer f.Close()
	cfg := gitcfg.New()
	if gitcfg.NewDecoder(f).Decode(cfg) != nil {
		return ""
	}
	return cfg.Section("remote").Subsection("origin").Option("url")
}

// commonDir is the git directory of the repository whose worktree is dir,
// in git-clone's layout: a .git file naming the worktree's own directory,
// whose commondir file names the repository. It is "" for another layout.
func commonDir(dir string) string {
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

// trailerLine is the trailer written into promotion's commits.
func trailerLine(promotion string) string {
	return PromotionTrailer + ": " + promotion
}

// hasTrailer reports whether a commit message carries promotion's trailer.
func hasTrailer(message, promotion string) bool {
	want := trailerLine(promotion)
	for _, line := range strings.Split(message, "\n") {
		if strings.TrimSpace(line) == want {
			return true
		}
	}
	return false
}
