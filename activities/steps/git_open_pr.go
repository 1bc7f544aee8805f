package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/railyard/railyard/activities/forge"
)

// GitOpenPR is the `git-open-pr` step: it opens a pull request from
// sourceBranch into targetBranch and outputs pr.id and pr.url. It is
// idempotent: when a pull request from the same source branch into the same
// target is already open (a re-run after a lost worker), it reports that
// one instead of opening a second.
type GitOpenPR struct{ PullRequests }

type gitOpenPRConfig struct {
	prRepoConfig
	SourceBranch string `json:"sourceBranch"`
	TargetBranch string `json:"targetBranch"`
	// CreateTargetBranch is accepted for Kargo compatibility; as in Kargo
	// it is deprecated and does nothing: the target must exist.
	CreateTargetBranch bool     `json:"createTargetBranch,omitempty"`
	Title              string   `json:"title,omitempty"`
	Description        string   `json:"description,omitempty"`
	Labels             []string `json:"labels,omitempty"`
}

// Name implements Runner.
func (GitOpenPR) Name() string { return "git-open-pr" }

// Run implements Runner.
func (g GitOpenPR) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitOpenPRConfig
	if err := DecodeConfig("git-open-pr", raw, &c); err != nil {
		return Result{}, err
	}
	c.SourceBranch = strings.TrimPrefix(c.SourceBranch, "refs/heads/")
	c.TargetBranch = strings.TrimPrefix(c.TargetBranch, "refs/heads/")
	if c.SourceBranch == "" || c.TargetBranch == "" {
		return Result{}, Terminal(errors.New("git-open-pr config: sourceBranch and targetBranch are required"))
	}
	cl, err := g.client(ctx, sc, c.prRepoConfig)
	if err != nil {
		return Result{}, err
	}
	pr, err := g.open(ctx, sc, cl, c)
	if err != nil {
		return g.outage(sc, fmt.Errorf("opening pull request on %s: %w", c.RepoURL, err), prOutageLimit, minPRPoll)
	}
	return pr, nil
}

func (g GitOpenPR) open(ctx context.Context, sc *Context, cl forge.Client, c gitOpenPRConfig) (Result, error) {
	if pr, ok, err := cl.FindOpen(ctx, c.SourceBranch, c.TargetBranch); err != nil || ok {
		return openResult(pr, "already open"), err
	}
	title := c.Title
	if title == "" {
		title = fmt.Sprintf("Promote %s to %s", sc.TargetFreight.DisplayName(), sc.Stage)
	}
	desc := c.Description
	if desc == "" {
		desc = fmt.Sprintf("Opened by Railyard for promotion %s of stage %s (project %s).", sc.Promotion, sc.Stage, sc.Project)
	}
	pr, err := cl.Open(ctx, forge.OpenOptions{Source: c.SourceBranch, Target: c.TargetBranch,
		Title: title, Description: desc, Labels: c.Labels})
	if err != nil {
		// Opened concurrently, or by a run whose answer was lost?
		if found, ok, ferr := cl.FindOpen(ctx, c.SourceBranch, c.TargetBranch); ferr == nil && ok {
			return openResult(found, "already open"), nil
		}
		return Result{}, err
	}
	return openResult(pr, "opened"), nil
}

func openResult(pr forge.PullRequest, how string) Result {
	return Result{Status: StatusSucceeded, Message: fmt.Sprintf("%s %s", prRef(pr), how),
		Output: map[string]any{"pr": prOutput(pr)}}
}
