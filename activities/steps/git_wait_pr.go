package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/forge"
)

// GitWaitForPR is the `git-wait-for-pr` step. While the pull request is
// open it returns Running, and the Promotion workflow polls it again on a
// durable timer: no worker or activity is held while it waits. The poll
// interval starts at 10 s and grows with the time waited, up to
// pollInterval (default 5m). Merged → Succeeded with output commit (the
// merge commit); closed unmerged → Failed with what the forge says.
// Aborting the promotion stops the wait and leaves the pull request open.
type GitWaitForPR struct{ PullRequests }

type gitWaitForPRConfig struct {
	prRepoConfig
	PRNumber     prNumber `json:"prNumber"`
	PollInterval string   `json:"pollInterval,omitempty"`
}

// Name implements Runner.
func (GitWaitForPR) Name() string { return "git-wait-for-pr" }

// Run implements Runner.
func (g GitWaitForPR) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitWaitForPRConfig
	if err := DecodeConfig("git-wait-for-pr", raw, &c); err != nil {
		return Result{}, err
	}
	ceiling, err := pollCeiling(c.PollInterval, DefaultWaitForPRPoll)
	if err != nil {
		return Result{}, err
	}
	if c.PRNumber == 0 {
		return Result{}, Terminal(fmt.Errorf("git-wait-for-pr config: prNumber is required"))
	}
	cl, err := g.client(ctx, sc, c.prRepoConfig)
	if err != nil {
		return Result{}, err
	}
	pr, err := cl.Get(ctx, int64(c.PRNumber))
	if err != nil {
		err = fmt.Errorf("reading pull request #%d on %s: %w", c.PRNumber, c.RepoURL, err)
		return g.outage(sc, err, 0, ceiling)
	}
	switch {
	case pr.Merged:
		return Result{Status: StatusSucceeded, Message: prRef(pr) + " merged as " + pr.MergeCommit,
			Output: map[string]any{"commit": pr.MergeCommit, "pr": prOutput(pr)}}, nil
	case !pr.Open:
		return Result{Status: StatusFailed, Message: fmt.Sprintf("%s was %s", prRef(pr), pr.ClosedReason),
			Output: map[string]any{"pr": prOutput(pr)}}, nil
	}
	d := g.poll(sc, ceiling)
	return Result{Status: StatusRunning, RetryAfter: d, WaitingOn: railyard.PullRequestKey(c.RepoURL, pr.Number),
		Message: fmt.Sprintf("waiting for %s to be merged; aborting the promotion leaves it open", prRef(pr))}, nil
}

// GitMergePR is the `git-merge-pr` step: it merges an open pull request
// with mergeMethod (the forge's default when empty) and outputs commit. An
// already merged pull request succeeds (a re-run). With wait, a pull
// request that is not mergeable yet (checks, reviews, mergeability being
// computed) is polled every pollInterval (default 10s); without it, the
// step fails. A conflict fails the step at once.
type GitMergePR struct{ PullRequests }

type gitMergePRConfig struct {
	prRepoConfig
	PRNumber     prNumber `json:"prNumber"`
	Wait         bool     `json:"wait,omitempty"`
	PollInterval string   `json:"pollInterval,omitempty"`
	MergeMethod  string   `json:"mergeMethod,omitempty"`
}

// Name implements Runner.
func (GitMergePR) Name() string { return "git-merge-pr" }

// Run implements Runner.
func (g GitMergePR) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitMergePRConfig
	if err := DecodeConfig("git-merge-pr", raw, &c); err != nil {
		return Result{}, err
	}
	ceiling, err := pollCeiling(c.PollInterval, DefaultMergePRPoll)
	if err != nil {
		return Result{}, err
	}
	if c.PRNumber == 0 {
		return Result{}, Terminal(fmt.Errorf("git-merge-pr config: prNumber is required"))
	}
	cl, err := g.client(ctx, sc, c.prRepoConfig)
	if err != nil {
		return Result{}, err
	}
	res, err := g.merge(ctx, sc, cl, c, ceiling)
	if err != nil {
		err = fmt.Errorf("merging pull request #%d on %s: %w", c.PRNumber, c.RepoURL, err)
		return g.outage(sc, err, prOutageLimit, ceiling)
	}
	return res, nil
}

func (g GitMergePR) merge(ctx context.Context, sc *Context, cl forge.Client, c gitMergePRConfig, ceiling time.Duration) (Result, error) {
	pr, err := cl.Get(ctx, int64(c.PRNumber))
	if err != nil {
		return Result{}, err
	}
	switch {
	case pr.Merged:
		return merged(pr), nil
	case !pr.Open:
		return Result{Status: StatusFailed, Message: fmt.Sprintf("%s was %s", prRef(pr), pr.ClosedReason)}, nil
	case pr.MergeState == forge.MergeConflict:
		return conflicted(pr), nil
	case pr.MergeState != forge.MergeReady:
		return g.notYet(sc, pr, c, ceiling, pr.MergeState), nil
	}
	done, err := cl.Merge(ctx, pr.Number, c.MergeMethod)
	switch {
	case errors.Is(err, forge.ErrConflict):
		return conflicted(pr), nil
	case errors.Is(err, forge.ErrNotMergeable):
		return g.notYet(sc, pr, c, ceiling, err.Error()), nil
	case err != nil:
		return Result{}, err
	case !done.Merged: // Azure DevOps completes asynchronously
		c.Wait = true
		return g.notYet(sc, done, c, ceiling, "merge in progress"), nil
	}
	return merged(done), nil
}

func (g GitMergePR) notYet(sc *Context, pr forge.PullRequest, c gitMergePRConfig, ceiling time.Duration, why string) Result {
	if !c.Wait {
		return Result{Status: StatusFailed, Message: fmt.Sprintf("%s cannot be merged now (%s); set wait: true to wait for it", prRef(pr), why)}
	}
	d := g.poll(sc, ceiling)
	return Result{Status: StatusRunning, RetryAfter: d, WaitingOn: railyard.PullRequestKey(c.RepoURL, pr.Number),
		Message: fmt.Sprintf("waiting for %s to become mergeable (%s); next check in %s", prRef(pr), why, d)}
}

func merged(pr forge.PullRequest) Result {
	return Result{Status: StatusSucceeded, Message: prRef(pr) + " merged as " + pr.MergeCommit,
		Output: map[string]any{"commit": pr.MergeCommit, "pr": prOutput(pr)}}
}

func conflicted(pr forge.PullRequest) Result {
	return Result{Status: StatusFailed, Message: fmt.Sprintf("%s has merge conflicts with %s: resolve them on the forge, then promote again", prRef(pr), pr.BaseBranch)}
}
