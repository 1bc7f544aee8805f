package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// bitbucket speaks Bitbucket Cloud's REST API 2.0. A username in the
// credentials means an app password (basic auth); otherwise the token is
// an access token (bearer). Bitbucket has no pull-request labels.
type bitbucket struct {
	*api
	base string // …/2.0/repositories/<workspace>/<repo>
}

func newBitbucket(u *url.URL, a *api, apiBase string) (Client, error) {
	parts := strings.Split(RepoPath(u), "/")
	if len(parts) != 2 {
		return nil, fmt.Errorf("%w: Bitbucket repository URL %s must be https://bitbucket.org/<workspace>/<repo>", ErrInvalid, a.repo)
	}
	if apiBase == "" {
		apiBase = "https://api.bitbucket.org/2.0"
	}
	a.auth = func(r *http.Request, t token) {
		if t.user != "" && t.user != "x-token-auth" {
			r.Header.Set("Authorization", basic(t.user, t.secret))
			return
		}
		bearer(r, t)
	}
	return &bitbucket{api: a, base: strings.TrimSuffix(apiBase, "/") + "/repositories/" + parts[0] + "/" + parts[1]}, nil
}

type bitbucketRef struct {
	Branch struct {
		Name string `json:"name"`
	} `json:"branch"`
	Commit *struct {
		Hash string `json:"hash"`
	} `json:"commit"`
}

type bitbucketPR struct {
	ID    int64  `json:"id"`
	State string `json:"state"` // OPEN, MERGED, DECLINED, SUPERSEDED
	Links struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
	} `json:"links"`
	Source      bitbucketRef `json:"source"`
	Destination bitbucketRef `json:"destination"`
	MergeCommit *struct {
		Hash string `json:"hash"`
	} `json:"merge_commit"`
	Reason   string `json:"reason"`
	ClosedBy *struct {
		DisplayName string `json:"display_name"`
	} `json:"closed_by"`
}

func (p bitbucketPR) pr() PullRequest {
	out := PullRequest{Number: p.ID, URL: p.Links.HTML.Href, Open: p.State == "OPEN", Merged: p.State == "MERGED",
		HeadBranch: p.Source.Branch.Name, BaseBranch: p.Destination.Branch.Name}
	if p.Source.Commit != nil {
		out.HeadCommit = p.Source.Commit.Hash
	}
	if p.MergeCommit != nil {
		out.MergeCommit = p.MergeCommit.Hash
	}
	if out.Open {
		// Bitbucket does not report mergeability: the merge call tells.
		out.MergeState = MergeReady
	}
	if !out.Open && !out.Merged {
		out.ClosedReason = strings.ToLower(p.State)
		if p.ClosedBy != nil {
			out.ClosedReason += " by " + p.ClosedBy.DisplayName
		}
		if p.Reason != "" {
			out.ClosedReason += ": " + p.Reason
		}
	}
	return out
}

func (b *bitbucket) Open(ctx context.Context, o OpenOptions) (PullRequest, error) {
	body := map[string]any{
		"title": o.Title, "description": o.Description,
		"source":      map[string]any{"branch": map[string]any{"name": o.Source}},
		"destination": map[string]any{"branch": map[string]any{"name": o.Target}},
	}
	var p bitbucketPR
	if err := b.call(ctx, http.MethodPost, b.base+"/pullrequests", body, &p); err != nil {
		return PullRequest{}, err
	}
	return p.pr(), nil
}

func (b *bitbucket) FindOpen(ctx context.Context, source, target string) (PullRequest, bool, error) {
	q := url.Values{"state": {"OPEN"},
		"q": {fmt.Sprintf(`source.branch.name = %q AND destination.branch.name = %q`, source, target)}}
	var page struct {
		Values []bitbucketPR `json:"values"`
	}
	if err := b.call(ctx, http.MethodGet, b.base+"/pullrequests?"+q.Encode(), nil, &page); err != nil {
		return PullRequest{}, false, err
	}
	for _, p := range page.Values {
		if p.Source.Branch.Name == source && p.Destination.Branch.Name == target && p.State == "OPEN" {
			return p.pr(), true, nil
		}
	}
	return PullRequest{}, false, nil
}

func (b *bitbucket) Get(ctx context.Context, number int64) (PullRequest, error) {
	var p bitbucketPR
	if err := b.call(ctx, http.MethodGet, fmt.Sprintf("%s/pullrequests/%d", b.base, number), nil, &p); err != nil {
		return PullRequest{}, err
	}
	return p.pr(), nil
}

// Bitbucket's merge strategies by the steps' method names.
var bitbucketMethods = map[string]string{"": "merge_commit", "merge": "merge_commit", "merge_commit": "merge_commit",
	"squash": "squash", "fast-forward": "fast_forward", "fast_forward": "fast_forward"}

func (b *bitbucket) Merge(ctx context.Context, number int64, method string) (PullRequest, error) {
	strategy, ok := bitbucketMethods[method]
	if !ok {
		return PullRequest{}, fmt.Errorf("%w: merge method %q (Bitbucket: merge, squash, fast-forward)", ErrInvalid, method)
	}
	var p bitbucketPR
	url := fmt.Sprintf("%s/pullrequests/%d/merge", b.base, number)
	if err := b.call(ctx, http.MethodPost, url, map[string]any{"merge_strategy": strategy}, &p); err != nil {
		return PullRequest{}, conflict(err, http.StatusConflict)
	}
	return p.pr(), nil
}
