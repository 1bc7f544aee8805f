package railyard

import (
	"fmt"
	"slices"
	"strings"
)

// Argo CD: the Applications a promotion updated, what Argo CD says of them,
// and the health a Stage derives from that. Pure values and decisions; the
// Kubernetes API calls live in activities/argocd.

// AnnotationAuthorizedStage is the annotation by which an Application
// consents to being updated by one Stage ("<project>:<stage>"), as in Kargo.
const AnnotationAuthorizedStage = "kargo.akuity.io/authorized-stage"

// Stage health phases, from the Applications a Stage's last promotion
// updated.
const (
	HealthHealthy     = "Healthy"
	HealthProgressing = "Progressing"
	HealthDegraded    = "Degraded"
	HealthUnknown     = "Unknown"
)

// AppRef names an Argo CD Application and the revisions its sources must be
// synced to (one per source; "" for a source without a desired revision).
// Cluster is the worker's name for the cluster ("" is the default one).
type AppRef struct {
	Cluster          string   `json:"cluster,omitempty"`
	Namespace        string   `json:"namespace"`
	Name             string   `json:"name"`
	DesiredRevisions []string `json:"desiredRevisions,omitempty"`
}

func (a AppRef) String() string {
	s := a.Namespace + "/" + a.Name
	if a.Cluster != "" {
		s = a.Cluster + ":" + s
	}
	return s
}

// AppObservation is what an Application's status says now.
type AppObservation struct {
	Found          bool     `json:"found"`
	Health         string   `json:"health,omitempty"`        // status.health.status
	HealthMessage  string   `json:"healthMessage,omitempty"` // status.health.message
	Sync           string   `json:"sync,omitempty"`          // status.sync.status
	SyncRevisions  []string `json:"syncRevisions,omitempty"` // status.sync.revision(s)
	OperationPhase string   `json:"operationPhase,omitempty"`
	OperationMsg   string   `json:"operationMessage,omitempty"`
	// Conditions are the messages of error and warning conditions.
	Conditions []string `json:"conditions,omitempty"`
}

// AppHealth is one Application's health as the Stage sees it.
type AppHealth struct {
	App     AppRef `json:"app"`
	Phase   string `json:"phase"`
	Message string `json:"message,omitempty"`
}

// StageHealth is the health of the Applications a Stage tracks.
type StageHealth struct {
	Phase   string      `json:"phase"`
	Message string      `json:"message,omitempty"`
	Apps    []AppHealth `json:"apps,omitempty"`
}

// Equal reports whether two healths say the same.
func (h StageHealth) Equal(o StageHealth) bool {
	return h.Phase == o.Phase && h.Message == o.Message && slices.EqualFunc(h.Apps, o.Apps,
		func(a, b AppHealth) bool {
			return a.Phase == b.Phase && a.Message == b.Message && a.App.String() == b.App.String()
		})
}

// operation phases Argo CD's controller writes to status.operationState.phase.
func operationDone(phase string) bool {
	return phase == "Succeeded" || phase == "Failed" || phase == "Error"
}

// EvaluateApp decides one Application's health from its status: an
// operation still running or a source not yet synced to its desired
// revision is Progressing; a failed operation, Degraded or Missing health
// is Degraded; Argo CD's own Progressing and Suspended are Progressing.
func EvaluateApp(ref AppRef, o AppObservation) AppHealth {
	h := AppHealth{App: ref}
	switch {
	case !o.Found:
		h.Phase, h.Message = HealthUnknown, fmt.Sprintf("Application %s not found", ref)
	case o.OperationPhase != "" && !operationDone(o.OperationPhase):
		h.Phase, h.Message = HealthProgressing, orDefault(o.OperationMsg, "sync operation "+strings.ToLower(o.OperationPhase))
	case o.OperationPhase == "Failed" || o.OperationPhase == "Error":
		h.Phase, h.Message = HealthDegraded, "sync "+strings.ToLower(o.OperationPhase)+": "+orDefault(o.OperationMsg, "no message")
	case o.Health == "Degraded" || o.Health == "Missing":
		h.Phase, h.Message = HealthDegraded, healthMessage(o)
	case o.Health == "Progressing" || o.Health == "Suspended":
		h.Phase, h.Message = HealthProgressing, healthMessage(o)
	case o.Health != "Healthy":
		h.Phase, h.Message = HealthUnknown, healthMessage(o)
	default:
		h.Phase, h.Message = syncedPhase(ref, o)
	}
	return h
}

// syncedPhase checks a Healthy Application's sync status against the
// desired revisions.
func syncedPhase(ref AppRef, o AppObservation) (string, string) {
	if o.Sync != "Synced" {
		return HealthProgressing, fmt.Sprintf("Healthy but %s", orDefault(o.Sync, "sync status unknown"))
	}
	for i, want := range ref.DesiredRevisions {
		if want == "" {
			continue
		}
		if i >= len(o.SyncRevisions) || o.SyncRevisions[i] != want {
			got := ""
			if i < len(o.SyncRevisions) {
				got = o.SyncRevisions[i]
			}
			return HealthProgressing, fmt.Sprintf("synced to %s, waiting for %s", orDefault(got, "no revision"), want)
		}
	}
	return HealthHealthy, "Healthy and Synced"
}

func healthMessage(o AppObservation) string {
	msg := o.Health
	if o.HealthMessage != "" {
		msg += ": " + o.HealthMessage
	}
	if len(o.Conditions) > 0 {
		msg += " (" + strings.Join(o.Conditions, "; ") + ")"
	}
	return msg
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// healthRank orders phases from best to worst.
var healthRank = map[string]int{HealthHealthy: 0, HealthProgressing: 1, HealthUnknown: 2, HealthDegraded: 3}

// CombineHealth is a Stage's health: the worst of its Applications', with
// the message of the first Application in that state.
func CombineHealth(apps []AppHealth) StageHealth {
	out := StageHealth{Phase: HealthHealthy, Apps: apps}
	if len(apps) == 0 {
		return out
	}
	worst := -1
	for i, a := range apps {
		if worst < 0 || healthRank[a.Phase] > healthRank[apps[worst].Phase] {
			worst = i
		}
	}
	out.Phase = apps[worst].Phase
	if len(apps) == 1 || out.Phase == HealthHealthy {
		out.Message = apps[worst].Message
	} else {
		out.Message = apps[worst].App.String() + ": " + apps[worst].Message
	}
	return out
}

// AuthorizeApp checks that an Application's annotations permit the stage
// of project to update it.
func AuthorizeApp(ref AppRef, annotations map[string]string, project, stage string) error {
	v, ok := annotations[AnnotationAuthorizedStage]
	if !ok {
		return fmt.Errorf("Application %s does not permit updates by stage %s of project %s: annotation %s: %s:%s is missing",
			ref, stage, project, AnnotationAuthorizedStage, project, stage)
	}
	p, s, ok := strings.Cut(v, ":")
	switch {
	case !ok:
		return fmt.Errorf("Application %s: annotation %s %q is not <project>:<stage>", ref, AnnotationAuthorizedStage, v)
	case strings.Contains(v, "*"):
		return fmt.Errorf("Application %s: annotation %s %q uses a glob, which is not accepted", ref, AnnotationAuthorizedStage, v)
	case p != project || s != stage:
		return fmt.Errorf("Application %s permits updates by stage %s of project %s only (annotation %s), not by stage %s of project %s",
			ref, s, p, AnnotationAuthorizedStage, stage, project)
	}
	return nil
}
