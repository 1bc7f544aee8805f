package railyard

import (
	"strings"
	"testing"
)

func TestEvaluateApp(t *testing.T) {
	ref := AppRef{Namespace: "argocd", Name: "web", DesiredRevisions: []string{"abc"}}
	tests := []struct {
		name      string
		ref       AppRef
		obs       AppObservation
		phase     string
		inMessage string
	}{
		{"missing", ref, AppObservation{}, HealthUnknown, "not found"},
		{"operation running", ref, AppObservation{Found: true, Health: "Healthy", Sync: "Synced", OperationPhase: "Running",
			OperationMsg: "one or more tasks are running"}, HealthProgressing, "tasks are running"},
		{"operation failed", ref, AppObservation{Found: true, Health: "Healthy", OperationPhase: "Failed",
			OperationMsg: "ComparisonError: boom"}, HealthDegraded, "sync failed: ComparisonError: boom"},
		{"degraded", ref, AppObservation{Found: true, Health: "Degraded", HealthMessage: "Deployment exceeded its progress deadline",
			Sync: "Synced", SyncRevisions: []string{"abc"}}, HealthDegraded, "progress deadline"},
		{"missing resources", ref, AppObservation{Found: true, Health: "Missing"}, HealthDegraded, "Missing"},
		{"argo progressing", ref, AppObservation{Found: true, Health: "Progressing"}, HealthProgressing, "Progressing"},
		{"suspended", ref, AppObservation{Found: true, Health: "Suspended"}, HealthProgressing, "Suspended"},
		{"health unknown", ref, AppObservation{Found: true, Health: "Unknown", Conditions: []string{"ComparisonError: x"}}, HealthUnknown, "ComparisonError"},
		{"out of sync", ref, AppObservation{Found: true, Health: "Healthy", Sync: "OutOfSync"}, HealthProgressing, "OutOfSync"},
		{"old revision", ref, AppObservation{Found: true, Health: "Healthy", Sync: "Synced", SyncRevisions: []string{"old"}},
			HealthProgressing, "synced to old, waiting for abc"},
		{"healthy at revision", ref, AppObservation{Found: true, Health: "Healthy", Sync: "Synced", SyncRevisions: []string{"abc"}},
			HealthHealthy, "Healthy and Synced"},
		{"no desired revision", AppRef{Namespace: "argocd", Name: "web", DesiredRevisions: []string{""}},
			AppObservation{Found: true, Health: "Healthy", Sync: "Synced", SyncRevisions: []string{"any"}}, HealthHealthy, ""},
		{"done operation does not hide health", ref, AppObservation{Found: true, Health: "Healthy", Sync: "Synced",
			SyncRevisions: []string{"abc"}, OperationPhase: "Succeeded"}, HealthHealthy, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := EvaluateApp(tt.ref, tt.obs)
			if h.Phase != tt.phase || !strings.Contains(h.Message, tt.inMessage) {
				t.Errorf("EvaluateApp = %s %q, want %s containing %q", h.Phase, h.Message, tt.phase, tt.inMessage)
			}
		})
	}
}

func TestCombineHealth(t *testing.T) {
	a := func(name, phase, msg string) AppHealth {
		return AppHealth{App: AppRef{Namespace: "argocd", Name: name}, Phase: phase, Message: msg}
	}
	tests := []struct {
		name    string
		apps    []AppHealth
		phase   string
		message string
	}{
		{"none", nil, HealthHealthy, ""},
		{"one", []AppHealth{a("web", HealthDegraded, "down")}, HealthDegraded, "down"},
		{"worst wins and names its app", []AppHealth{a("web", HealthHealthy, "ok"), a("api", HealthProgressing, "syncing"),
			a("db", HealthDegraded, "down")}, HealthDegraded, "argocd/db: down"},
		{"unknown beats progressing", []AppHealth{a("web", HealthProgressing, "x"), a("api", HealthUnknown, "y")}, HealthUnknown, "argocd/api: y"},
		{"all healthy", []AppHealth{a("web", HealthHealthy, "ok"), a("api", HealthHealthy, "ok")}, HealthHealthy, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := CombineHealth(tt.apps)
			if h.Phase != tt.phase || h.Message != tt.message {
				t.Errorf("CombineHealth = %s %q, want %s %q", h.Phase, h.Message, tt.phase, tt.message)
			}
			if !h.Equal(CombineHealth(tt.apps)) {
				t.Error("a health is not Equal to itself")
			}
		})
	}
}

func TestAuthorizeApp(t *testing.T) {
	ref := AppRef{Namespace: "argocd", Name: "web"}
	tests := []struct {
		name        string
		annotations map[string]string
		wantErr     string
	}{
		{"authorized", map[string]string{AnnotationAuthorizedStage: "demo:dev"}, ""},
		{"missing", nil, "annotation kargo.akuity.io/authorized-stage: demo:dev is missing"},
		{"other stage", map[string]string{AnnotationAuthorizedStage: "demo:prod"}, "permits updates by stage prod of project demo only"},
		{"other project", map[string]string{AnnotationAuthorizedStage: "other:dev"}, "project other only"},
		{"malformed", map[string]string{AnnotationAuthorizedStage: "demo"}, "is not <project>:<stage>"},
		{"glob", map[string]string{AnnotationAuthorizedStage: "demo:*"}, "glob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AuthorizeApp(ref, tt.annotations, "demo", "dev")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWorkerCapabilitiesIdentity(t *testing.T) {
	tests := []struct {
		name string
		caps WorkerCapabilities
	}{
		{"none", WorkerCapabilities{}},
		{"clusters", WorkerCapabilities{ArgoCD: []string{"default", "prod"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.caps.Identity("42@host")
			got, ok := ParseIdentity(id)
			if !ok || strings.Join(got.ArgoCD, ",") != strings.Join(tt.caps.ArgoCD, ",") {
				t.Fatalf("ParseIdentity(%q) = %+v %v, want %+v", id, got, ok, tt.caps)
			}
		})
	}
	if _, ok := ParseIdentity("42@host@"); ok {
		t.Error("an SDK default identity parsed as a Railyard worker's")
	}
}

func TestArgoCDWarning(t *testing.T) {
	tests := []struct {
		name    string
		workers []WorkerCapabilities
		want    string
	}{
		{"a worker with a cluster", []WorkerCapabilities{{}, {ArgoCD: []string{"default"}}}, ""},
		{"workers without", []WorkerCapabilities{{}}, "no worker has a Kubernetes cluster"},
		{"no worker", nil, "no Railyard worker polls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ArgoCDWarning("demo", tt.workers)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("ArgoCDWarning = %q, want %q", got, tt.want)
			}
		})
	}
}
