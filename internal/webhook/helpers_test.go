package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// staticDirectory is a Directory over fixed resources.
type staticDirectory []railyard.Resources

func (d staticDirectory) Projects(context.Context) ([]railyard.Resources, error) { return d, nil }

// recorder is a Refresher that records what it was asked.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) Refresh(_ context.Context, project, warehouse string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, project+"/"+warehouse)
	return nil
}

// WakeWaiting records the wake-up as "wake <project> <first key>" and
// reports one promotion woken.
func (r *recorder) WakeWaiting(_ context.Context, project string, keys []string, _ string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "wake "+project+" "+strings.Join(keys[:1], ""))
	return 1, nil
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	slices.Sort(out)
	return out
}

// Secrets of the test projects, one per receiver kind, as Kargo users write them.
const testSecrets = `apiVersion: v1
kind: Secret
metadata: {name: gh, namespace: demo}
stringData: {secret: gh-shared-secret}
---
apiVersion: v1
kind: Secret
metadata: {name: gl, namespace: demo}
data: {secret-token: Z2wtdG9rZW4=}   # gl-token
---
apiVersion: v1
kind: Secret
metadata: {name: bb, namespace: demo}
stringData: {secret: bb-secret}
---
apiVersion: v1
kind: Secret
metadata: {name: gt, namespace: demo}
stringData: {secret: gt-secret}
---
apiVersion: v1
kind: Secret
metadata: {name: url-only, namespace: demo}
stringData: {secret: only-the-url-knows}
---
apiVersion: v1
kind: Secret
metadata: {name: hb, namespace: demo}
stringData: {auth-header: Basic aGFyYm9yOnNlY3JldA==}
---
apiVersion: v1
kind: Secret
metadata: {name: af, namespace: demo}
stringData: {secret-token: af-token}
---
apiVersion: v1
kind: Secret
metadata: {name: gh, namespace: other}
stringData: {secret: other-secret}
`

func ref(name string) *railyard.WebhookSecretRefConfig {
	return &railyard.WebhookSecretRefConfig{SecretRef: railyard.LocalObjectReference{Name: name}}
}

func gitWarehouse(name, url string) railyard.Warehouse {
	return railyard.Warehouse{Name: name, Spec: railyard.WarehouseSpec{Subscriptions: []railyard.Subscription{
		{Git: &railyard.GitSubscription{RepoURL: url}}}}}
}

func imageWarehouse(name, url string) railyard.Warehouse {
	return railyard.Warehouse{Name: name, Spec: railyard.WarehouseSpec{Subscriptions: []railyard.Subscription{
		{Image: &railyard.ImageSubscription{RepoURL: url}}}}}
}

func labelled(w railyard.Warehouse, k, v string) railyard.Warehouse {
	w.Labels = map[string]string{k: v}
	return w
}

// testProjects: demo has one receiver of every kind and Warehouses on
// several repositories; other subscribes to the same git repository with a
// receiver of its own.
func testProjects() staticDirectory {
	demo := railyard.Resources{Project: "demo", Config: railyard.ProjectConfig{WebhookReceivers: []railyard.WebhookReceiver{
		{Name: "gh", GitHub: ref("gh")},
		{Name: "gl", GitLab: ref("gl")},
		{Name: "bb", Bitbucket: ref("bb")},
		{Name: "gt", Gitea: ref("gt")},
		{Name: "az", Azure: ref("url-only")},
		{Name: "dh", DockerHub: ref("url-only")},
		{Name: "qy", Quay: ref("url-only")},
		{Name: "hb", Harbor: ref("hb")},
		{Name: "af", Artifactory: &railyard.ArtifactoryWebhookConfig{SecretRef: railyard.LocalObjectReference{Name: "af"}}},
		{Name: "gen", Generic: &railyard.GenericWebhookConfig{SecretRef: railyard.LocalObjectReference{Name: "url-only"},
			Actions: []railyard.GenericWebhookAction{{
				Action:         "Refresh",
				WhenExpression: `request.header("X-Event-Type") == params.event`,
				Parameters:     railyard.WebhookParameters{"event": "push"},
				TargetSelectionCriteria: []railyard.GenericWebhookTarget{
					{Kind: "Warehouse", Name: "${{ request.body.warehouse }}"},
					{Kind: "Warehouse", IndexSelector: &railyard.WebhookIndexSelector{MatchIndices: []railyard.WebhookIndexRequirement{
						{Key: "subscribedURLs", Operator: "Equals", Value: "${{ normalizeGit(request.body.repository.url) }}"}}}},
				}}}}},
		{Name: "gen-labels", Generic: &railyard.GenericWebhookConfig{SecretRef: railyard.LocalObjectReference{Name: "url-only"},
			Actions: []railyard.GenericWebhookAction{{ActionType: "Refresh", Targets: []railyard.GenericWebhookTarget{
				{Kind: "Warehouse", LabelSelector: &railyard.LabelSelector{MatchExpressions: []railyard.LabelSelectorRequirement{
					{Key: "tier", Operator: "In", Values: []string{"${{ request.body.tier }}"}}}}}}}}}},
		{Name: "missing", GitHub: ref("no-such-secret")},
	}}, Warehouses: []railyard.Warehouse{
		gitWarehouse("app", "https://github.com/example/app.git"),
		gitWarehouse("config", "https://gitlab.example.com/team/config"),
		gitWarehouse("bbapp", "https://bitbucket.org/team/app.git"),
		gitWarehouse("giteaapp", "https://gitea.example.com/team/app.git"),
		gitWarehouse("devops", "https://dev.azure.com/org/proj/_git/repo"),
		labelled(imageWarehouse("hub", "docker.io/example/api"), "tier", "critical"),
		imageWarehouse("quayimg", "quay.io/team/api"),
		imageWarehouse("harborimg", "harbor.example.com/library/api"),
		imageWarehouse("acrimg", "myregistry.azurecr.io/team/api"),
		imageWarehouse("jfrog", "example.jfrog.io/docker-local/api"),
		imageWarehouse("ghcr", "ghcr.io/example/api"),
	}}
	other := railyard.Resources{Project: "other",
		Config:     railyard.ProjectConfig{WebhookReceivers: []railyard.WebhookReceiver{{Name: "gh", GitHub: ref("gh")}}},
		Warehouses: []railyard.Warehouse{gitWarehouse("app", "https://github.com/example/app")}}
	return staticDirectory{demo, other}
}

// newTestServer serves the test projects on a real HTTP listener.
func newTestServer(t testing.TB) (*Server, *httptest.Server, *recorder) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secrets.yaml"), []byte(testSecrets), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := creds.LoadKargoSecrets(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s := &Server{Directory: testProjects(), Secrets: store, Refresher: rec, Waker: rec, Coalesce: time.Nanosecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs, rec
}

// post sends body to path with headers and returns the status and reply.
func post(t testing.TB, base, path string, headers map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func path(project, kind, name, secret string) string {
	return railyard.WebhookReceiverPath(project, kind, name, secret)
}

func newRequest(method, url, body string) (*http.Request, error) {
	return http.NewRequest(method, url, strings.NewReader(body))
}

func readAll(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
