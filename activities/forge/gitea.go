package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// gitea speaks the Gitea (and Forgejo) API v1.
type gitea struct {
	*api
	base string // …/api/v1/repos/<owner>/<repo>
	now  func() time.Time
}

// giteaSettle is how long after a pull request last changed Gitea's
// "mergeable: false" is taken as a conflict rather than a check in
// progress: Gitea's API does not tell the two apart.
const giteaSettle = time.Minute

func newGitea(u *url.URL, a *api, apiBase string) (Client, error) {
	parts := strings.Split(RepoPath(u), "/")
	owner, repo := parts[len(parts)-2], parts[len(parts)-1]
	root := u.Scheme + "://" + u.Host + strings.Join(append([]string{""}, parts[:len(parts)-2]...), "/")
	if apiBase == "" {
		apiBase = strings.TrimSuffix(root, "/") + "/api/v1"
	}
	a.auth = func(r *http.Request, t token) { r.Header.Set("Authorization", "token "+t.secret) }
	return &gitea{api: a, base: strings.TrimSuffix(apiBase, "/") + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo), now: time.Now}, nil
}

type giteaBranch struct {
	Ref string `json:"ref"`
	SHA string `json:"sha"`
}

type giteaPR struct {
	Number    int64       `json:"number"`
	HTMLURL   string      `json:"html_url"`
	State     string      `json:"state"`
	Merged    bool        `json:"merged"`
	Mergeable bool        `json:"mergeable"`
	MergeSHA  *string     `json:"merge_commit_sha"`
	Head      giteaBranch `json:"head"`
	Base      giteaBranch `json:"base"`
	Updated   *time.Time  `json:"updated_at"`
	Closed    *time.Time  `json:"closed_at"`
}

func (g *gitea) pr(p giteaPR) PullRequest {
	out := PullRequest{Number: p.Number, URL: p.HTMLURL, Open: p.State == "open", Merged: p.Merged,
		HeadBranch: p.Head.Ref, BaseBranch: p.Base.Ref, HeadCommit: p.Head.SHA}
	if p.MergeSHA != nil {
		out.MergeCommit = *p.MergeSHA
	}
	switch {
	case !out.Open:
	case p.Mergeable:
		out.MergeState = MergeReady
	case p.Updated != nil && g.now().Sub(*p.Updated) > giteaSettle:
		out.MergeState = MergeConflict
	default:
		out.MergeState = MergeUnknown
	}
	if !out.Open && !out.Merged {
		out.ClosedReason = "closed without merge"
		if p.Closed != nil {
			out.ClosedReason += " at " + p.Closed.UTC().Format(time.RFC3339)
		}
	}
	return out
}

func (g *gitea) Open(ctx context.Context, o OpenOptions) (PullRequest, error) {
	ids, err := g.labelIDs(ctx, o.Labels)
	if err != nil {
		return PullRequest{}, err
	}
	body := map[string]any{"head": o.Source, "base": o.Target, "title": o.Title, "body": o.Description}
	if len(ids) > 0 {
		body["labels"] = ids
	}
	var p giteaPR
	if err := g.call(ctx, http.MethodPost, g.base+"/pulls", body, &p); err != nil {
		return PullRequest{}, err
	}
	return g.pr(p), nil
}

// labelIDs resolves label names to the repository's label IDs, creating
// the missing ones (Gitea's API takes IDs).
func (g *gitea) labelIDs(ctx context.Context, names []string) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	type label struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	have := map[string]int64{}
	for page := 1; ; page++ {
		var ls []label
		if err := g.call(ctx, http.MethodGet, fmt.Sprintf("%s/labels?limit=50&page=%d", g.base, page), nil, &ls); err != nil {
			return nil, err
		}
		for _, l := range ls {
			have[l.Name] = l.ID
		}
		if len(ls) < 50 {
			break
		}
	}
	var ids []int64
	for _, n := range names {
		if id, ok := have[n]; ok {
			ids = append(ids, id)
			continue
		}
		var l label
		if err := g.call(ctx, http.MethodPost, g.base+"/labels", map[string]any{"name": n, "color": "#c5def5"}, &l); err != nil {
			return nil, fmt.Errorf("creating label %q: %w", n, err)
		}
		ids = append(ids, l.ID)
	}
	return ids, nil
}

func (g *gitea) FindOpen(ctx context.Context, source, target string) (PullRequest, bool, error) {
	for page := 1; ; page++ {
		var ps []giteaPR
		if err := g.call(ctx, http.MethodGet, fmt.Sprintf("%s/pulls?state=open&limit=50&page=%d", g.base, page), nil, &ps); err != nil {
			return PullRequest{}, false, err
		}
		for _, p := range ps {
			if p.Head.Ref == source && p.Base.Ref == target {
				return g.pr(p), true, nil
			}
		}
		if len(ps) < 50 {
			return PullRequest{}, false, nil
		}
	}
}

func (g *gitea) Get(ctx context.Context, number int64) (PullRequest, error) {
	var p giteaPR
	if err := g.call(ctx, http.MethodGet, fmt.Sprintf("%s/pulls/%d", g.base, number), nil, &p); err != nil {
		return PullRequest{}, err
	}
	return g.pr(p), nil
}

// Gitea's merge styles ("Do"); "" is a merge commit.
var giteaMethods = map[string]string{"": "merge", "merge": "merge", "squash": "squash",
	"rebase": "rebase", "rebase-merge": "rebase-merge", "fast-forward-only": "fast-forward-only"}

func (g *gitea) Merge(ctx context.Context, number int64, method string) (PullRequest, error) {
	do, ok := giteaMethods[method]
	if !ok {
		return PullRequest{}, fmt.Errorf("%w: merge method %q (Gitea: merge, squash, rebase, rebase-merge, fast-forward-only)", ErrInvalid, method)
	}
	err := g.call(ctx, http.MethodPost, fmt.Sprintf("%s/pulls/%d/merge", g.base, number), map[string]any{"Do": do}, nil)
	if err != nil {
		return PullRequest{}, conflict(err, http.StatusConflict)
	}
	return g.Get(ctx, number)
}
