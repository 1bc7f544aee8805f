package steps

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
)

func TestApplySourceUpdates(t *testing.T) {
	git := map[string]any{"repoURL": "https://git.example.com/GitOps.git", "targetRevision": "stage/dev", "path": "dev"}
	chart := map[string]any{"repoURL": "https://charts.example.com", "chart": "web", "targetRevision": "1.0.0",
		"helm": map[string]any{"parameters": []any{map[string]any{"name": "image.tag", "value": "1.0"}}}}
	tests := []struct {
		name    string
		updates string
		want    string // JSON of the updated sources
		wantErr string
	}{
		{"desired revision alone changes nothing", `[{"repoURL":"https://git.example.com/gitops","desiredRevision":"abc"}]`,
			`[{"path":"dev","repoURL":"https://git.example.com/GitOps.git","targetRevision":"stage/dev"},{"chart":"web","helm":{"parameters":[{"name":"image.tag","value":"1.0"}]},"repoURL":"https://charts.example.com","targetRevision":"1.0.0"}]`, ""},
		{"chart target revision", `[{"repoURL":"https://charts.example.com","chart":"web","desiredRevision":"1.2.0","updateTargetRevision":true}]`,
			`[{"path":"dev","repoURL":"https://git.example.com/GitOps.git","targetRevision":"stage/dev"},{"chart":"web","helm":{"parameters":[{"name":"image.tag","value":"1.0"}]},"repoURL":"https://charts.example.com","targetRevision":"1.2.0"}]`, ""},
		{"kustomize images", `[{"repoURL":"https://git.example.com/GitOps.git","kustomize":{"images":[{"repoURL":"reg/app","tag":"1.1"},{"repoURL":"reg/db","newName":"mirror/db","digest":"sha256:00"}]}}]`,
			`[{"kustomize":{"images":["reg/app:1.1","reg/db=mirror/db@sha256:00"]},"path":"dev","repoURL":"https://git.example.com/GitOps.git","targetRevision":"stage/dev"},{"chart":"web","helm":{"parameters":[{"name":"image.tag","value":"1.0"}]},"repoURL":"https://charts.example.com","targetRevision":"1.0.0"}]`, ""},
		{"helm images replace and add", `[{"repoURL":"https://charts.example.com","chart":"web","helm":{"images":[{"key":"image.tag","value":"2.0"},{"key":"image.repo","value":"reg/app"}]}}]`,
			`[{"path":"dev","repoURL":"https://git.example.com/GitOps.git","targetRevision":"stage/dev"},{"chart":"web","helm":{"parameters":[{"name":"image.tag","value":"2.0"},{"name":"image.repo","value":"reg/app"}]},"repoURL":"https://charts.example.com","targetRevision":"1.0.0"}]`, ""},
		{"chart must match exactly", `[{"repoURL":"https://charts.example.com","chart":"api"}]`, "", "no source with repoURL https://charts.example.com and chart api"},
		{"unmatched git", `[{"repoURL":"https://git.example.com/other"}]`, "", "no source with repoURL https://git.example.com/other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var updates []argoCDSourceUpdate
			if err := json.Unmarshal([]byte(tt.updates), &updates); err != nil {
				t.Fatal(err)
			}
			sources := []map[string]any{deepCopyMap(git), deepCopyMap(chart)}
			got, err := applySourceUpdates("argocd/web", updates, sources)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Errorf("sources =\n%s\nwant\n%s", b, tt.want)
			}
			if before, _ := json.Marshal([]map[string]any{git, chart}); string(before) != mustJSON(t, sources) {
				t.Error("the Application's own sources were changed in place")
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDesiredRevisions(t *testing.T) {
	sources := []map[string]any{{"repoURL": "https://git.example.com/a.git"}, {"repoURL": "https://charts.example.com", "chart": "web"}}
	updates := []argoCDSourceUpdate{{RepoURL: "https://charts.example.com", Chart: "web", DesiredRevision: "1.2.0"}}
	got := desiredRevisions(updates, sources)
	if strings.Join(got, ",") != ",1.2.0" {
		t.Errorf("desiredRevisions = %q", got)
	}
}

func TestDecideSync(t *testing.T) {
	tests := []struct {
		name   string
		op     argocd.Operation
		want   syncAction
		inMsg  string
		wanted []string
	}{
		{"no operation", argocd.Operation{}, actionRequest, "", nil},
		{"ours requested, not started", argocd.Operation{Requested: "dev.2"}, actionWait, "waiting for Argo CD to start it", nil},
		{"someone's requested over a finished one", argocd.Operation{Requested: "(other)", Phase: "Succeeded", Promotion: "dev.2"},
			actionWait, "requested by someone else", nil},
		{"someone else's running", argocd.Operation{Phase: "Running", Initiator: "admin"}, actionWait, "started by admin", nil},
		{"someone else's done", argocd.Operation{Phase: "Succeeded", Initiator: "admin", HasResult: true}, actionRequest, "", nil},
		{"an earlier promotion's running", argocd.Operation{Phase: "Running", Promotion: "dev.1"}, actionWait, "dev.1", nil},
		{"ours running", argocd.Operation{Phase: "Running", Promotion: "dev.2", Message: "tasks running"}, actionWait, "sync running: tasks running", nil},
		{"ours failed", argocd.Operation{Phase: "Failed", Promotion: "dev.2", Message: "one or more objects failed to apply"},
			actionFailed, "sync failed: one or more objects failed to apply", nil},
		{"ours without result", argocd.Operation{Phase: "Succeeded", Promotion: "dev.2"}, actionRequest, "", nil},
		{"ours at another revision", argocd.Operation{Phase: "Succeeded", Promotion: "dev.2", HasResult: true, Synced: []string{"old"}},
			actionRequest, "", []string{"abc"}},
		{"ours done", argocd.Operation{Phase: "Succeeded", Promotion: "dev.2", HasResult: true, Synced: []string{"abc"}},
			actionDone, "", []string{"abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := decideSync(tt.op, "dev.2", tt.wanted)
			if got != tt.want || !strings.Contains(msg, tt.inMsg) {
				t.Errorf("decideSync = %d %q, want %d containing %q", got, msg, tt.want, tt.inMsg)
			}
		})
	}
}

func TestArgoCDWaitUnmet(t *testing.T) {
	healthy := railyard.AppObservation{Found: true, Health: "Healthy", Sync: "Synced"}
	tests := []struct {
		name  string
		obs   railyard.AppObservation
		conds []string
		want  string
	}{
		{"ready", healthy, waitConditions(nil), ""},
		{"missing", railyard.AppObservation{}, waitConditions(nil), "not found"},
		{"degraded with message", railyard.AppObservation{Found: true, Health: "Degraded", HealthMessage: "crash loop", Sync: "Synced"},
			waitConditions(nil), "health Degraded: crash loop"},
		{"degraded accepted", railyard.AppObservation{Found: true, Health: "Degraded", Sync: "Synced"}, []string{"health", "degraded"}, ""},
		{"out of sync and running", railyard.AppObservation{Found: true, Health: "Healthy", Sync: "OutOfSync", OperationPhase: "Running"},
			waitConditions(nil), "sync status OutOfSync, operation running"},
		{"sync only", railyard.AppObservation{Found: true, Health: "Progressing", Sync: "Synced"}, []string{"sync"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unmet(tt.obs, tt.conds); got != tt.want {
				t.Errorf("unmet = %q, want %q", got, tt.want)
			}
		})
	}
}
