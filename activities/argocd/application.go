package argocd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/railyard/railyard"
)

// Argo CD's annotation asking its controller to refresh an Application.
const annotationRefresh = "argocd.argoproj.io/refresh"

// InfoPromotion is the operation info entry naming the promotion that
// requested a sync, by which a later run of the step recognises its own
// operation.
const InfoPromotion = "Railyard promotion"

// Get reads an Application; a missing one is (nil, nil).
func (c *Cluster) Get(ctx context.Context, namespace, name string) (*unstructured.Unstructured, error) {
	app, err := c.Client.Resource(ApplicationsGVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading Application %s/%s: %w", namespace, name, err)
	}
	return app, nil
}

// SyncRequest is what argocd-update writes to an Application: its new
// sources and a sync operation.
type SyncRequest struct {
	Sources   []map[string]any // the whole spec.sources (or spec.source when Multi is false)
	Multi     bool
	Operation map[string]any
}

// RequestSync patches the Application's sources, asks Argo CD for a hard
// refresh and sets the sync operation, clearing the previous operation
// state (Argo CD's API server does that when it starts an operation; we
// write the resource directly). The patch carries the resourceVersion that
// was read, so a concurrent change makes it fail with a conflict and the
// step runs again.
func (c *Cluster) RequestSync(ctx context.Context, app *unstructured.Unstructured, req SyncRequest) error {
	spec := map[string]any{}
	if req.Multi {
		spec["sources"] = req.Sources
	} else {
		spec["source"] = req.Sources[0]
	}
	patch := map[string]any{
		"metadata": map[string]any{
			"resourceVersion": app.GetResourceVersion(),
			"annotations":     map[string]any{annotationRefresh: "hard"},
		},
		"spec":      spec,
		"operation": req.Operation,
	}
	if _, ok := app.Object["status"]; ok {
		patch["status"] = map[string]any{"operationState": nil}
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	_, err = c.Client.Resource(ApplicationsGVR).Namespace(app.GetNamespace()).
		Patch(ctx, app.GetName(), types.MergePatchType, body, metav1.PatchOptions{FieldManager: "railyard"})
	if err != nil {
		return fmt.Errorf("patching Application %s/%s: %w", app.GetNamespace(), app.GetName(), err)
	}
	return nil
}

// Observe reads what an Application's status says.
func Observe(app *unstructured.Unstructured) railyard.AppObservation {
	if app == nil {
		return railyard.AppObservation{}
	}
	o := railyard.AppObservation{Found: true}
	o.Health, _, _ = unstructured.NestedString(app.Object, "status", "health", "status")
	o.HealthMessage, _, _ = unstructured.NestedString(app.Object, "status", "health", "message")
	o.Sync, _, _ = unstructured.NestedString(app.Object, "status", "sync", "status")
	if revs, ok, _ := unstructured.NestedStringSlice(app.Object, "status", "sync", "revisions"); ok && len(revs) > 0 {
		o.SyncRevisions = revs
	} else if rev, _, _ := unstructured.NestedString(app.Object, "status", "sync", "revision"); rev != "" {
		o.SyncRevisions = []string{rev}
	}
	o.OperationPhase, _, _ = unstructured.NestedString(app.Object, "status", "operationState", "phase")
	o.OperationMsg, _, _ = unstructured.NestedString(app.Object, "status", "operationState", "message")
	conds, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
	for _, raw := range conds {
		m, _ := raw.(map[string]any)
		typ, _ := m["type"].(string)
		msg, _ := m["message"].(string)
		if msg != "" && (strings.HasSuffix(typ, "Error") || strings.HasSuffix(typ, "Warning")) {
			o.Conditions = append(o.Conditions, typ+": "+msg)
		}
	}
	return o
}

// Operation is an Application's current operation and its state, as the
// step needs them to recognise its own sync.
type Operation struct {
	Promotion string   // our info entry; "" for an operation someone else started
	Initiator string   // operation.initiatedBy.username
	Phase     string   // status.operationState.phase ("" when none)
	Message   string   // status.operationState.message
	Synced    []string // status.operationState.syncResult.revision(s)
	HasResult bool
	// Requested is set while an operation waits on the resource for Argo
	// CD's controller to start it: the promotion that requested it, or
	// "(other)" for someone else's.
	Requested string
}

// CurrentOperation reads status.operationState (and the operation it
// describes).
func CurrentOperation(app *unstructured.Unstructured) Operation {
	var op Operation
	op.Phase, _, _ = unstructured.NestedString(app.Object, "status", "operationState", "phase")
	op.Message, _, _ = unstructured.NestedString(app.Object, "status", "operationState", "message")
	op.Initiator, _, _ = unstructured.NestedString(app.Object, "status", "operationState", "operation", "initiatedBy", "username")
	infos, _, _ := unstructured.NestedSlice(app.Object, "status", "operationState", "operation", "info")
	for _, raw := range infos {
		m, _ := raw.(map[string]any)
		if m["name"] == InfoPromotion {
			op.Promotion, _ = m["value"].(string)
		}
	}
	if _, ok := app.Object["operation"].(map[string]any); ok {
		op.Requested = "(other)"
		pending, _, _ := unstructured.NestedSlice(app.Object, "operation", "info")
		for _, raw := range pending {
			if m, _ := raw.(map[string]any); m["name"] == InfoPromotion {
				op.Requested, _ = m["value"].(string)
			}
		}
	}
	res, ok, _ := unstructured.NestedMap(app.Object, "status", "operationState", "syncResult")
	if ok {
		op.HasResult = true
		if revs, ok, _ := unstructured.NestedStringSlice(res, "revisions"); ok && len(revs) > 0 {
			op.Synced = revs
		} else if rev, _, _ := unstructured.NestedString(res, "revision"); rev != "" {
			op.Synced = []string{rev}
		}
	}
	return op
}

// Done reports whether the operation has ended (or there is none).
func (op Operation) Done() bool {
	return op.Phase == "" || op.Phase == "Succeeded" || op.Phase == "Failed" || op.Phase == "Error"
}
