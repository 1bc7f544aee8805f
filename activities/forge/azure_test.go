package forge

import "net/http"

func azureCases() []providerCase {
	with := func(c providerCase) providerCase {
		c.provider, c.repoURL, c.prefix = Azure, "https://dev.azure.com/acme/web/_git/gitops", ""
		c.header = [2]string{"Authorization", basic("", tok)}
		return c
	}
	const prs = "/acme/web/_apis/git/repositories/gitops/pullrequests"
	url := "https://dev.azure.com/acme/web/_git/gitops/pullrequest/21"
	active := PullRequest{Number: 21, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: "aaaa0021", MergeState: MergeReady}
	return []providerCase{
		with(providerCase{name: "open with labels", do: open(promo), want: active,
			calls: []exchange{{method: http.MethodPost, uri: prs + "?api-version=7.1", status: 201, file: "pr_active.json",
				body: `{"sourceRefName":"refs/heads/railyard/promotion/p1","targetRefName":"refs/heads/main","title":"Promote","description":"by Railyard","labels":[{"name":"promotion"},{"name":"prod"}]}`}}}),
		with(providerCase{name: "find active", do: find("railyard/promotion/p1", "main"),
			want: PullRequest{Number: 21, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", MergeState: MergeUnknown},
			calls: []exchange{{method: http.MethodGet, file: "pr_list.json",
				uri: prs + "?searchCriteria.sourceRefName=refs%2Fheads%2Frailyard%2Fpromotion%2Fp1&searchCriteria.status=active&searchCriteria.targetRefName=refs%2Fheads%2Fmain&api-version=7.1"}}}),
		with(providerCase{name: "get abandoned", do: get(21),
			want:  PullRequest{Number: 21, URL: url, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", ClosedReason: "abandoned by Reviewer"},
			calls: []exchange{{method: http.MethodGet, uri: prs + "/21?api-version=7.1", file: "pr_abandoned.json"}}}),
		with(providerCase{name: "get conflicts", do: get(21),
			want:  PullRequest{Number: 21, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: "aaaa0021", MergeState: MergeConflict},
			calls: []exchange{{method: http.MethodGet, uri: prs + "/21?api-version=7.1", file: "pr_conflicts.json"}}}),
		with(providerCase{name: "merge squash completes", do: merge(21, "squash"),
			want: PullRequest{Number: 21, URL: url, Merged: true, MergeCommit: "d00d0021", HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: "aaaa0021"},
			calls: []exchange{
				{method: http.MethodGet, uri: prs + "/21?api-version=7.1", file: "pr_active.json"},
				{method: http.MethodPatch, uri: prs + "/21?api-version=7.1", file: "pr_completed.json",
					body: `{"status":"completed","lastMergeSourceCommit":{"commitId":"aaaa0021"},"completionOptions":{"mergeStrategy":"squash"}}`},
			}}),
	}
}
