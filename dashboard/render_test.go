package dashboard

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// fakeSnapshot is the seed's shape (two warehouses, dev → uat → prod) with
// hostile text in a commit message and an alias.
func fakeSnapshot(now time.Time) *snapshot {
	req := func(wh string, stages ...string) railyard.FreightRequest {
		return railyard.FreightRequest{Origin: railyard.WarehouseOrigin(wh),
			Sources: railyard.FreightSources{Direct: len(stages) == 0, Stages: stages}}
	}
	stage := func(name string, up ...string) railyard.Stage {
		return railyard.Stage{Name: name, Spec: railyard.StageSpec{RequestedFreight: []railyard.FreightRequest{
			req("images", up...), req("config", up...)}}}
	}
	img := railyard.Freight{ID: strings.Repeat("a", 40), Alias: "<b>bold</b>", Origin: railyard.WarehouseOrigin("images"),
		Images: []railyard.Image{{RepoURL: "reg/app", Tag: "2.0.0", Digest: "sha256:ab"}}, DiscoveredAt: now.Add(-time.Minute)}
	img.Status.EnterStage("dev", now)
	img.Status.Verify("dev", now)
	cfg := railyard.Freight{ID: strings.Repeat("c", 40), Alias: "calm-fox", Origin: railyard.WarehouseOrigin("config"),
		Commits: []railyard.GitCommit{{RepoURL: "https://git/config.git", ID: strings.Repeat("1", 40),
			Message: `<script>alert("x")</script>`}}, DiscoveredAt: now.Add(-time.Hour)}
	coll := railyard.NewCollection(img.Ref(), cfg.Ref())
	snap := &snapshot{Project: "seed", Version: "v1",
		Resources: railyard.Resources{Project: "seed",
			Warehouses: []railyard.Warehouse{{Name: "images"}, {Name: "config"}},
			Stages:     []railyard.Stage{stage("prod", "uat"), stage("dev"), stage("uat", "dev")}},
		Stages: map[string]workflows.StageState{
			"dev": {History: []workflows.CollectionRecord{{Collection: coll, Promotion: "dev.1.aaaaaaa", PromotedAt: now,
				Verification: workflows.VerificationRecord{Phase: railyard.AnalysisSuccessful}}}},
			"uat": {History: []workflows.CollectionRecord{{Collection: coll, Provenance: "combination never verified upstream (dev)",
				Verification: workflows.VerificationRecord{Phase: railyard.AnalysisRunning}}},
				Queue: railyard.StageQueue{Parked: []railyard.PromotionRequest{{Targets: []railyard.FreightRef{img.Ref()}, Auto: true, Waiting: "waiting for config"}}}},
		},
		Freight: map[string][]railyard.Freight{"images": {img}, "config": {cfg}},
	}
	snap.Stages["prod"] = workflows.StageState{Current: &workflows.PromotionRecord{Name: "prod.1.aaaaaaa",
		WorkflowID: "seed/promotion/prod.1.aaaaaaa", Phase: railyard.PhaseRunning, StartedAt: now,
		Message: "waiting for PR #12 (http://forge/pulls/12) to be merged; aborting the promotion leaves it open"}}
	return snap
}

func TestProjectPageRenders(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := New(Options{UIURL: "http://ui:8233", Namespace: "default"})
	s.now = func() time.Time { return now }
	v := s.projectView(fakeSnapshot(now))
	for _, name := range []string{"project", "live"} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.render(rec, httptest.NewRequest("GET", "/projects/seed?error=%3Ci%3Eno%3C/i%3E", nil), name, 200,
				page{Title: "seed", Project: "seed", Data: v})
			body := rec.Body.String()
			for _, want := range []string{
				`id="stage-dev"`, `id="stage-prod"`, "combination never verified upstream (dev)", "waiting for config",
				"&lt;b&gt;bold&lt;/b&gt;", "Promote to uat", "calm-fox", "✗ never verified upstream (dev)",
				"http://ui:8233/namespaces/default/workflows/seed%2Fstage%2Fprod",
				"▶ <a href=\"/projects/seed/promotions/prod.1.aaaaaaa\">", "waiting for PR #12 (http://forge/pulls/12) to be merged",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, bad := range []string{"<b>bold</b>", "<script>alert", "<i>no</i>"} {
				if strings.Contains(body, bad) {
					t.Errorf("page contains unescaped %q", bad)
				}
			}
		})
	}
}

func TestUnavailableReason(t *testing.T) {
	now := time.Now()
	var verified railyard.FreightStatus
	verified.EnterStage("dev", now.Add(-time.Minute))
	verified.Verify("dev", now.Add(-time.Minute))
	soak := railyard.FreightRequest{Sources: railyard.FreightSources{Stages: []string{"dev"}, RequiredSoakTime: "1h"}}
	tests := []struct {
		name   string
		status railyard.FreightStatus
		req    railyard.FreightRequest
		want   string
	}{
		{"not verified", railyard.FreightStatus{}, railyard.FreightRequest{Sources: railyard.FreightSources{Stages: []string{"dev"}}}, "not verified in dev"},
		{"two upstreams, one of", railyard.FreightStatus{}, railyard.FreightRequest{Sources: railyard.FreightSources{Stages: []string{"a", "b"}}}, "not verified in a or not verified in b"},
		{"soaking", verified, soak, "soaking in dev (needs 1h0m0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unavailable(tt.status, tt.req, now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCrossSiteFormRefused: a form posted from another site never reaches
// an action (it would otherwise need the Temporal client).
func TestCrossSiteFormRefused(t *testing.T) {
	h := New(Options{}).Handler()
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, 403},
		{"same origin without a stage", map[string]string{"Sec-Fetch-Site": "same-origin"}, 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/projects/seed/promote", strings.NewReader("warehouse=w"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

func TestStagePageShowsWhatTheRunningStepWaitsFor(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := New(Options{UIURL: "http://ui:8233", Namespace: "default"})
	snap := fakeSnapshot(now)
	st, _ := snap.Resources.Stage("prod")
	rec := httptest.NewRecorder()
	s.render(rec, httptest.NewRequest("GET", "/projects/seed/stages/prod", nil), "stage", 200,
		page{Title: "Stage prod", Project: "seed", Data: stagePage{View: s.stageView(snap, st, now), State: snap.Stages["prod"]}})
	body := rec.Body.String()
	for _, want := range []string{`running <a href="/projects/seed/promotions/prod.1.aaaaaaa">`,
		`<span class="waiting">waiting for PR #12 (http://forge/pulls/12) to be merged`} {
		if !strings.Contains(body, want) {
			t.Errorf("stage page lacks %q", want)
		}
	}
}
