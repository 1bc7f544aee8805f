package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWebhooksReachDev: with warehouses polling every 10 minutes, a git
// push whose post-receive hook POSTs a signed GitHub push event, and an
// image push followed by a Docker Hub event, each reach dev in seconds.
// Bad requests change nothing, and no secret reaches history or logs.
func TestWebhooksReachDev(t *testing.T) {
	w := newHookWorld(t)
	appCycles, apiCycles := w.cycles("app"), w.cycles("api")

	begin := time.Now()
	sha := w.push("1")
	w.eventually(20*time.Second, "Freight of the pushed commit", func() bool { return w.hasFreight("app", sha) })
	minted := time.Since(begin)
	w.eventually(30*time.Second, "dev at the pushed commit", func() bool { return w.dev("app.txt") == sha })
	t.Logf("git push → Freight %s, → dev %s", minted.Round(time.Millisecond), time.Since(begin).Round(time.Millisecond))
	if w.cycles("api") != apiCycles {
		t.Errorf("a push to the git repository refreshed the image warehouse too")
	}

	begin = time.Now()
	if code := w.pushImage("1.0.1"); code != http.StatusOK {
		t.Fatalf("Docker Hub event answered %d", code)
	}
	w.eventually(20*time.Second, "Freight of the pushed tag", func() bool { return w.hasFreight("api", "1.0.1") })
	w.eventually(30*time.Second, "dev at the pushed tag", func() bool { return w.dev("api.txt") == "1.0.1" })
	t.Logf("image push → dev %s", time.Since(begin).Round(time.Millisecond))

	appCycles = w.cycles("app")
	bad := []struct {
		name, url, body string
		headers         map[string]string
		status          int
	}{
		{"wrong signature", w.urls["github"], `{"repository":{"clone_url":"` + w.src + `"}}`,
			map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=00"}, 401},
		{"unknown path", w.hookBase + "/github/0123", `{}`, nil, 404},
		{"another project's path", w.hookBase + strings.Replace(w.urls["github"][len(w.hookBase):], "github/", "github/f", 1), `{}`, nil, 404},
		{"bad JSON", w.urls["hub"], `{"repository":`, nil, 400},
		{"body over 1 MiB", w.urls["hub"], `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, b.url, strings.NewReader(b.body))
			for k, v := range b.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != b.status {
				t.Errorf("got %d, want %d", resp.StatusCode, b.status)
			}
		})
	}
	time.Sleep(2 * time.Second)
	if got := w.cycles("app"); got != appCycles {
		t.Errorf("rejected requests caused %d discoveries", got-appCycles)
	}

	out := w.must("get", "projects", "-o", "yaml")
	if !strings.Contains(out, w.urls["github"]) || !strings.Contains(out, w.urls["hub"]) {
		t.Errorf("get projects -o yaml does not show the receiver URLs:\n%s", out)
	}
	for id, h := range w.allHistories() {
		for _, s := range []string{hookGitHubSecret, hookDockerHubSecret} {
			if strings.Contains(h, s) {
				t.Errorf("the history of %s contains a secret (%q)", id, s)
			}
		}
	}
	for _, s := range []string{hookGitHubSecret, hookDockerHubSecret} {
		if strings.Contains(out, s) {
			t.Errorf("get projects shows a secret (%q)", s)
		}
	}
	log := w.workerLog()
	hash := w.urls["hub"][strings.LastIndex(w.urls["hub"], "/")+1:]
	for _, s := range []string{hookGitHubSecret, hookDockerHubSecret, hash} {
		if strings.Contains(log, s) {
			t.Errorf("the worker log contains %q (a secret, or the path that is the Docker Hub receiver's only credential)", s)
		}
	}
	if !strings.Contains(log, "webhook rejected") {
		t.Error("rejections are not logged")
	}
}
