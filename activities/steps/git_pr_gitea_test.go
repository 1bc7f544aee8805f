package steps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/forge"
	"github.com/railyard/railyard/internal/testenv"
)

type tokenCreds struct{ user, token string }

func (c tokenCreds) Lookup(context.Context, string, string) (creds.Credentials, bool, error) {
	return creds.Credentials{Username: c.user, Password: c.token}, true, nil
}

// giteaBranch commits a file to a new branch off main through the API.
func giteaBranch(t *testing.T, g *testenv.Gitea, repo, branch, file, content string) {
	t.Helper()
	body := map[string]any{"content": base64.StdEncoding.EncodeToString([]byte(content)), "branch": "main",
		"new_branch": branch, "message": "promote " + file}
	if st := g.API(http.MethodPost, "/repos/"+g.User+"/"+repo+"/contents/"+file, body, nil); st != http.StatusCreated {
		t.Fatalf("committing %s to %s: status %d", file, branch, st)
	}
	g.WaitBranch(repo, branch)
}

func runPR(t *testing.T, r Runner, sc *Context, config string) (Result, error) {
	t.Helper()
	return r.Run(t.Context(), sc, json.RawMessage(config))
}

// TestPullRequestsOnGitea runs the three steps against a real Gitea.
func TestPullRequestsOnGitea(t *testing.T) {
	g := testenv.StartGitea(t)
	repoURL := g.CreateRepo("gitops")
	p := PullRequests{}
	sc := &Context{Stage: "prod", Project: "demo", Promotion: "prod.1", Creds: tokenCreds{g.User, g.Token}}
	repo := fmt.Sprintf(`"repoURL":%q,"provider":"gitea"`, repoURL)
	openCfg := func(branch string) string {
		return `{` + repo + `,"sourceBranch":"` + branch + `","targetBranch":"main","title":"Promote","labels":["promotion"]}`
	}

	t.Run("open, re-run, wait, human merge", func(t *testing.T) {
		giteaBranch(t, g, "gitops", "railyard/promotion/prod.1", "app.yaml", "version: 1\n")
		before := forge.Calls.Load()
		start := time.Now()
		res, err := runPR(t, GitOpenPR{p}, sc, openCfg("railyard/promotion/prod.1"))
		if err != nil || res.Status != StatusSucceeded {
			t.Fatalf("open: %+v %v", res, err)
		}
		pr := res.Output["pr"].(map[string]any)
		// A re-run (a lost worker's promotion starting over) finds it.
		again, err := runPR(t, GitOpenPR{p}, sc, openCfg("railyard/promotion/prod.1"))
		if err != nil || again.Output["pr"].(map[string]any)["id"] != pr["id"] || !strings.Contains(again.Message, "already open") {
			t.Fatalf("re-run: %+v %v", again, err)
		}
		var open []map[string]any
		g.API(http.MethodGet, "/repos/railyard/gitops/pulls?state=open", nil, &open)
		if len(open) != 1 {
			t.Fatalf("%d open pull requests, want 1", len(open))
		}
		waitCfg := fmt.Sprintf(`{%s,"prNumber":%d}`, repo, pr["id"])
		res, err = runPR(t, GitWaitForPR{p}, sc, waitCfg)
		if err != nil || res.Status != StatusRunning || res.RetryAfter != minPRPoll ||
			!strings.HasPrefix(res.Message, fmt.Sprintf("waiting for PR #%d (%s)", pr["id"], pr["url"])) {
			t.Fatalf("wait: %+v %v", res, err)
		}
		// A human merges through Gitea's API while the promotion waits.
		mergeable(t, g, pr["id"])
		if st := g.API(http.MethodPost, fmt.Sprintf("/repos/railyard/gitops/pulls/%d/merge", pr["id"]), map[string]any{"Do": "merge"}, nil); st != http.StatusOK {
			t.Fatalf("human merge: status %d", st)
		}
		res, err = runPR(t, GitWaitForPR{p}, sc, waitCfg)
		if err != nil || res.Status != StatusSucceeded || len(res.Output["commit"].(string)) != 40 {
			t.Fatalf("wait after merge: %+v %v", res, err)
		}
		t.Logf("open + re-run + wait + wait: %d API calls, %s", forge.Calls.Load()-before, time.Since(start))
	})

	t.Run("closed unmerged fails with the reason", func(t *testing.T) {
		giteaBranch(t, g, "gitops", "railyard/promotion/prod.2", "closed.yaml", "version: 2\n")
		res, err := runPR(t, GitOpenPR{p}, sc, openCfg("railyard/promotion/prod.2"))
		if err != nil {
			t.Fatal(err)
		}
		n := res.Output["pr"].(map[string]any)["id"]
		g.API(http.MethodPatch, fmt.Sprintf("/repos/railyard/gitops/pulls/%d", n), map[string]any{"state": "closed"}, nil)
		res, err = runPR(t, GitWaitForPR{p}, sc, fmt.Sprintf(`{%s,"prNumber":%d}`, repo, n))
		if err != nil || res.Status != StatusFailed || !strings.Contains(res.Message, "was closed without merge at ") {
			t.Fatalf("wait on a closed PR: %+v %v", res, err)
		}
	})

	t.Run("merge step with an instant review", func(t *testing.T) {
		giteaBranch(t, g, "gitops", "railyard/promotion/prod.3", "other.yaml", "x: 3\n")
		before, start := forge.Calls.Load(), time.Now()
		sc := *sc
		sc.StartedAt = time.Now()
		res, err := runPR(t, GitOpenPR{p}, &sc, openCfg("railyard/promotion/prod.3"))
		if err != nil {
			t.Fatal(err)
		}
		n := res.Output["pr"].(map[string]any)["id"]
		cfg := fmt.Sprintf(`{%s,"prNumber":%d,"wait":true,"mergeMethod":"squash"}`, repo, n)
		polls := 0
		for res = (Result{}); res.Status != StatusSucceeded; {
			if polls++; polls > 30 {
				t.Fatalf("not merged after 30 polls: %+v", res)
			}
			if res, err = runPR(t, GitMergePR{p}, &sc, cfg); err != nil || res.Status == StatusFailed {
				t.Fatalf("merge: %+v %v", res, err)
			}
			if res.Status == StatusRunning {
				time.Sleep(200 * time.Millisecond) // the workflow's timer would wait RetryAfter
			}
		}
		t.Logf("open + merge (instant review): %d API calls, %d merge polls, %s; merged as %s",
			forge.Calls.Load()-before, polls, time.Since(start), res.Output["commit"])
	})

	t.Run("a conflict fails git-merge-pr", func(t *testing.T) {
		if testing.Short() {
			t.Skip("waits a minute for Gitea's mergeability to settle")
		}
		giteaBranch(t, g, "gitops", "railyard/promotion/prod.4", "same.yaml", "a: 4\n")
		giteaBranch(t, g, "gitops", "railyard/promotion/prod.5", "same.yaml", "a: 5\n")
		var ns []any
		for _, b := range []string{"railyard/promotion/prod.4", "railyard/promotion/prod.5"} {
			res, err := runPR(t, GitOpenPR{p}, sc, openCfg(b))
			if err != nil {
				t.Fatal(err)
			}
			ns = append(ns, res.Output["pr"].(map[string]any)["id"])
		}
		mergeable(t, g, ns[0])
		if st := g.API(http.MethodPost, fmt.Sprintf("/repos/railyard/gitops/pulls/%v/merge", ns[0]), map[string]any{"Do": "merge"}, nil); st != http.StatusOK {
			t.Fatalf("merging the first: status %d", st)
		}
		cfg := fmt.Sprintf(`{%s,"prNumber":%v,"wait":true}`, repo, ns[1])
		deadline := time.Now().Add(3 * time.Minute)
		for {
			res, err := runPR(t, GitMergePR{p}, sc, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status == StatusFailed {
				if !strings.Contains(res.Message, "has merge conflicts with main") {
					t.Fatalf("message %q", res.Message)
				}
				t.Logf("conflict reported: %s", res.Message)
				return
			}
			if res.Status != StatusRunning || time.Now().After(deadline) {
				t.Fatalf("merge of a conflicting PR: %+v", res)
			}
			time.Sleep(5 * time.Second)
		}
	})

	t.Run("token without permission is terminal and names the repository", func(t *testing.T) {
		g.NewUser("reader")
		readOnly := tokenCreds{"reader", g.NewToken("reader", "read:repository")}
		sc := &Context{Creds: readOnly}
		_, err := runPR(t, GitOpenPR{p}, sc, openCfg("railyard/promotion/prod.9"))
		if !railyard.IsTerminal(err) || !strings.Contains(err.Error(), repoURL) {
			t.Fatalf("err = %v, want a terminal error naming %s", err, repoURL)
		}
	})

	t.Run("a forge that is down is polled", func(t *testing.T) {
		down := `{"repoURL":"http://127.0.0.1:1/railyard/gitops.git","provider":"gitea","prNumber":1}`
		res, err := runPR(t, GitWaitForPR{p}, sc, down)
		if err != nil || res.Status != StatusRunning || !strings.Contains(res.Message, "retrying in") {
			t.Fatalf("wait on a down forge: %+v %v", res, err)
		}
	})
}

// mergeable waits until Gitea has computed that pull request n can merge.
func mergeable(t *testing.T, g *testenv.Gitea, n any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pr struct {
			Mergeable bool `json:"mergeable"`
		}
		g.API(http.MethodGet, fmt.Sprintf("/repos/railyard/gitops/pulls/%v", n), nil, &pr)
		if pr.Mergeable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pull request %v not mergeable after 30s", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
