package testenv

// The part of Argo CD's application controller the tests need, played by
// the test against the real API server: it picks up the sync operation
// Railyard wrote to an Application and writes the status Argo CD would
// (operationState, sync, health), with an outcome the test chooses.

import (
	"context"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// SyncOutcome is how a played sync ends.
type SyncOutcome struct {
	// Revision is what the sync reaches (the commit of the source's
	// targetRevision); "" means the targetRevision itself.
	Revision string
	// Health and HealthMessage after the sync (default Healthy).
	Health, HealthMessage string
	// Fail ends the operation Failed with this message.
	Fail string
	// Hang leaves the operation Running forever.
	Hang bool
	// Delay is how long the operation runs before it ends.
	Delay time.Duration
}

// ArgoCD plays Argo CD's controller for Applications in one namespace.
type ArgoCD struct {
	kube      *Kube
	namespace string
	mu        sync.Mutex
	outcome   func(app *unstructured.Unstructured) SyncOutcome
	syncs     int             // operations picked up
	inFlight  map[string]bool // Applications whose operation is being taken
}

// PlayArgoCD starts the controller loop until the test ends; outcome
// decides each sync (nil: Healthy at the target revision).
func (k *Kube) PlayArgoCD(namespace string, outcome func(app *unstructured.Unstructured) SyncOutcome) *ArgoCD {
	a := k.ArgoCDStatus(namespace)
	a.outcome = outcome
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	k.t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			a.reconcile(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return a
}

// ArgoCDStatus writes Applications' status as Argo CD's controller would,
// without picking up operations (SetHealth only).
func (k *Kube) ArgoCDStatus(namespace string) *ArgoCD {
	return &ArgoCD{kube: k, namespace: namespace, inFlight: map[string]bool{}}
}

// SetOutcome changes how the next syncs end.
func (a *ArgoCD) SetOutcome(f func(app *unstructured.Unstructured) SyncOutcome) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outcome = f
}

// Syncs is how many sync operations were picked up.
func (a *ArgoCD) Syncs() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.syncs
}

func (a *ArgoCD) reconcile(ctx context.Context) {
	apps := a.kube.Dynamic().Resource(AppGVR).Namespace(a.namespace)
	list, err := apps.List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for i := range list.Items {
		app := &list.Items[i]
		op, ok := app.Object["operation"].(map[string]any)
		if !ok {
			continue
		}
		a.mu.Lock()
		if a.inFlight[app.GetName()] {
			a.mu.Unlock()
			continue
		}
		a.inFlight[app.GetName()] = true
		a.syncs++
		f := a.outcome
		a.mu.Unlock()
		out := SyncOutcome{}
		if f != nil {
			out = f(app)
		}
		go a.sync(ctx, app.GetName(), op, out)
	}
}

// sync runs one operation: Running at once (taking the operation off the
// resource, as Argo CD's controller does), then its end after Delay.
func (a *ArgoCD) sync(ctx context.Context, name string, op map[string]any, out SyncOutcome) {
	started := metav1.Now().UTC().Format(time.RFC3339)
	a.update(ctx, name, func(app *unstructured.Unstructured) {
		delete(app.Object, "operation")
		status := statusOf(app)
		status["operationState"] = map[string]any{"operation": op, "phase": "Running",
			"message": "one or more tasks are running", "startedAt": started}
	})
	a.mu.Lock()
	delete(a.inFlight, name)
	a.mu.Unlock()
	if out.Hang {
		return
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(out.Delay):
	}
	a.update(ctx, name, func(app *unstructured.Unstructured) { finishSync(app, op, out, started) })
}

func finishSync(app *unstructured.Unstructured, op map[string]any, out SyncOutcome, started string) {
	status := statusOf(app)
	rev := out.Revision
	if rev == "" {
		rev, _, _ = unstructured.NestedString(app.Object, "spec", "source", "targetRevision")
	}
	state := map[string]any{"operation": op, "startedAt": started,
		"finishedAt": metav1.Now().UTC().Format(time.RFC3339)}
	if out.Fail != "" {
		state["phase"], state["message"] = "Failed", out.Fail
		status["operationState"] = state
		status["sync"] = map[string]any{"status": "OutOfSync", "revision": rev}
		return
	}
	state["phase"], state["message"] = "Succeeded", "successfully synced (all tasks run)"
	state["syncResult"] = map[string]any{"revision": rev}
	status["operationState"] = state
	status["sync"] = map[string]any{"status": "Synced", "revision": rev}
	health := map[string]any{"status": "Healthy"}
	if out.Health != "" {
		health["status"] = out.Health
	}
	if out.HealthMessage != "" {
		health["message"] = out.HealthMessage
	}
	status["health"] = health
}

// SetHealth writes an Application's health as Argo CD's controller would
// after noticing a change in the cluster.
func (a *ArgoCD) SetHealth(name, health, message string) {
	a.update(context.Background(), name, func(app *unstructured.Unstructured) {
		h := map[string]any{"status": health}
		if message != "" {
			h["message"] = message
		}
		statusOf(app)["health"] = h
	})
}

func statusOf(app *unstructured.Unstructured) map[string]any {
	status, ok := app.Object["status"].(map[string]any)
	if !ok {
		status = map[string]any{}
		app.Object["status"] = status
	}
	return status
}

// update reads, changes and writes an Application, again on a conflict.
func (a *ArgoCD) update(ctx context.Context, name string, change func(*unstructured.Unstructured)) {
	apps := a.kube.Dynamic().Resource(AppGVR).Namespace(a.namespace)
	for try := 0; try < 20 && ctx.Err() == nil; try++ {
		app, err := apps.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			a.kube.t.Logf("argocd: reading %s: %v", name, err)
			return
		}
		change(app)
		if _, err = apps.Update(ctx, app, metav1.UpdateOptions{}); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CreateApp creates an Application with one git source at targetRevision,
// authorized for project:stage ("" authorizes nobody).
func (k *Kube) CreateApp(namespace, name, repoURL, targetRevision, authorized string) {
	k.t.Helper()
	meta := map[string]any{"name": name, "namespace": namespace}
	if authorized != "" {
		meta["annotations"] = map[string]any{"kargo.akuity.io/authorized-stage": authorized}
	}
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta,
		"spec": map[string]any{
			"project":     "default",
			"source":      map[string]any{"repoURL": repoURL, "targetRevision": targetRevision, "path": "."},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "default"},
		},
	}}
	if _, err := k.Dynamic().Resource(AppGVR).Namespace(namespace).Create(context.Background(), app, metav1.CreateOptions{}); err != nil {
		k.t.Fatalf("creating Application %s/%s: %v", namespace, name, err)
	}
}

// GetApp reads an Application.
func (k *Kube) GetApp(namespace, name string) *unstructured.Unstructured {
	k.t.Helper()
	app, err := k.Dynamic().Resource(AppGVR).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		k.t.Fatalf("reading Application %s/%s: %v", namespace, name, err)
	}
	return app
}
