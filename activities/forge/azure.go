package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// azure speaks the Azure DevOps Services Git REST API (7.1) for URLs of the
// form https://dev.azure.com/<org>/<project>/_git/<repo> (also
// https://<org>.visualstudio.com/<project>/_git/<repo>). The token is a
// personal access token, sent as basic auth with an empty user name.
type azure struct {
	*api
	base string // …/<project>/_apis/git/repositories/<repo>
}

const azureVersion = "api-version=7.1"

func newAzure(u *url.URL, a *api, apiBase string) (Client, error) {
	path := RepoPath(u)
	i := strings.Index(path, "/_git/")
	if i < 0 {
		return nil, fmt.Errorf("%w: Azure DevOps repository URL %s must contain /_git/<repo>", ErrInvalid, a.repo)
	}
	repo := path[i+len("/_git/"):]
	if apiBase == "" {
		apiBase = u.Scheme + "://" + u.Host
	}
	a.auth = func(r *http.Request, t token) { r.Header.Set("Authorization", basic("", t.secret)) }
	return &azure{api: a, base: strings.TrimSuffix(apiBase, "/") + "/" + path[:i] + "/_apis/git/repositories/" + url.PathEscape(repo)}, nil
}

type azureCommit struct {
	CommitID string `json:"commitId"`
}

type azurePR struct {
	ID            int64        `json:"pullRequestId"`
	Status        string       `json:"status"`      // active, abandoned, completed
	MergeStatus   string       `json:"mergeStatus"` // succeeded, conflicts, queued, notSet, rejectedByPolicy, failure
	SourceRefName string       `json:"sourceRefName"`
	TargetRefName string       `json:"targetRefName"`
	LastMerge     *azureCommit `json:"lastMergeCommit"`
	LastSource    *azureCommit `json:"lastMergeSourceCommit"`
	ClosedBy      *struct {
		DisplayName string `json:"displayName"`
	} `json:"closedBy"`
	Repository struct {
		WebURL string `json:"webUrl"`
	} `json:"repository"`
}

func (p azurePR) pr() PullRequest {
	out := PullRequest{Number: p.ID, Open: p.Status == "active", Merged: p.Status == "completed",
		HeadBranch: strings.TrimPrefix(p.SourceRefName, "refs/heads/"),
		BaseBranch: strings.TrimPrefix(p.TargetRefName, "refs/heads/")}
	if p.Repository.WebURL != "" {
		out.URL = fmt.Sprintf("%s/pullrequest/%d", p.Repository.WebURL, p.ID)
	}
	if p.LastSource != nil {
		out.HeadCommit = p.LastSource.CommitID
	}
	if out.Merged && p.LastMerge != nil {
		out.MergeCommit = p.LastMerge.CommitID
	}
	switch {
	case !out.Open:
	case p.MergeStatus == "succeeded":
		out.MergeState = MergeReady
	case p.MergeStatus == "conflicts":
		out.MergeState = MergeConflict
	case p.MergeStatus == "rejectedByPolicy" || p.MergeStatus == "failure":
		out.MergeState = MergeBlocked
	default: // queued, notSet
		out.MergeState = MergeUnknown
	}
	if p.Status == "abandoned" {
		out.ClosedReason = "abandoned"
		if p.ClosedBy != nil {
			out.ClosedReason += " by " + p.ClosedBy.DisplayName
		}
	}
	return out
}

func (a *azure) Open(ctx context.Context, o OpenOptions) (PullRequest, error) {
	body := map[string]any{"sourceRefName": "refs/heads/" + o.Source, "targetRefName": "refs/heads/" + o.Target,
		"title": o.Title, "description": o.Description}
	if len(o.Labels) > 0 {
		var ls []map[string]string
		for _, l := range o.Labels {
			ls = append(ls, map[string]string{"name": l})
		}
		body["labels"] = ls
	}
	var p azurePR
	if err := a.call(ctx, http.MethodPost, a.base+"/pullrequests?"+azureVersion, body, &p); err != nil {
		return PullRequest{}, err
	}
	return p.pr(), nil
}

func (a *azure) FindOpen(ctx context.Context, source, target string) (PullRequest, bool, error) {
	q := url.Values{"searchCriteria.sourceRefName": {"refs/heads/" + source},
		"searchCriteria.targetRefName": {"refs/heads/" + target}, "searchCriteria.status": {"active"}}
	var list struct {
		Value []azurePR `json:"value"`
	}
	if err := a.call(ctx, http.MethodGet, a.base+"/pullrequests?"+q.Encode()+"&"+azureVersion, nil, &list); err != nil {
		return PullRequest{}, false, err
	}
	for _, p := range list.Value {
		if p.Status == "active" {
			return p.pr(), true, nil
		}
	}
	return PullRequest{}, false, nil
}

func (a *azure) Get(ctx context.Context, number int64) (PullRequest, error) {
	var p azurePR
	if err := a.call(ctx, http.MethodGet, fmt.Sprintf("%s/pullrequests/%d?%s", a.base, number, azureVersion), nil, &p); err != nil {
		return PullRequest{}, err
	}
	return p.pr(), nil
}

// Azure DevOps merge strategies by the steps' method names.
var azureMethods = map[string]string{"": "noFastForward", "merge": "noFastForward", "noFastForward": "noFastForward",
	"squash": "squash", "rebase": "rebase", "rebase-merge": "rebaseMerge", "rebaseMerge": "rebaseMerge"}

// Merge completes the pull request. Azure DevOps completes asynchronously:
// the returned pull request may still be active; callers poll Get.
func (a *azure) Merge(ctx context.Context, number int64, method string) (PullRequest, error) {
	strategy, ok := azureMethods[method]
	if !ok {
		return PullRequest{}, fmt.Errorf("%w: merge method %q (Azure DevOps: merge, squash, rebase, rebase-merge)", ErrInvalid, method)
	}
	cur, err := a.Get(ctx, number)
	if err != nil {
		return PullRequest{}, err
	}
	body := map[string]any{"status": "completed",
		"lastMergeSourceCommit": map[string]string{"commitId": cur.HeadCommit},
		"completionOptions":     map[string]any{"mergeStrategy": strategy}}
	var p azurePR
	url := fmt.Sprintf("%s/pullrequests/%d?%s", a.base, number, azureVersion)
	if err := a.call(ctx, http.MethodPatch, url, body, &p); err != nil {
		return PullRequest{}, conflict(err, http.StatusConflict)
	}
	return p.pr(), nil
}
