package forge

import "net/http"

func gitlabCases() []providerCase {
	with := func(c providerCase) providerCase {
		c.provider, c.repoURL, c.prefix = GitLab, "https://gitlab.example/group/sub/gitops.git", "/api/v4"
		c.header = [2]string{"PRIVATE-TOKEN", tok}
		return c
	}
	const mrs = "/projects/group%2Fsub%2Fgitops/merge_requests"
	url := "https://gitlab.example/group/sub/gitops/-/merge_requests/7"
	head := "aaaa000000000000000000000000000000000007"
	return []providerCase{
		with(providerCase{name: "open with labels", do: open(promo),
			want: PullRequest{Number: 7, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: head, MergeState: MergeReady},
			calls: []exchange{{method: http.MethodPost, uri: mrs, status: 201, file: "mr_open.json",
				body: `{"source_branch":"railyard/promotion/p1","target_branch":"main","title":"Promote","description":"by Railyard","labels":"promotion,prod"}`}}}),
		with(providerCase{name: "find open", do: find("railyard/promotion/p1", "main"),
			want:  PullRequest{Number: 7, URL: url, Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: head, MergeState: MergeUnknown},
			calls: []exchange{{method: http.MethodGet, uri: mrs + "?source_branch=railyard%2Fpromotion%2Fp1&state=opened&target_branch=main", file: "mr_list.json"}}}),
		with(providerCase{name: "get merged", do: get(7),
			want:  PullRequest{Number: 7, URL: url, Merged: true, MergeCommit: "d00d000000000000000000000000000000000007", HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: head},
			calls: []exchange{{method: http.MethodGet, uri: mrs + "/7", file: "mr_merged.json"}}}),
		with(providerCase{name: "get closed", do: get(7),
			want: PullRequest{Number: 7, URL: url, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: head,
				ClosedReason: "closed without merge by reviewer at 2026-12-01T11:00:00Z"},
			calls: []exchange{{method: http.MethodGet, uri: mrs + "/7", file: "mr_closed.json"}}}),
		with(providerCase{name: "merge squash", do: merge(7, "squash"),
			want:  PullRequest{Number: 7, URL: url, Merged: true, MergeCommit: "d00d000000000000000000000000000000000007", HeadBranch: "railyard/promotion/p1", BaseBranch: "main", HeadCommit: head},
			calls: []exchange{{method: http.MethodPut, uri: mrs + "/7/merge", body: `{"squash":true}`, file: "mr_merged.json"}}}),
		with(providerCase{name: "merge conflict (406)", do: merge(7, ""), wantErr: ErrConflict,
			calls: []exchange{{method: http.MethodPut, uri: mrs + "/7/merge", body: `{}`, status: 406, file: "conflict.json"}}}),
		with(providerCase{name: "unauthorized", do: get(7), wantErr: ErrPermission,
			calls: []exchange{{method: http.MethodGet, uri: mrs + "/7", status: 401, file: "conflict.json"}}}),
	}
}
