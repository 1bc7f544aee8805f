package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

const (
	hookGitHubSecret    = "gh-secret-9d41c0"
	hookDockerHubSecret = "dh-secret-27ab5e"
)

// hookManifests: one stage, dev, auto-promoting Freight of a git Warehouse
// and an image Warehouse, both polling every 10 minutes, and two receivers.
const hookManifests = `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata: {name: hooks}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: hooks, namespace: hooks}
spec:
  promotionPolicies:
  - stageSelector: {name: dev}
    autoPromotionEnabled: true
  webhookReceivers:
  - name: github
    github: {secretRef: {name: gh-webhook}}
  - name: hub
    dockerhub: {secretRef: {name: hub-webhook}}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: app, namespace: hooks}
spec:
  interval: 10m
  subscriptions:
  - git: {repoURL: SRC}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: api, namespace: hooks}
spec:
  interval: 10m
  subscriptions:
  - image: {repoURL: IMAGE, constraint: ^1.0.0}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: hooks}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {direct: true}
  - origin: {kind: Warehouse, name: api}
    sources: {direct: true}
  promotionTemplate:
    spec:
      vars:
      - {name: src, value: SRC}
      - {name: image, value: IMAGE}
      steps:
      - uses: git-clone
        config:
          repoURL: GITOPS
          checkout: [{branch: stage/dev, create: true, path: ./out}]
      - uses: file-write
        config: {path: ./out/app.txt, contents: "${{ commitFrom(vars.src)?.ID ?? 'none' }}"}
      - uses: file-write
        config: {path: ./out/api.txt, contents: "${{ imageFrom(vars.image)?.Tag ?? 'none' }}"}
      - uses: git-commit
        config: {path: ./out, message: "promote ${{ ctx.targetFreight.name }}"}
      - uses: git-push
        config: {path: ./out, targetBranch: stage/dev}
`

// hookSecrets are the Kargo Secrets the worker reads, as a Kargo user has them.
const hookSecrets = `apiVersion: v1
kind: Secret
metadata: {name: gh-webhook, namespace: hooks}
stringData: {secret: ` + hookGitHubSecret + `}
---
apiVersion: v1
kind: Secret
metadata: {name: hub-webhook, namespace: hooks, labels: {kargo.akuity.io/cred-type: generic}}
data: {secret: ZGgtc2VjcmV0LTI3YWI1ZQ==}
`

// hookWorld is a git server, a registry and a worker serving receivers.
type hookWorld struct {
	*env
	git      *testenv.GitServer
	src      string // clone URL of the source repository
	image    string // host/repository of the image
	host     string // registry host
	work     string // a clone of src to push from
	hookBase string // http://addr of the receivers
	urls     map[string]string
}

func newHookWorld(t testing.TB) *hookWorld {
	t.Helper()
	git := testenv.NewGitServer(t)
	w := &hookWorld{git: git, src: git.CreateRepo(t, "src")}
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "src", "main", map[string]string{"app.txt": "0"}, "zero")
	git.Commit(t, "gitops", "main", map[string]string{"README.md": "gitops"}, "init")
	reg := testenv.StartRegistry(t)
	w.host, w.image = reg.Host, reg.Host+"/team/api"
	testenv.PushImage(t, w.host, "team/api", "1.0.0")

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hooks.yaml"), []byte(hookSecrets), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	w.hookBase = "http://" + addr
	w.env = newEnv(t, withLogLevel("info"), withWorkerArgs("--credentials", dir, "--webhook-addr", addr))
	w.project = "hooks"
	w.must("apply", "-f", writeManifests(t, strings.NewReplacer("SRC", w.src, "GITOPS", gitops, "IMAGE", w.image).Replace(hookManifests)))
	w.eventually(90*time.Second, "dev promoted with the first commit and image", func() bool {
		return w.dev("api.txt") == "1.0.0" && w.dev("app.txt") == git.Head(t, "src", "main")
	})
	w.urls = w.receiverURLs(2)
	w.work = filepath.Join(t.TempDir(), "work")
	w.gitIn("", "clone", "-q", w.src, w.work)
	w.installHook(t)
	return w
}

// installHook makes src's post-receive hook POST a GitHub push event,
// signed with the receiver's secret, for every updated ref.
func (w *hookWorld) installHook(t testing.TB) {
	openssl, err1 := exec.LookPath("openssl")
	curl, err2 := exec.LookPath("curl")
	if err1 != nil || err2 != nil {
		t.Skip("the post-receive hook needs openssl and curl")
	}
	script := fmt.Sprintf(`#!/bin/sh
while read old new ref; do
  body=$(printf '{"ref":"%%s","before":"%%s","after":"%%s","repository":{"name":"src","full_name":"team/src","clone_url":"%s"},"pusher":{"name":"e2e"}}' "$ref" "$old" "$new")
  sig=$(printf '%%s' "$body" | %s dgst -sha256 -hmac '%s' | sed 's/^.*= //')
  %s -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
    -H "X-GitHub-Delivery: $new" -H "X-Hub-Signature-256: sha256=$sig" --data-binary "$body" '%s'
done
`, w.src, openssl, hookGitHubSecret, curl, w.urls["github"])
	hook := filepath.Join(w.git.Path("src"), "hooks", "post-receive")
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// receiverURLs waits until `get projects` shows n receiver URLs and
// returns them by receiver name.
func (e *env) receiverURLs(n int) map[string]string {
	urls := map[string]string{}
	e.eventually(30*time.Second, "receiver URLs in `get projects`", func() bool {
		var ps []struct {
			Name   string                 `json:"name"`
			Status workflows.ProjectState `json:"status"`
		}
		e.getJSON(&ps, "projects")
		for _, p := range ps {
			for _, r := range p.Status.Receivers {
				if r.URL != "" {
					urls[r.Name] = r.URL
				}
			}
		}
		return len(urls) == n
	})
	return urls
}

func (w *hookWorld) gitIn(dir string, args ...string) string {
	w.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = testenv.Env(w.t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		w.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// push commits content to app.txt in the clone and pushes it over HTTP,
// which runs the hook; it returns the new commit.
func (w *hookWorld) push(content string) string {
	if err := os.WriteFile(filepath.Join(w.work, "app.txt"), []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.gitIn(w.work, "commit", "-qam", "change "+content)
	w.gitIn(w.work, "push", "-q", "origin", "HEAD:main")
	return w.gitIn(w.work, "rev-parse", "HEAD")
}

// pushImage pushes a tag and tells the dockerhub receiver, as Docker Hub does.
func (w *hookWorld) pushImage(tag string) int {
	testenv.PushImage(w.t, w.host, "team/api", tag)
	body := fmt.Sprintf(`{"callback_url":"http://%s/callback","push_data":{"pushed_at":%d,"pusher":"e2e","tag":%q},`+
		`"repository":{"name":"api","namespace":"team","repo_name":%q,"status":"Active"}}`,
		w.host, time.Now().UnixNano(), tag, w.image)
	resp, err := http.Post(w.urls["hub"], "application/json", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// dev reads a file of the stage/dev branch, "" when absent.
func (w *hookWorld) dev(file string) string {
	out, err := exec.Command("git", "--git-dir", w.git.Path("gitops"), "show", "stage/dev:"+file).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// hasFreight reports whether the warehouse minted Freight holding want
// (a commit ID or an image tag).
func (w *hookWorld) hasFreight(warehouse, want string) bool {
	var fs []railyard.Freight
	if err := w.query(&fs, railyard.PipelineWorkflowID("hooks", warehouse), workflows.QueryFreight); err != nil {
		return false
	}
	for _, f := range fs {
		for _, c := range f.Commits {
			if c.ID == want {
				return true
			}
		}
		for _, i := range f.Images {
			if i.Tag == want {
				return true
			}
		}
	}
	return false
}

// cycles is the number of discoveries the warehouse ran.
func (w *hookWorld) cycles(warehouse string) int {
	var st workflows.PipelineState
	if err := w.query(&st, railyard.PipelineWorkflowID("hooks", warehouse), workflows.QueryStatus); err != nil {
		w.t.Fatal(err)
	}
	return st.Discovery.Cycles
}
