package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
)

// ArgoCDUpdate is the `argocd-update` step: for each Application it checks
// the authorization annotation, rewrites the matching sources (target
// revision, Kustomize images, Helm parameters), asks Argo CD for a hard
// refresh and a sync operation, and returns Running until Argo CD's
// controller reports that operation ended. Polls are durable timers in the
// Promotion workflow; no activity waits. A run after a lost worker finds
// its own operation by the promotion's name and does not request another.
// On success it registers the Applications for the Stage's health.
type ArgoCDUpdate struct{ Clusters *argocd.Clusters }

// Name implements Runner.
func (ArgoCDUpdate) Name() string { return "argocd-update" }

// DefaultTimeout is Kargo's default for argocd-update without retry.timeout.
func (ArgoCDUpdate) DefaultTimeout() time.Duration { return 5 * time.Minute }

// Run implements Runner.
func (a ArgoCDUpdate) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c argoCDUpdateConfig
	if err := DecodeConfig("argocd-update", raw, &c); err != nil {
		return Result{}, err
	}
	if err := c.validate(); err != nil {
		return Result{}, Terminal(err)
	}
	cl, err := a.Clusters.For(sc.Project)
	if err != nil {
		return Result{}, Terminal(err)
	}
	var refs []railyard.AppRef
	var waiting []string
	for _, u := range c.Apps {
		ref := a.Clusters.Ref(sc.Project, u.Namespace, u.Name)
		action, msg, desired, err := a.update(ctx, sc, cl, ref, u)
		if err != nil {
			return Result{}, err
		}
		ref.DesiredRevisions = desired
		refs = append(refs, ref)
		switch action {
		case actionFailed:
			return Result{Status: StatusFailed, Message: fmt.Sprintf("Application %s: %s", ref, msg)}, nil
		case actionRequest:
			waiting = append(waiting, fmt.Sprintf("%s: sync requested", ref))
		case actionWait:
			waiting = append(waiting, fmt.Sprintf("%s: %s", ref, msg))
		}
	}
	if len(waiting) > 0 {
		return Result{Status: StatusRunning, RetryAfter: argoPoll(sc.StartedAt),
			Message: "waiting for Argo CD: " + strings.Join(waiting, "; ")}, nil
	}
	return Result{Status: StatusSucceeded, Message: fmt.Sprintf("%d Application(s) synced", len(refs)), HealthChecks: refs}, nil
}

func (c argoCDUpdateConfig) validate() error {
	if len(c.Apps) == 0 {
		return errors.New("argocd-update config: apps: at least one Application is required")
	}
	for i, u := range c.Apps {
		switch {
		case u.Selector != nil:
			return fmt.Errorf("argocd-update config: apps[%d].selector: selecting Applications by label is %w", i, railyard.ErrNotSupported)
		case u.Name == "":
			return fmt.Errorf("argocd-update config: apps[%d].name is required", i)
		}
		for j, s := range u.Sources {
			if s.UpdateTargetRevision && s.DesiredRevision == "" {
				return fmt.Errorf("argocd-update config: apps[%d].sources[%d]: updateTargetRevision needs desiredRevision", i, j)
			}
		}
	}
	return nil
}

// update handles one Application: read, authorize, decide, and request a
// sync when needed. It returns the desired revision of each source.
func (a ArgoCDUpdate) update(ctx context.Context, sc *Context, cl *argocd.Cluster, ref railyard.AppRef, u argoCDAppUpdate) (syncAction, string, []string, error) {
	app, err := cl.Get(ctx, ref.Namespace, ref.Name)
	if err != nil {
		return 0, "", nil, err
	}
	if app == nil {
		return 0, "", nil, Terminal(fmt.Errorf("Application %s not found", ref))
	}
	if err := railyard.AuthorizeApp(ref, app.GetAnnotations(), sc.Project, sc.Stage); err != nil {
		return 0, "", nil, Terminal(err)
	}
	sources, multi, err := appSources(app)
	if err != nil {
		return 0, "", nil, Terminal(fmt.Errorf("Application %s: %w", ref, err))
	}
	desired := desiredRevisions(u.Sources, sources)
	action, msg := decideSync(argocd.CurrentOperation(app), sc.Promotion, desired)
	if action != actionRequest {
		return action, msg, desired, nil
	}
	updated, err := applySourceUpdates(ref.String(), u.Sources, sources)
	if err != nil {
		return 0, "", nil, Terminal(err)
	}
	req := argocd.SyncRequest{Sources: updated, Multi: multi, Operation: syncOperation(app, sc)}
	if err := cl.RequestSync(ctx, app, req); err != nil {
		if apierrors.IsConflict(err) {
			return actionWait, "the Application changed while it was updated; trying again", desired, nil
		}
		return 0, "", nil, err
	}
	return actionRequest, "", desired, nil
}

// appSources returns spec.sources, or spec.source as a list of one.
func appSources(app *unstructured.Unstructured) ([]map[string]any, bool, error) {
	if list, ok, _ := unstructured.NestedSlice(app.Object, "spec", "sources"); ok && len(list) > 0 {
		out := make([]map[string]any, 0, len(list))
		for _, s := range list {
			m, ok := s.(map[string]any)
			if !ok {
				return nil, false, errors.New("spec.sources holds a non-object")
			}
			out = append(out, m)
		}
		return out, true, nil
	}
	if src, ok, _ := unstructured.NestedMap(app.Object, "spec", "source"); ok {
		return []map[string]any{src}, false, nil
	}
	return nil, false, errors.New("spec has neither source nor sources")
}

// syncOperation is the operation Argo CD's controller runs: initiated by
// the promotion's actor (automated when nobody asked), with the
// Application's own sync options and retry policy, and an info entry
// naming the promotion.
func syncOperation(app *unstructured.Unstructured, sc *Context) map[string]any {
	user, automated := "railyard", true
	if sc.Actor != "" {
		user, automated = sc.Actor, false
	}
	sync := map[string]any{}
	if opts, ok, _ := unstructured.NestedSlice(app.Object, "spec", "syncPolicy", "syncOptions"); ok {
		sync["syncOptions"] = opts
	}
	op := map[string]any{
		"initiatedBy": map[string]any{"username": user, "automated": automated},
		"info": []any{
			map[string]any{"name": "Reason", "value": fmt.Sprintf("Promotion %s of stage %s requested a sync", sc.Promotion, sc.Stage)},
			map[string]any{"name": argocd.InfoPromotion, "value": sc.Promotion},
		},
		"sync": sync,
	}
	if retry, ok, _ := unstructured.NestedMap(app.Object, "spec", "syncPolicy", "retry"); ok {
		op["retry"] = retry
	}
	return op
}

// argoPoll is how long to wait before looking at Applications again:
// every 2 s for the first minute, as a sync usually ends by then, then
// every 15 s.
func argoPoll(started time.Time) time.Duration {
	if started.IsZero() || time.Since(started) < time.Minute {
		return 2 * time.Second
	}
	return 15 * time.Second
}
