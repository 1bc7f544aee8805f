package forge

import "net/http"

func bitbucketCases() []providerCase {
	with := func(c providerCase) providerCase {
		c.provider, c.repoURL, c.prefix = Bitbucket, "https://bitbucket.org/acme/gitops.git", "/2.0"
		if c.header[0] == "" {
			c.header = [2]string{"Authorization", "Bearer " + tok}
		}
		return c
	}
	const prs = "/repositories/acme/gitops/pullrequests"
	url := "https://bitbucket.org/acme/gitops/pull-requests/3"
	return []providerCase{
		with(providerCase{name: "open (no labels on Bitbucket)", do: open(promo),
			want: PullRequest{Number: 3, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: "aaaa0003", MergeState: MergeReady},
			calls: []exchange{{method: http.MethodPost, uri: prs, status: 201, file: "pr_open.json",
				body: `{"title":"Promote","description":"by Railyard","source":{"branch":{"name":"railyard/promotion/p1"}},"destination":{"branch":{"name":"main"}}}`}}}),
		with(providerCase{name: "find open with app password", user: "robot", header: [2]string{"Authorization", basic("robot", tok)},
			do:   find("railyard/promotion/p1", "main"),
			want: PullRequest{Number: 3, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", MergeState: MergeReady},
			calls: []exchange{{method: http.MethodGet, file: "pr_page.json",
				uri: prs + "?q=source.branch.name+%3D+%22railyard%2Fpromotion%2Fp1%22+AND+destination.branch.name+%3D+%22main%22&state=OPEN"}}}),
		with(providerCase{name: "get declined", do: get(3),
			want:  PullRequest{Number: 3, URL: url, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", ClosedReason: "declined by Reviewer: not this week"},
			calls: []exchange{{method: http.MethodGet, uri: prs + "/3", file: "pr_declined.json"}}}),
		with(providerCase{name: "merge fast-forward", do: merge(3, "fast-forward"),
			want:  PullRequest{Number: 3, URL: url, Merged: true, MergeCommit: "d00d0003", HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: "aaaa0003"},
			calls: []exchange{{method: http.MethodPost, uri: prs + "/3/merge", body: `{"merge_strategy":"fast_forward"}`, file: "pr_merged.json"}}}),
		with(providerCase{name: "not found", do: get(9), wantErr: ErrNotFound,
			calls: []exchange{{method: http.MethodGet, uri: prs + "/9", status: 404}}}),
	}
}
