package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// gitlab speaks GitLab's REST API v4 (merge requests).
type gitlab struct {
	*api
	base string // …/api/v4/projects/<url-encoded path>
}

func newGitLab(u *url.URL, a *api, apiBase string) (Client, error) {
	if apiBase == "" {
		apiBase = u.Scheme + "://" + u.Host + "/api/v4"
	}
	a.auth = func(r *http.Request, t token) { r.Header.Set("PRIVATE-TOKEN", t.secret) }
	return &gitlab{api: a, base: strings.TrimSuffix(apiBase, "/") + "/projects/" + url.PathEscape(RepoPath(u))}, nil
}

type gitlabMR struct {
	IID                 int64      `json:"iid"`
	WebURL              string     `json:"web_url"`
	State               string     `json:"state"` // opened, closed, locked, merged
	MergeCommitSHA      *string    `json:"merge_commit_sha"`
	SquashCommitSHA     *string    `json:"squash_commit_sha"`
	SHA                 string     `json:"sha"`
	SourceBranch        string     `json:"source_branch"`
	TargetBranch        string     `json:"target_branch"`
	HasConflicts        bool       `json:"has_conflicts"`
	DetailedMergeStatus string     `json:"detailed_merge_status"`
	ClosedAt            *time.Time `json:"closed_at"`
	ClosedBy            *struct {
		Username string `json:"username"`
	} `json:"closed_by"`
}

func (m gitlabMR) pr() PullRequest {
	out := PullRequest{Number: m.IID, URL: m.WebURL, Open: m.State == "opened", Merged: m.State == "merged",
		HeadBranch: m.SourceBranch, BaseBranch: m.TargetBranch, HeadCommit: m.SHA}
	switch {
	case m.MergeCommitSHA != nil && *m.MergeCommitSHA != "":
		out.MergeCommit = *m.MergeCommitSHA
	case m.SquashCommitSHA != nil && *m.SquashCommitSHA != "":
		out.MergeCommit = *m.SquashCommitSHA
	case out.Merged:
		out.MergeCommit = m.SHA // fast-forward merge: the head is on the target
	}
	switch {
	case !out.Open:
	case m.HasConflicts || m.DetailedMergeStatus == "conflict" || m.DetailedMergeStatus == "broken_status":
		out.MergeState = MergeConflict
	case m.DetailedMergeStatus == "mergeable":
		out.MergeState = MergeReady
	case m.DetailedMergeStatus == "checking" || m.DetailedMergeStatus == "unchecked" ||
		m.DetailedMergeStatus == "preparing" || m.DetailedMergeStatus == "":
		out.MergeState = MergeUnknown
	default: // ci_must_pass, not_approved, discussions_not_resolved, draft_status …
		out.MergeState = MergeBlocked
	}
	if !out.Open && !out.Merged {
		out.ClosedReason = "closed without merge"
		if m.ClosedBy != nil {
			out.ClosedReason += " by " + m.ClosedBy.Username
		}
		if m.ClosedAt != nil {
			out.ClosedReason += " at " + m.ClosedAt.UTC().Format(time.RFC3339)
		}
	}
	return out
}

func (g *gitlab) Open(ctx context.Context, o OpenOptions) (PullRequest, error) {
	body := map[string]any{"source_branch": o.Source, "target_branch": o.Target, "title": o.Title, "description": o.Description}
	if len(o.Labels) > 0 {
		body["labels"] = strings.Join(o.Labels, ",")
	}
	var m gitlabMR
	if err := g.call(ctx, http.MethodPost, g.base+"/merge_requests", body, &m); err != nil {
		return PullRequest{}, err
	}
	return m.pr(), nil
}

func (g *gitlab) FindOpen(ctx context.Context, source, target string) (PullRequest, bool, error) {
	q := url.Values{"state": {"opened"}, "source_branch": {source}, "target_branch": {target}}
	var ms []gitlabMR
	if err := g.call(ctx, http.MethodGet, g.base+"/merge_requests?"+q.Encode(), nil, &ms); err != nil {
		return PullRequest{}, false, err
	}
	for _, m := range ms {
		if m.SourceBranch == source && m.TargetBranch == target {
			return m.pr(), true, nil
		}
	}
	return PullRequest{}, false, nil
}

func (g *gitlab) Get(ctx context.Context, number int64) (PullRequest, error) {
	var m gitlabMR
	if err := g.call(ctx, http.MethodGet, fmt.Sprintf("%s/merge_requests/%d", g.base, number), nil, &m); err != nil {
		return PullRequest{}, err
	}
	return m.pr(), nil
}

func (g *gitlab) Merge(ctx context.Context, number int64, method string) (PullRequest, error) {
	body := map[string]any{}
	switch method {
	case "", "merge":
	case "squash":
		body["squash"] = true
	default:
		return PullRequest{}, fmt.Errorf("%w: merge method %q (GitLab: merge, squash; the project sets fast-forward or rebase)", ErrInvalid, method)
	}
	var m gitlabMR
	url := fmt.Sprintf("%s/merge_requests/%d/merge", g.base, number)
	if err := g.call(ctx, http.MethodPut, url, body, &m); err != nil {
		// 406: the branch cannot be merged (conflicts), as documented.
		return PullRequest{}, conflict(err, http.StatusNotAcceptable)
	}
	return m.pr(), nil
}
