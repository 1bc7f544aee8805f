package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/forge"
)

// PullRequests holds what the pull-request steps (git-open-pr,
// git-wait-for-pr, git-merge-pr) share: how they reach a forge. Tokens come
// from the step context's credentials (the git credentials of the
// repository URL) and are only sent to the forge.
type PullRequests struct {
	HTTP *http.Client // nil: http.DefaultClient
	// NewClient builds a forge client (nil: forge.New); tests replace it.
	NewClient func(ctx context.Context, o forge.Options) (forge.Client, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// PullRequestRunners returns git-open-pr, git-wait-for-pr and git-merge-pr.
func PullRequestRunners(p PullRequests) []Runner {
	return []Runner{GitOpenPR{p}, GitWaitForPR{p}, GitMergePR{p}}
}

// Polling of the pull-request steps: the interval starts at minPRPoll and
// grows with the time already waited, up to the step's pollInterval.
const (
	minPRPoll = 10 * time.Second
	// DefaultWaitForPRPoll is git-wait-for-pr's poll ceiling.
	DefaultWaitForPRPoll = 5 * time.Minute
	// DefaultMergePRPoll is git-merge-pr's poll ceiling while it waits.
	DefaultMergePRPoll = 10 * time.Second
	// prOutageLimit is how long git-open-pr and git-merge-pr keep polling a
	// forge that does not answer before they report the error.
	prOutageLimit = 10 * time.Minute
)

// prRepoConfig is the configuration every pull-request step has.
type prRepoConfig struct {
	RepoURL               string `json:"repoURL"`
	Provider              string `json:"provider,omitempty"`
	InsecureSkipTLSVerify bool   `json:"insecureSkipTLSVerify,omitempty"`
}

func (p PullRequests) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p PullRequests) client(ctx context.Context, sc *Context, c prRepoConfig) (forge.Client, error) {
	if c.RepoURL == "" {
		return nil, Terminal(errors.New("repoURL is required"))
	}
	hc := p.HTTP
	if c.InsecureSkipTLSVerify {
		insecure := HTTP{}.client(true)
		if p.HTTP != nil {
			insecure.Timeout = p.HTTP.Timeout
		}
		hc = insecure
	}
	nc := p.NewClient
	if nc == nil {
		nc = forge.New
	}
	cl, err := nc(ctx, forge.Options{RepoURL: c.RepoURL, Provider: c.Provider, Creds: sc.Creds, HTTP: hc})
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// poll is the next poll interval: the time waited so far, at least
// minPRPoll, at most ceiling.
func (p PullRequests) poll(sc *Context, ceiling time.Duration) time.Duration {
	d := minPRPoll
	if !sc.StartedAt.IsZero() {
		d = max(d, p.now().Sub(sc.StartedAt))
	}
	return min(d, max(ceiling, minPRPoll))
}

// outage turns an error that retrying may fix into a Running result (the
// forge is down or busy) while the step has run for less than limit; a
// terminal error, or one past the limit, stays an error.
func (p PullRequests) outage(sc *Context, err error, limit, ceiling time.Duration) (Result, error) {
	if railyard.IsTerminal(err) || (limit > 0 && !sc.StartedAt.IsZero() && p.now().Sub(sc.StartedAt) > limit) {
		return Result{}, err
	}
	d := p.poll(sc, ceiling)
	return Result{Status: StatusRunning, RetryAfter: d,
		Message: fmt.Sprintf("%v; retrying in %s", err, d)}, nil
}

func pollCeiling(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, Terminal(fmt.Errorf("pollInterval %q is not a positive duration", s))
	}
	return d, nil
}

// prNumber accepts a number or a numeric string (an expression's output).
type prNumber int64

func (n *prNumber) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return fmt.Errorf("prNumber %s is not a pull request number", b)
	}
	*n = prNumber(v)
	return nil
}

func prOutput(pr forge.PullRequest) map[string]any {
	return map[string]any{"id": pr.Number, "url": pr.URL}
}

// prRef names a pull request in messages: "PR #12 (https://…)".
func prRef(pr forge.PullRequest) string {
	if pr.URL == "" {
		return fmt.Sprintf("PR #%d", pr.Number)
	}
	return fmt.Sprintf("PR #%d (%s)", pr.Number, pr.URL)
}

var _ json.Unmarshaler = (*prNumber)(nil)
