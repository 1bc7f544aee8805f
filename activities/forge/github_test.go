package forge

import "net/http"

func githubCases() []providerCase {
	base := providerCase{provider: GitHub, repoURL: "https://github.example/acme/gitops.git", prefix: "/api/v3",
		header: [2]string{"Authorization", "Bearer " + tok}}
	openPR := PullRequest{Number: 12, URL: "https://github.example/acme/gitops/pull/12", Open: true,
		HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: "aaaa000000000000000000000000000000000001", MergeState: MergeReady}
	merged := PullRequest{Number: 12, URL: openPR.URL, Merged: true, MergeCommit: "d00d000000000000000000000000000000000002",
		HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: openPR.HeadCommit}
	with := func(c providerCase) providerCase {
		c.provider, c.repoURL, c.prefix, c.header = base.provider, base.repoURL, base.prefix, base.header
		return c
	}
	return []providerCase{
		with(providerCase{name: "open with labels", do: open(promo), want: openPR, calls: []exchange{
			{method: http.MethodPost, uri: "/repos/acme/gitops/pulls", status: 201, file: "pr_open.json",
				body: `{"head":"railyard/promotion/p1","base":"main","title":"Promote","body":"by Railyard"}`},
			{method: http.MethodPost, uri: "/repos/acme/gitops/issues/12/labels", body: `{"labels":["promotion","prod"]}`, file: "pr_list.json"},
		}}),
		with(providerCase{name: "find open by head owner:branch", do: find("railyard/promotion/p1", "main"),
			want: PullRequest{Number: 12, URL: openPR.URL, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main",
				HeadCommit: openPR.HeadCommit, MergeState: MergeUnknown},
			calls: []exchange{{method: http.MethodGet, uri: "/repos/acme/gitops/pulls?base=main&head=acme%3Arailyard%2Fpromotion%2Fp1&state=open", file: "pr_list.json"}}}),
		with(providerCase{name: "get merged", do: get(12), want: merged,
			calls: []exchange{{method: http.MethodGet, uri: "/repos/acme/gitops/pulls/12", file: "pr_merged.json"}}}),
		with(providerCase{name: "get closed unmerged", do: get(12),
			want: PullRequest{Number: 12, URL: openPR.URL, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: openPR.HeadCommit,
				ClosedReason: "closed without merge at 2026-12-01T11:00:00Z"},
			calls: []exchange{{method: http.MethodGet, uri: "/repos/acme/gitops/pulls/12", file: "pr_closed.json"}}}),
		with(providerCase{name: "get conflicted", do: get(12),
			want: PullRequest{Number: 12, URL: openPR.URL, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main",
				HeadCommit: openPR.HeadCommit, MergeState: MergeConflict},
			calls: []exchange{{method: http.MethodGet, uri: "/repos/acme/gitops/pulls/12", file: "pr_dirty.json"}}}),
		with(providerCase{name: "merge squash", do: merge(12, "squash"), want: merged, calls: []exchange{
			{method: http.MethodPut, uri: "/repos/acme/gitops/pulls/12/merge", body: `{"merge_method":"squash"}`, file: "merge.json"},
			{method: http.MethodGet, uri: "/repos/acme/gitops/pulls/12", file: "pr_merged.json"},
		}}),
		with(providerCase{name: "merge not mergeable", do: merge(12, ""), wantErr: ErrNotMergeable, calls: []exchange{
			{method: http.MethodPut, uri: "/repos/acme/gitops/pulls/12/merge", body: `{"merge_method":"merge"}`, status: 405,
				file: "forbidden.json"}}}),
		with(providerCase{name: "token without permission", do: open(OpenOptions{Source: "a", Target: "main"}), wantErr: ErrPermission,
			calls: []exchange{{method: http.MethodPost, uri: "/repos/acme/gitops/pulls", status: 403, file: "forbidden.json"}}}),
		with(providerCase{name: "forge down", do: get(12), wantErr: errRetryable,
			calls: []exchange{{method: http.MethodGet, uri: "/repos/acme/gitops/pulls/12", status: 502}}}),
		with(providerCase{name: "bad merge method", do: merge(12, "octopus"), wantErr: ErrInvalid}),
	}
}
