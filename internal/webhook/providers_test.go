package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// sign is the hex HMAC-SHA256 of body, as GitHub, Gitea, Bitbucket and
// Artifactory compute it.
func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

// GitHub's push event (trimmed to the documented fields a receiver reads and a few around them).
const githubPush = `{"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246",
"after":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c","repository":{"id":186853002,"name":"app",
"full_name":"example/app","private":false,"html_url":"https://github.com/example/app",
"clone_url":"https://github.com/example/app.git","ssh_url":"git@github.com:example/app.git",
"default_branch":"main"},"pusher":{"name":"octocat","email":"octocat@github.com"},
"commits":[{"id":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c","message":"Update README.md",
"added":[],"removed":[],"modified":["README.md"]}]}`

const githubPushOther = `{"ref":"refs/heads/main","repository":{"full_name":"example/unwatched",
"html_url":"https://github.com/example/unwatched","clone_url":"https://github.com/example/unwatched.git"}}`

const githubPackageEvent = `{"action":"published","package":{"name":"api","package_type":"CONTAINER",
"package_version":{"version":"sha256:3da4","package_url":"ghcr.io/example/api:1.2.3",
"container_metadata":{"tag":{"name":"1.2.3","digest":"sha256:3da4"}}}},
"repository":{"full_name":"example/api"}}`

const gitlabPush = `{"object_kind":"push","event_name":"push","ref":"refs/heads/main",
"checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","user_username":"jsmith",
"project":{"id":15,"name":"config","web_url":"https://gitlab.example.com/team/config",
"git_ssh_url":"git@gitlab.example.com:team/config.git","git_http_url":"https://gitlab.example.com/team/config.git",
"path_with_namespace":"team/config","default_branch":"main"},
"repository":{"name":"config","url":"git@gitlab.example.com:team/config.git",
"homepage":"https://gitlab.example.com/team/config","git_http_url":"https://gitlab.example.com/team/config.git",
"git_ssh_url":"git@gitlab.example.com:team/config.git"},"total_commits_count":1}`

const bitbucketPush = `{"actor":{"display_name":"Jane"},"repository":{"type":"repository",
"full_name":"team/app","name":"app","links":{"self":{"href":"https://api.bitbucket.org/2.0/repositories/team/app"},
"html":{"href":"https://bitbucket.org/team/app"}}},"push":{"changes":[{"new":{"type":"branch","name":"main",
"target":{"hash":"709d658dc5b6d6afcd46049c2f332ee3f515a67d"}}}]}}`

const bitbucketRefsChanged = `{"eventKey":"repo:refs_changed","date":"2026-12-01T10:00:00+0000",
"repository":{"slug":"app","name":"app","project":{"key":"TEAM"},"links":{"clone":[
{"href":"ssh://git@bitbucket.example.com:7999/team/app.git","name":"ssh"},
{"href":"https://bitbucket.org/team/app.git","name":"http"}],
"self":[{"href":"https://bitbucket.example.com/projects/TEAM/repos/app/browse"}]}},
"changes":[{"ref":{"id":"refs/heads/main","displayId":"main","type":"BRANCH"},"type":"UPDATE"}]}`

const giteaPush = `{"ref":"refs/heads/main","before":"28e1879d029cb852e4844d9c718537df08844e03",
"after":"bffeb74224043ba2feb48d137756c8a9331c449a","repository":{"id":1,"name":"app","full_name":"team/app",
"html_url":"https://gitea.example.com/team/app","ssh_url":"git@gitea.example.com:team/app.git",
"clone_url":"https://gitea.example.com/team/app.git"},"pusher":{"login":"gitea"}}`

const acrPush = `{"id":"cb8c3971-9adc-488b-bdd8-43cbb4974ff5","timestamp":"2026-12-01T16:52:01.343145347Z",
"action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":524,
"digest":"sha256:80f0d5c8786bb9e621a45ece0db56d11cdc624ad20da9fe62e9d25490f331d7d","length":524,
"repository":"team/api","tag":"v1"},"request":{"id":"3cbb6949-7549-4fa1-86cd-a6d5451dffc7",
"host":"myregistry.azurecr.io","method":"PUT","useragent":"docker/24.0.7"}}`

const devopsPush = `{"subscriptionId":"00000000-0000-0000-0000-000000000000","notificationId":1,
"id":"03c164c2-8912-4d5e-8009-3707d5f83734","eventType":"git.push","publisherId":"tfs",
"resource":{"refUpdates":[{"name":"refs/heads/main","oldObjectId":"aad331d8d3b131fa9ae03cf5e53965b51942618a",
"newObjectId":"33b55f7cb7e7e245323987634f960cf4a6e6bc74"}],"repository":{"id":"278d5cd2-584d-4b63-824a-2ba458937249",
"name":"repo","remoteUrl":"https://dev.azure.com/org/proj/_git/repo"}}}`

const dockerhubPush = `{"callback_url":"https://registry.hub.docker.com/u/example/api/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
"push_data":{"pushed_at":1733070000,"pusher":"example","tag":"1.2.3"},
"repository":{"comment_count":0,"date_created":1417494799,"description":"","is_official":false,
"is_private":false,"name":"api","namespace":"example","owner":"example","repo_name":"example/api",
"repo_url":"https://registry.hub.docker.com/u/example/api/","star_count":0,"status":"Active"}}`

const quayPush = `{"repository":"team/api","namespace":"team","name":"api","docker_url":"quay.io/team/api",
"homepage":"https://quay.io/repository/team/api","updated_tags":["1.2.3","latest"]}`

const harborPush = `{"type":"PUSH_ARTIFACT","occur_at":1733070000,"operator":"admin","event_data":{
"resources":[{"digest":"sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4","tag":"1.2.3",
"resource_url":"harbor.example.com/library/api:1.2.3"}],"repository":{"date_created":1733000000,
"name":"api","namespace":"library","repo_full_name":"library/api","repo_type":"private"}}}`

const artifactoryPush = `{"domain":"docker","event_type":"pushed","jpd_origin":"https://example.jfrog.io",
"source":"jfrog/user@example.com","data":{"repo_key":"docker-local","event_type":"pushed",
"path":"api/1.2.3/manifest.json","name":"manifest.json","sha256":"0a7d3bbc","size":1234,
"image_name":"api","tag":"1.2.3","image_type":"docker","platforms":[]}}`

func TestProviders(t *testing.T) {
	_, hs, rec := newTestServer(t)
	gh := path("demo", "github", "gh", "gh-shared-secret")
	tests := []struct {
		name    string
		path    string
		headers map[string]string
		body    string
		status  int
		reason  string
		refresh []string
	}{
		{"github push", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", githubPush)}, githubPush, 200, "", []string{"demo/app"}},
		{"github replayed delivery", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", githubPush)}, githubPush, 409, "replay", nil},
		{"github wrong signature", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-2",
			"X-Hub-Signature-256": "sha256=" + sign("not-the-secret", githubPush)}, githubPush, 401, "does not match", nil},
		{"github signature of another body", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-3",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", githubPush)}, githubPushOther, 401, "does not match", nil},
		{"github unsigned", gh, map[string]string{"X-GitHub-Event": "push"}, githubPush, 401, "missing X-Hub-Signature-256", nil},
		{"github unsubscribed repository", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-4",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", githubPushOther)}, githubPushOther, 200, "refreshing 0", nil},
		{"github ping", gh, map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-5",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", `{"zen":"Keep it simple."}`)}, `{"zen":"Keep it simple."}`, 200, "pong", nil},
		{"github package", gh, map[string]string{"X-GitHub-Event": "package", "X-GitHub-Delivery": "d-6",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", githubPackageEvent)}, githubPackageEvent, 200, "", []string{"demo/ghcr"}},
		{"github bad JSON", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-7",
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", `{"ref":`)}, `{"ref":`, 400, "not valid JSON", nil},
		{"github of the other project", path("other", "github", "gh", "other-secret"), map[string]string{"X-GitHub-Event": "push",
			"X-Hub-Signature-256": "sha256=" + sign("other-secret", githubPush)}, githubPush, 200, "", []string{"other/app"}},
		{"github signed with the other project's secret", gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-8",
			"X-Hub-Signature-256": "sha256=" + sign("other-secret", githubPush)}, githubPush, 401, "does not match", nil},

		{"gitlab push", path("demo", "gitlab", "gl", "gl-token"), map[string]string{"X-Gitlab-Event": "Push Hook",
			"X-Gitlab-Token": "gl-token", "X-Gitlab-Event-UUID": "u-1"}, gitlabPush, 200, "", []string{"demo/config"}},
		{"gitlab replay", path("demo", "gitlab", "gl", "gl-token"), map[string]string{"X-Gitlab-Event": "Push Hook",
			"X-Gitlab-Token": "gl-token", "X-Gitlab-Event-UUID": "u-1"}, gitlabPush, 409, "replay", nil},
		{"gitlab wrong token", path("demo", "gitlab", "gl", "gl-token"), map[string]string{"X-Gitlab-Event": "Push Hook",
			"X-Gitlab-Token": "guess"}, gitlabPush, 401, "X-Gitlab-Token does not match", nil},
		{"gitlab unsubscribed", path("demo", "gitlab", "gl", "gl-token"), map[string]string{"X-Gitlab-Event": "Push Hook",
			"X-Gitlab-Token": "gl-token"}, strings.ReplaceAll(gitlabPush, "team/config", "team/other"), 200, "refreshing 0", nil},

		{"bitbucket cloud push", path("demo", "bitbucket", "bb", "bb-secret"), map[string]string{"X-Event-Key": "repo:push",
			"X-Request-UUID": "b-1", "X-Hub-Signature": "sha256=" + sign("bb-secret", bitbucketPush)}, bitbucketPush, 200, "", []string{"demo/bbapp"}},
		{"bitbucket data center refs_changed", path("demo", "bitbucket", "bb", "bb-secret"), map[string]string{"X-Event-Key": "repo:refs_changed",
			"X-Request-Id": "b-2", "X-Hub-Signature": "sha256=" + sign("bb-secret", bitbucketRefsChanged)}, bitbucketRefsChanged, 200, "", []string{"demo/bbapp"}},
		{"bitbucket replay", path("demo", "bitbucket", "bb", "bb-secret"), map[string]string{"X-Event-Key": "repo:push",
			"X-Request-UUID": "b-1", "X-Hub-Signature": "sha256=" + sign("bb-secret", bitbucketPush)}, bitbucketPush, 409, "replay", nil},
		{"bitbucket wrong signature", path("demo", "bitbucket", "bb", "bb-secret"), map[string]string{"X-Event-Key": "repo:push",
			"X-Hub-Signature": "sha256=" + sign("bb-secreT", bitbucketPush)}, bitbucketPush, 401, "does not match", nil},

		{"gitea push", path("demo", "gitea", "gt", "gt-secret"), map[string]string{"X-Gitea-Event": "push", "X-Gitea-Delivery": "g-1",
			"X-Gitea-Signature": sign("gt-secret", giteaPush), "X-Hub-Signature-256": "sha256=" + sign("gt-secret", giteaPush)}, giteaPush, 200, "", []string{"demo/giteaapp"}},
		{"gitea replay", path("demo", "gitea", "gt", "gt-secret"), map[string]string{"X-Gitea-Event": "push", "X-Gitea-Delivery": "g-1",
			"X-Hub-Signature-256": "sha256=" + sign("gt-secret", giteaPush)}, giteaPush, 409, "replay", nil},
		{"gitea wrong signature", path("demo", "gitea", "gt", "gt-secret"), map[string]string{"X-Gitea-Event": "push",
			"X-Gitea-Signature": sign("nope", giteaPush)}, giteaPush, 401, "X-Gitea-Signature does not match", nil},

		{"acr push", path("demo", "azure", "az", "only-the-url-knows"), map[string]string{"User-Agent": "AzureContainerRegistry/1.0"}, acrPush, 200, "", []string{"demo/acrimg"}},
		{"acr replay", path("demo", "azure", "az", "only-the-url-knows"), map[string]string{"User-Agent": "AzureContainerRegistry/1.0"}, acrPush, 409, "replay", nil},
		{"azure devops push", path("demo", "azure", "az", "only-the-url-knows"), map[string]string{"User-Agent": "VSServices/16.255"}, devopsPush, 200, "", []string{"demo/devops"}},
		{"azure unknown sender", path("demo", "azure", "az", "only-the-url-knows"), map[string]string{"User-Agent": "curl/8"}, acrPush, 400, "User-Agent", nil},

		{"docker hub push", path("demo", "dockerhub", "dh", "only-the-url-knows"), nil, dockerhubPush, 200, "", []string{"demo/hub"}},
		{"docker hub replay", path("demo", "dockerhub", "dh", "only-the-url-knows"), nil, dockerhubPush, 409, "replay", nil},
		{"docker hub unsubscribed", path("demo", "dockerhub", "dh", "only-the-url-knows"), nil, strings.ReplaceAll(dockerhubPush, "example/api", "example/web"), 200, "refreshing 0", nil},
		{"docker hub wrong URL", path("demo", "dockerhub", "dh", "guessed"), nil, dockerhubPush, 404, "no receiver at this path", nil},

		{"quay push", path("demo", "quay", "qy", "only-the-url-knows"), nil, quayPush, 200, "", []string{"demo/quayimg"}},
		{"quay bad JSON", path("demo", "quay", "qy", "only-the-url-knows"), nil, `docker_url=quay.io/team/api`, 400, "not valid JSON", nil},

		{"harbor push", path("demo", "harbor", "hb", "Basic aGFyYm9yOnNlY3JldA=="), map[string]string{"Authorization": "Basic aGFyYm9yOnNlY3JldA=="}, harborPush, 200, "", []string{"demo/harborimg"}},
		{"harbor replay", path("demo", "harbor", "hb", "Basic aGFyYm9yOnNlY3JldA=="), map[string]string{"Authorization": "Basic aGFyYm9yOnNlY3JldA=="}, harborPush, 409, "replay", nil},
		{"harbor wrong header", path("demo", "harbor", "hb", "Basic aGFyYm9yOnNlY3JldA=="), map[string]string{"Authorization": "Basic Z3Vlc3M="}, harborPush, 401, "Authorization does not match", nil},

		{"artifactory push", path("demo", "artifactory", "af", "af-token"), map[string]string{"X-Jfrog-Event-Auth": sign("af-token", artifactoryPush)}, artifactoryPush, 200, "", []string{"demo/jfrog"}},
		{"artifactory wrong signature", path("demo", "artifactory", "af", "af-token"), map[string]string{"X-Jfrog-Event-Auth": sign("af-tokeN", artifactoryPush)}, artifactoryPush, 401, "does not match", nil},

		{"generic by name and index", path("demo", "generic", "gen", "only-the-url-knows"), map[string]string{"X-Event-Type": "push"},
			`{"warehouse":"hub","repository":{"url":"https://github.com/Example/app.git"}}`, 200, "", []string{"demo/app", "demo/hub"}},
		{"generic condition false", path("demo", "generic", "gen", "only-the-url-knows"), map[string]string{"X-Event-Type": "tag"},
			`{"warehouse":"hub"}`, 200, "refreshing 0", nil},
		{"generic by label", path("demo", "generic", "gen-labels", "only-the-url-knows"), nil, `{"tier":"critical"}`, 200, "", []string{"demo/hub"}},
		{"generic by label, no match", path("demo", "generic", "gen-labels", "only-the-url-knows"), nil, `{"tier":"low"}`, 200, "refreshing 0", nil},
		{"generic bad JSON", path("demo", "generic", "gen", "only-the-url-knows"), map[string]string{"X-Event-Type": "push"}, `{`, 400, "not valid JSON", nil},

		{"receiver whose Secret is missing", path("demo", "github", "missing", ""), map[string]string{"X-GitHub-Event": "push"}, githubPush, 404, "no receiver at this path", nil},
		{"unknown project", path("nosuch", "github", "gh", "gh-shared-secret"), nil, githubPush, 404, "no receiver at this path", nil},
		{"unknown path", "/github/0000", nil, githubPush, 404, "no receiver at this path", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reply := post(t, hs.URL, tt.path, tt.headers, tt.body)
			if status != tt.status || !strings.Contains(reply, tt.reason) {
				t.Errorf("got %d %q, want %d containing %q", status, reply, tt.status, tt.reason)
			}
			if strings.Count(strings.TrimSpace(reply), "\n") > 0 {
				t.Errorf("reply is not one line: %q", reply)
			}
			if got := rec.take(); !slices.Equal(got, tt.refresh) {
				t.Errorf("refreshed %v, want %v", got, tt.refresh)
			}
		})
	}
}

func TestRequestLimits(t *testing.T) {
	_, hs, rec := newTestServer(t)
	dh := path("demo", "dockerhub", "dh", "only-the-url-knows")
	big := `{"pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	tests := []struct {
		name, method, body, reason string
		status                     int
	}{
		{"body over 1 MiB", "POST", big, "larger than", 413},
		{"GET", "GET", "", "method GET not allowed", 405},
		{"not JSON", "POST", "<xml/>", "not valid JSON", 400},
		{"JSON but not an event", "POST", `{"hello":"world"}`, "repo_name is missing", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := newRequest(tt.method, hs.URL+dh, tt.body)
			resp, err := hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			reply := readAll(resp)
			if resp.StatusCode != tt.status || !strings.Contains(reply, tt.reason) {
				t.Errorf("got %d %q", resp.StatusCode, reply)
			}
			if got := rec.take(); len(got) > 0 {
				t.Errorf("refreshed %v", got)
			}
		})
	}
}

func TestStatusesShowURLsWithoutSecrets(t *testing.T) {
	s, _, _ := newTestServer(t)
	s.BaseURL = "https://hooks.example.com/railyard"
	st, err := s.Statuses(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(st)
	for _, secret := range []string{"gh-shared-secret", "gl-token", "only-the-url-knows", "aGFyYm9yOnNlY3JldA"} {
		if strings.Contains(text, secret) {
			t.Errorf("statuses reveal %s: %s", secret, text)
		}
	}
	want := "https://hooks.example.com/railyard" + path("demo", "github", "gh", "gh-shared-secret")
	if st["demo"][0].URL != want {
		t.Errorf("got %+v, want URL %s", st["demo"][0], want)
	}
	last := st["demo"][len(st["demo"])-1]
	if last.Name != "missing" || last.URL != "" || !strings.Contains(last.Error, "no-such-secret") {
		t.Errorf("missing secret: %+v", last)
	}
}
