package steps

import (
	"context"
	"fmt"
	"strings"

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
	if url := git.ConfiguredOrigin(dir); url != "" {
		return url, nil
	}
	url, err := gitIn(ctx, c, dir, "config", "--get", "remote.origin.url")
	if err != nil || url == "" {
		return "", Terminal(fmt.Errorf("%s is not a git-clone checkout: %w", dir, err))
	}
	return url, nil
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
