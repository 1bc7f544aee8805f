package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// github speaks GitHub's REST API (github.com and Enterprise Server, whose
// API lives under /api/v3 on the instance's host).
type github struct {
	*api
	base  string // …/repos/<owner>/<repo>
	owner string
}

func newGitHub(u *url.URL, a *api, apiBase string) (Client, error) {
	parts := strings.Split(RepoPath(u), "/")
	if len(parts) != 2 {
		return nil, fmt.Errorf("%w: GitHub repository URL %s must be https://host/<owner>/<repo>", ErrInvalid, a.repo)
	}
	if apiBase == "" {
		apiBase = "https://api.github.com"
		if !strings.EqualFold(u.Hostname(), "github.com") {
			apiBase = u.Scheme + "://" + u.Host + "/api/v3"
		}
	}
	a.auth = func(r *http.Request, t token) {
		bearer(r, t)
		r.Header.Set("Accept", "application/vnd.github+json")
		r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	}
	return &github{api: a, owner: parts[0],
		base: strings.TrimSuffix(apiBase, "/") + "/repos/" + parts[0] + "/" + parts[1]}, nil
}

type githubPR struct {
	Number         int64      `json:"number"`
	HTMLURL        string     `json:"html_url"`
	State          string     `json:"state"`
	Merged         bool       `json:"merged"`
	MergedAt       *time.Time `json:"merged_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	MergeCommitSHA string     `json:"merge_commit_sha"`
	Mergeable      *bool      `json:"mergeable"`
	MergeableState string     `json:"mergeable_state"`
	Head           struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	} `json:"head"`
	Base struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

func (p githubPR) pr() PullRequest {
	merged := p.Merged || p.MergedAt != nil
	out := PullRequest{Number: p.Number, URL: p.HTMLURL, Open: p.State == "open", Merged: merged,
		HeadBranch: p.Head.Ref, BaseBranch: p.Base.Ref, HeadCommit: p.Head.SHA}
	if merged {
		out.MergeCommit = p.MergeCommitSHA // before the merge it is a test merge
	}
	switch {
	case !out.Open:
	case p.MergeableState == "dirty":
		out.MergeState = MergeConflict
	case p.Mergeable == nil || p.MergeableState == "unknown":
		out.MergeState = MergeUnknown
	case p.MergeableState == "blocked" || p.MergeableState == "behind" || p.MergeableState == "draft" || !*p.Mergeable:
		out.MergeState = MergeBlocked
	default: // clean, unstable, has_hooks
		out.MergeState = MergeReady
	}
	if !out.Open && !merged {
		out.ClosedReason = "closed without merge"
		if p.ClosedAt != nil {
			out.ClosedReason += " at " + p.ClosedAt.UTC().Format(time.RFC3339)
		}
	}
	return out
}

func (g *github) Open(ctx context.Context, o OpenOptions) (PullRequest, error) {
	var p githubPR
	body := map[string]any{"head": o.Source, "base": o.Target, "title": o.Title, "body": o.Description}
	if err := g.call(ctx, http.MethodPost, g.base+"/pulls", body, &p); err != nil {
		return PullRequest{}, err
	}
	if len(o.Labels) > 0 {
		url := fmt.Sprintf("%s/issues/%d/labels", g.base, p.Number)
		if err := g.call(ctx, http.MethodPost, url, map[string]any{"labels": o.Labels}, nil); err != nil {
			return PullRequest{}, fmt.Errorf("labelling pull request #%d: %w", p.Number, err)
		}
	}
	return p.pr(), nil
}

func (g *github) FindOpen(ctx context.Context, source, target string) (PullRequest, bool, error) {
	q := url.Values{"state": {"open"}, "head": {g.owner + ":" + source}, "base": {target}}
	var ps []githubPR
	if err := g.call(ctx, http.MethodGet, g.base+"/pulls?"+q.Encode(), nil, &ps); err != nil {
		return PullRequest{}, false, err
	}
	for _, p := range ps {
		if p.Head.Ref == source && p.Base.Ref == target {
			return p.pr(), true, nil
		}
	}
	return PullRequest{}, false, nil
}

func (g *github) Get(ctx context.Context, number int64) (PullRequest, error) {
	var p githubPR
	if err := g.call(ctx, http.MethodGet, fmt.Sprintf("%s/pulls/%d", g.base, number), nil, &p); err != nil {
		return PullRequest{}, err
	}
	return p.pr(), nil
}

func (g *github) Merge(ctx context.Context, number int64, method string) (PullRequest, error) {
	switch method {
	case "":
		method = "merge"
	case "merge", "squash", "rebase":
	default:
		return PullRequest{}, fmt.Errorf("%w: merge method %q (GitHub: merge, squash, rebase)", ErrInvalid, method)
	}
	var res struct {
		SHA    string `json:"sha"`
		Merged bool   `json:"merged"`
	}
	url := fmt.Sprintf("%s/pulls/%d/merge", g.base, number)
	if err := g.call(ctx, http.MethodPut, url, map[string]any{"merge_method": method}, &res); err != nil {
		return PullRequest{}, err // 405: not mergeable; 409: head moved
	}
	p, err := g.Get(ctx, number)
	if err != nil {
		return PullRequest{}, err
	}
	if p.MergeCommit == "" {
		p.MergeCommit = res.SHA
	}
	p.Merged = p.Merged || res.Merged
	return p, nil
}
