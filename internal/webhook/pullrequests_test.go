package webhook

import (
	"slices"
	"strings"
	"testing"
)

// Pull request events, trimmed to the documented fields a receiver reads
// and a few around them.
const (
	githubPR = `{"action":"closed","number":12,"pull_request":{"number":12,"state":"closed","merged":true,
"html_url":"https://github.com/example/gitops/pull/12","head":{"ref":"railyard/promotion/p1"},"base":{"ref":"main"}},
"repository":{"full_name":"example/gitops","html_url":"https://github.com/example/gitops",
"clone_url":"https://github.com/example/gitops.git","ssh_url":"git@github.com:example/gitops.git"}}`
	githubReview = `{"action":"submitted","review":{"state":"approved"},"pull_request":{"number":12},
"repository":{"clone_url":"https://github.com/example/gitops.git"}}`
	giteaPR = `{"action":"closed","number":3,"pull_request":{"id":9,"number":3,"merged":true,
"html_url":"https://gitea.example.com/team/gitops/pulls/3"},"repository":{"full_name":"team/gitops",
"html_url":"https://gitea.example.com/team/gitops","clone_url":"https://gitea.example.com/team/gitops.git"}}`
	gitlabMRHook = `{"object_kind":"merge_request","event_type":"merge_request","project":{"id":15,
"web_url":"https://gitlab.example.com/team/gitops","git_http_url":"https://gitlab.example.com/team/gitops.git",
"git_ssh_url":"git@gitlab.example.com:team/gitops.git"},"object_attributes":{"id":99,"iid":7,"state":"merged",
"action":"merge","url":"https://gitlab.example.com/team/gitops/-/merge_requests/7"}}`
	bitbucketPRFulfilled = `{"pullrequest":{"id":5,"state":"MERGED","links":{"html":{"href":"https://bitbucket.org/team/gitops/pull-requests/5"}}},
"repository":{"full_name":"team/gitops","links":{"html":{"href":"https://bitbucket.org/team/gitops"}}}}`
	devopsPRMerged = `{"id":"6872ee8c-b333-4eff-bfb9-0d5274943566","eventType":"git.pullrequest.merged","publisherId":"tfs",
"resource":{"pullRequestId":41,"status":"completed","repository":{"name":"gitops",
"remoteUrl":"https://dev.azure.com/org/proj/_git/gitops"}}}`
)

func TestPullRequestEvents(t *testing.T) {
	_, hs, rec := newTestServer(t)
	gh := path("demo", "github", "gh", "gh-shared-secret")
	gt := path("demo", "gitea", "gt", "gt-secret")
	gl := path("demo", "gitlab", "gl", "gl-token")
	bb := path("demo", "bitbucket", "bb", "bb-secret")
	az := path("demo", "azure", "az", "only-the-url-knows")
	ghHeaders := func(event, delivery, body string) map[string]string {
		return map[string]string{"X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", body)}
	}
	tests := []struct {
		name    string
		path    string
		headers map[string]string
		body    string
		status  int
		reason  string
		woken   []string
	}{
		{"github merged", gh, ghHeaders("pull_request", "pr-1", githubPR), githubPR, 200,
			"woke 1 promotion(s) waiting on pull request #12", []string{"wake demo https://github.com/example/gitops#12"}},
		{"github review", gh, ghHeaders("pull_request_review", "pr-2", githubReview), githubReview, 200,
			"pull request #12", []string{"wake demo https://github.com/example/gitops#12"}},
		{"github replay", gh, ghHeaders("pull_request", "pr-1", githubPR), githubPR, 409, "replay", nil},
		{"github unsigned", gh, map[string]string{"X-GitHub-Event": "pull_request"}, githubPR, 401, "missing X-Hub-Signature-256", nil},
		{"github without number", gh, ghHeaders("pull_request", "pr-3", `{"action":"opened","repository":{"clone_url":"https://github.com/x/y"}}`),
			`{"action":"opened","repository":{"clone_url":"https://github.com/x/y"}}`, 400, "no pull_request.number", nil},
		{"github without repository", gh, ghHeaders("pull_request", "pr-4", `{"number":3}`), `{"number":3}`, 400, "no repository.clone_url", nil},
		{"gitea merged", gt, map[string]string{"X-Gitea-Event": "pull_request", "X-Gitea-Delivery": "gpr-1",
			"X-Hub-Signature-256": "sha256=" + sign("gt-secret", giteaPR)}, giteaPR, 200, "#3", []string{"wake demo https://gitea.example.com/team/gitops#3"}},
		{"gitea approved", gt, map[string]string{"X-Gitea-Event": "pull_request_review_approved", "X-Gitea-Delivery": "gpr-2",
			"X-Gitea-Signature": sign("gt-secret", giteaPR)}, giteaPR, 200, "#3", []string{"wake demo https://gitea.example.com/team/gitops#3"}},
		{"gitea issue comment refused", gt, map[string]string{"X-Gitea-Event": "issue_comment",
			"X-Gitea-Signature": sign("gt-secret", giteaPR)}, giteaPR, 400, "not supported (push, pull_request*)", nil},
		{"gitlab merge request", gl, map[string]string{"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": "gl-token"},
			gitlabMRHook, 200, "#7", []string{"wake demo https://gitlab.example.com/team/gitops#7"}},
		{"gitlab merge request without iid", gl, map[string]string{"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": "gl-token"},
			`{"project":{"git_http_url":"https://gitlab.example.com/a/b.git"}}`, 400, "no object_attributes.iid", nil},
		{"bitbucket fulfilled", bb, map[string]string{"X-Event-Key": "pullrequest:fulfilled", "X-Request-UUID": "bpr-1",
			"X-Hub-Signature": "sha256=" + sign("bb-secret", bitbucketPRFulfilled)}, bitbucketPRFulfilled, 200, "#5",
			[]string{"wake demo https://bitbucket.org/team/gitops#5"}},
		{"azure devops merged", az, map[string]string{"User-Agent": "VSServices/16.255"}, devopsPRMerged, 200, "#41",
			[]string{"wake demo https://dev.azure.com/org/proj/_git/gitops#41"}},
		{"azure devops unknown event", az, map[string]string{"User-Agent": "VSServices/16.255"},
			strings.Replace(devopsPRMerged, "git.pullrequest.merged", "build.complete", 1), 400, "git.pullrequest.*", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reply := post(t, hs.URL, tt.path, tt.headers, tt.body)
			if status != tt.status || !strings.Contains(reply, tt.reason) {
				t.Errorf("got %d %q, want %d containing %q", status, reply, tt.status, tt.reason)
			}
			if got := rec.take(); !slices.Equal(got, tt.woken) {
				t.Errorf("woke %v, want %v", got, tt.woken)
			}
		})
	}
}
