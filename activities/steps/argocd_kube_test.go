package steps

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
	"github.com/railyard/railyard/internal/testenv"
)

// countingTransport counts the API calls a client makes.
type countingTransport struct {
	next  http.RoundTripper
	calls *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return c.next.RoundTrip(r)
}

// argoWorld is a real API server with Argo CD's controller played by the
// test, and the worker's clusters pointing at it.
type argoWorld struct {
	kube     *testenv.Kube
	argo     *testenv.ArgoCD
	clusters *argocd.Clusters
	calls    atomic.Int64
}

func newArgoWorld(t *testing.T, outcome func(*unstructured.Unstructured) testenv.SyncOutcome) *argoWorld {
	w := &argoWorld{kube: testenv.StartKube(t)}
	t.Logf("etcd and kube-apiserver ready in %s", w.kube.StartedIn.Round(time.Millisecond))
	w.argo = w.kube.PlayArgoCD("argocd", outcome)
	cs, err := argocd.Load(argocd.Config{Kubeconfig: w.kube.Kubeconfig, Wrap: func(rt http.RoundTripper) http.RoundTripper {
		return countingTransport{next: rt, calls: &w.calls}
	}})
	if err != nil {
		t.Fatal(err)
	}
	w.clusters = cs
	return w
}

// run runs a step to its end, sleeping through Running as the workflow's
// timers would, and returns its last result.
func (w *argoWorld) run(t *testing.T, r Runner, sc *Context, config string) (Result, error) {
	t.Helper()
	sc.StartedAt = time.Now()
	deadline := time.Now().Add(time.Minute)
	for {
		res, err := r.Run(context.Background(), sc, json.RawMessage(config))
		if err != nil || res.Status != StatusRunning {
			return res, err
		}
		if time.Now().After(deadline) {
			t.Fatalf("still Running after a minute: %s", res.Message)
		}
		time.Sleep(min(res.RetryAfter, 500*time.Millisecond))
	}
}

func promoCtx(name string) *Context {
	return &Context{Project: "demo", Stage: "dev", Promotion: name, Actor: ""}
}

const updateConfig = `{"apps":[{"name":"web","sources":[{"repoURL":"https://git.example.com/gitops.git","desiredRevision":"c0ffee","updateTargetRevision":true}]}]}`

func TestArgoCDUpdateAgainstAPIServer(t *testing.T) {
	w := newArgoWorld(t, nil)
	w.kube.CreateApp("argocd", "web", "https://git.example.com/gitops.git", "stage/dev", "demo:dev")
	w.kube.CreateApp("argocd", "other", "https://git.example.com/gitops.git", "stage/dev", "demo:prod")
	w.kube.CreateApp("argocd", "bare", "https://git.example.com/gitops.git", "stage/dev", "")

	t.Run("syncs and registers a health check", func(t *testing.T) {
		before := w.calls.Load()
		res, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.1"), updateConfig)
		if err != nil || res.Status != StatusSucceeded {
			t.Fatalf("argocd-update = %+v, %v", res, err)
		}
		t.Logf("API calls for one Application's update: %d", w.calls.Load()-before)
		want := railyard.AppRef{Namespace: "argocd", Name: "web", DesiredRevisions: []string{"c0ffee"}}
		if len(res.HealthChecks) != 1 || res.HealthChecks[0].String() != want.String() ||
			strings.Join(res.HealthChecks[0].DesiredRevisions, ",") != "c0ffee" {
			t.Fatalf("health checks = %+v, want %+v", res.HealthChecks, want)
		}
		app := w.kube.GetApp("argocd", "web")
		checkField(t, app, "c0ffee", "spec", "source", "targetRevision")
		checkField(t, app, "hard", "metadata", "annotations", "argocd.argoproj.io/refresh")
		checkField(t, app, "railyard", "status", "operationState", "operation", "initiatedBy", "username")
		checkField(t, app, "Succeeded", "status", "operationState", "phase")
		if w.argo.Syncs() != 1 {
			t.Errorf("Argo CD saw %d sync operations, want 1", w.argo.Syncs())
		}
	})
	t.Run("a re-run after success requests no second sync", func(t *testing.T) {
		res, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.1"), updateConfig)
		if err != nil || res.Status != StatusSucceeded || w.argo.Syncs() != 1 {
			t.Fatalf("re-run = %+v, %v; syncs %d, want 1", res, err, w.argo.Syncs())
		}
	})
	t.Run("refuses an Application authorized for another stage", func(t *testing.T) {
		_, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.2"), `{"apps":[{"name":"other"}]}`)
		var term *TerminalError
		if !errors.As(err, &term) || !strings.Contains(err.Error(), "permits updates by stage prod of project demo only") {
			t.Fatalf("error = %v, want a terminal authorization error", err)
		}
	})
	t.Run("refuses an Application without the annotation", func(t *testing.T) {
		_, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.2"), `{"apps":[{"name":"bare"}]}`)
		if err == nil || !strings.Contains(err.Error(), "kargo.akuity.io/authorized-stage: demo:dev is missing") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("a failed sync fails the step with Argo CD's message", func(t *testing.T) {
		w.argo.SetOutcome(func(*unstructured.Unstructured) testenv.SyncOutcome {
			return testenv.SyncOutcome{Fail: "one or more objects failed to apply: Deployment.apps \"web\" is invalid"}
		})
		res, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.3"), updateConfig)
		if err != nil || res.Status != StatusFailed || !strings.Contains(res.Message, "Deployment.apps \"web\" is invalid") {
			t.Fatalf("argocd-update = %+v, %v; want Failed with Argo CD's message", res, err)
		}
	})
}

func checkField(t *testing.T, app *unstructured.Unstructured, want string, path ...string) {
	t.Helper()
	got, _, _ := unstructured.NestedString(app.Object, path...)
	if got != want {
		t.Errorf("%s = %q, want %q", strings.Join(path, "."), got, want)
	}
}

func TestArgoCDWaitAgainstAPIServer(t *testing.T) {
	w := newArgoWorld(t, nil)
	w.kube.CreateApp("argocd", "web", "https://git.example.com/gitops.git", "stage/dev", "demo:dev")
	if res, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.1"), updateConfig); err != nil || res.Status != StatusSucceeded {
		t.Fatalf("argocd-update = %+v, %v", res, err)
	}
	wait := ArgoCDWait{Clusters: w.clusters}
	t.Run("healthy and synced", func(t *testing.T) {
		res, err := w.run(t, wait, promoCtx("dev.1"), `{"apps":[{"name":"web"}]}`)
		if err != nil || res.Status != StatusSucceeded {
			t.Fatalf("argocd-wait = %+v, %v", res, err)
		}
	})
	t.Run("degraded fails after the timeout with the Application's message", func(t *testing.T) {
		w.argo.SetHealth("web", "Degraded", "Deployment \"web\" exceeded its progress deadline")
		sc := promoCtx("dev.1")
		sc.Timeout = 3 * time.Second
		res, err := w.run(t, wait, sc, `{"apps":[{"name":"web"}]}`)
		if err != nil || res.Status != StatusFailed || !strings.Contains(res.Message, "exceeded its progress deadline") {
			t.Fatalf("argocd-wait = %+v, %v; want Failed with the Application's message", res, err)
		}
	})
	t.Run("a sync that never finishes keeps the step Running", func(t *testing.T) {
		w.argo.SetOutcome(func(*unstructured.Unstructured) testenv.SyncOutcome { return testenv.SyncOutcome{Hang: true} })
		sc := promoCtx("dev.2")
		sc.StartedAt = time.Now()
		upd := ArgoCDUpdate{Clusters: w.clusters}
		deadline := time.Now().Add(20 * time.Second)
		for {
			res, err := upd.Run(context.Background(), sc, json.RawMessage(updateConfig))
			if err != nil || res.Status != StatusRunning {
				t.Fatalf("argocd-update = %+v, %v; want Running while the sync runs", res, err)
			}
			if strings.Contains(res.Message, "sync running") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the sync never showed as running: %s", res.Message)
			}
			time.Sleep(200 * time.Millisecond)
		}
		sc.Timeout = 2 * time.Second
		res, err := w.run(t, wait, sc, `{"apps":[{"name":"web"}]}`)
		if err != nil || res.Status != StatusFailed || !strings.Contains(res.Message, "operation running") {
			t.Fatalf("argocd-wait = %+v, %v; want Failed naming the running operation", res, err)
		}
	})
}

func TestArgoCDHealthWatch(t *testing.T) {
	w := newArgoWorld(t, nil)
	w.kube.CreateApp("argocd", "web", "https://git.example.com/gitops.git", "stage/dev", "demo:dev")
	res, err := w.run(t, ArgoCDUpdate{Clusters: w.clusters}, promoCtx("dev.1"), updateConfig)
	if err != nil || res.Status != StatusSucceeded {
		t.Fatalf("argocd-update = %+v, %v", res, err)
	}
	ctx := context.Background()
	h, err := w.clusters.WaitHealth(ctx, res.HealthChecks, railyard.StageHealth{}, 10*time.Second, func() {})
	if err != nil || h.Phase != railyard.HealthHealthy {
		t.Fatalf("health = %+v, %v; want Healthy", h, err)
	}
	before := w.calls.Load()
	start := time.Now()
	go func() {
		time.Sleep(500 * time.Millisecond)
		w.argo.SetHealth("web", "Degraded", "Back-off restarting failed container")
	}()
	h2, err := w.clusters.WaitHealth(ctx, res.HealthChecks, h, 20*time.Second, func() {})
	if err != nil || h2.Phase != railyard.HealthDegraded || !strings.Contains(h2.Message, "Back-off restarting") {
		t.Fatalf("health = %+v, %v; want Degraded with Argo CD's message", h2, err)
	}
	if n := w.calls.Load() - before; n != 0 {
		t.Errorf("waiting for a change made %d API calls; the shared watch should make none", n)
	}
	t.Logf("degradation seen %s after the wait began (written at 500ms)", time.Since(start).Round(time.Millisecond))
}

func TestArgoCDWithoutCluster(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	cs, err := argocd.Load(argocd.Config{})
	if err != nil || cs.Configured() {
		t.Fatalf("Load() = %v, configured %v; want an unconfigured worker", err, cs.Configured())
	}
	for _, r := range []Runner{ArgoCDUpdate{Clusters: cs}, ArgoCDWait{Clusters: cs}} {
		t.Run(r.Name(), func(t *testing.T) {
			_, err := r.Run(context.Background(), promoCtx("dev.1"), json.RawMessage(`{"apps":[{"name":"web"}]}`))
			var term *TerminalError
			if !errors.As(err, &term) || !errors.Is(err, argocd.ErrNoCluster) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error = %v, want one terminal line naming the missing cluster", err)
			}
		})
	}
}
