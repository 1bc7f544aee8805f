package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// TestDashboard drives the dashboard over the seed scenario (two
// warehouses, dev → uat → prod): every page, every action's refusal and
// success over HTTP, and, in chromium, promoting config v1 into uat by
// clicking and seeing it arrive without a reload.
func TestDashboard(t *testing.T) {
	w := newSeedWorld(t)
	w.e = newEnv(t)
	w.e.project = "seed"
	c := w.dial()
	w.pushImage("1.0.0")
	cfg1 := w.commitFlags("newCheckout: false\n")
	dir := writeManifests(t, seedManifests(w.images, w.config, w.gitops, "1h"))
	w.e.must("apply", "-f", dir)
	v1 := slotsWant{"1.0.0", cfg1}
	w.await(2*time.Minute, "dev at (v1, v1)", map[string]slotsWant{"dev": v1})
	w.e.eventually(time.Minute, "uat waits for config", func() bool {
		q := w.stage("uat").Queue
		return len(q.Parked) == 1 && strings.Contains(q.Parked[0].Waiting, "waiting for config")
	})
	b := startBoard(t, w.e)
	img, cfg := w.freight("seed", "images")[0], w.configFreight(cfg1)
	var devPromotion string
	for name, p := range w.promotions() {
		if p.Stage == "dev" && p.Phase == railyard.PhaseSucceeded {
			devPromotion = name
		}
	}

	t.Run("pages", func(t *testing.T) {
		tests := []struct {
			name, path string
			status     int
			want       []string
		}{
			{"index redirects to the only project", "/", http.StatusSeeOther, nil},
			{"index lists projects", "/?all=1", 200, []string{`href="/projects/seed"`}},
			{"project", "/projects/seed", 200, []string{`id="stage-dev"`, `id="stage-uat"`, `id="stage-prod"`,
				"waiting for config", img.DisplayName(), cfg.DisplayName(), "Promote to uat", `data-poll="/projects/seed/version"`,
				"http://ui.invalid:8233/namespaces/default/workflows/seed%2Fpipeline%2Fimages",
				"http://ui.invalid:8233/namespaces/default/workflows/seed%2Fstage%2Fuat"}},
			{"live part", "/projects/seed/live", 200, []string{`id="stage-dev"`, "Freight timelines"}},
			{"image Freight", "/projects/seed/freight/" + img.ID, 200, []string{img.ID, "tag <code>1.0.0</code>",
				img.Images[0].Digest, "Promote to uat"}},
			{"config Freight by alias", "/projects/seed/freight/" + cfg.Alias, 200, []string{cfg1, "flags: newCheckout: false"}},
			{"stage", "/projects/seed/stages/dev", 200, []string{"Collections and their verification", "Successful", devPromotion,
				"http://ui.invalid:8233/namespaces/default/workflows/seed%2Fstage%2Fdev"}},
			{"promotion", "/projects/seed/promotions/" + devPromotion, 200, []string{"git-push", "Succeeded",
				"seed%2Fpromotion%2Fdev%2F" + devPromotion}},
			{"unknown project", "/projects/nope", 404, nil},
			{"unknown Freight", "/projects/seed/freight/nope", 404, nil},
			{"unknown stage", "/projects/seed/stages/nope", 404, nil},
			{"unknown promotion", "/projects/seed/promotions/dev.x.y", 404, nil},
			{"static script", "/static/app.js", 200, []string{"setInterval(poll, 1000)"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := b.get(tt.path)
				if status != tt.status {
					t.Fatalf("status %d, want %d: %.300s", status, tt.status, body)
				}
				for _, s := range tt.want {
					if !strings.Contains(body, s) {
						t.Errorf("%s lacks %q", tt.path, s)
					}
				}
			})
		}
		if _, v := b.get("/projects/seed/version"); len(v) != 16 {
			t.Errorf("version %q, want 16 hex digits", v)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		tests := []struct {
			name, action string
			form         []string
			want         string
		}{
			{"promote unavailable", "promote", []string{"warehouse", "images", "freight", img.ID, "stage", "prod"},
				"is not available to stage prod"},
			{"promote without stage", "promote", []string{"warehouse", "images", "freight", img.ID}, "stage is required"},
			{"collection from a non-upstream", "promote-collection", []string{"stage", "dev", "from", "prod"},
				"does not take Freight from stage"},
			{"collection not verified", "promote-collection", []string{"stage", "prod", "from", "uat"}, "holds no Freight"},
			{"abort unknown promotion", "abort", []string{"stage", "dev", "promotion", "nope"}, "no queued or running promotion"},
			{"abort verification not running", "verify", []string{"stage", "dev", "abort", "true"}, "has no verification running"},
			{"verify an empty stage", "verify", []string{"stage", "prod"}, "holds no Freight to verify"},
			{"refresh unknown warehouse", "refresh", []string{"warehouse", "nope"}, "not found"},
			{"approve unknown Freight", "approve", []string{"warehouse", "images", "freight", "nope", "stage", "prod"}, "nope"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ok, refused := b.post("/projects/seed/"+tt.action, form(tt.form...))
				if ok != "" || !strings.Contains(refused, tt.want) {
					t.Errorf("ok %q, refused %q; want a refusal containing %q", ok, refused, tt.want)
				}
				if strings.Contains(refused, "\n") {
					t.Errorf("refusal %q is more than one line", refused)
				}
			})
		}
	})

	clicked := false
	t.Run("browser promotes config v1 to uat", func(t *testing.T) {
		ctx, cancel := browser(t, 1400, 1000)
		defer cancel()
		clickPromote(t, ctx, w, b, cfg, "uat")
		clicked = true
	})
	if !clicked {
		if ok, refused := b.post("/projects/seed/promote", form("warehouse", "config", "freight", cfg.ID, "stage", "uat")); ok == "" {
			t.Fatalf("promote config v1 to uat: %s", refused)
		}
	}
	w.await(time.Minute, "config v1 in uat", map[string]slotsWant{"dev": v1, "uat": v1})

	t.Run("actions", func(t *testing.T) {
		var ok, refused string
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) { // prod hears of uat's verification by signal
			if ok, refused = b.post("/projects/seed/promote-collection", form("stage", "prod", "from", "uat")); ok != "" {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if !strings.Contains(ok, "the collection of uat to prod") {
			t.Fatalf("promote-collection: ok %q, refused %q", ok, refused)
		}
		w.await(time.Minute, "uat's collection in prod", map[string]slotsWant{"uat": v1, "prod": v1})
		for _, tt := range []struct{ action, want string }{
			{"refresh", "warehouse config refreshing"},
			{"verify", "verifying dev again"},
			{"approve", "approved for prod"},
		} {
			f := form("warehouse", "config", "stage", "dev", "freight", cfg.ID)
			if tt.action == "approve" {
				f = form("warehouse", "images", "stage", "prod", "freight", img.ID)
			}
			if ok, refused := b.post("/projects/seed/"+tt.action, f); !strings.Contains(ok, tt.want) {
				t.Errorf("%s: ok %q, refused %q, want %q", tt.action, ok, refused, tt.want)
			}
		}
		if _, body := b.get("/projects/seed/freight/" + img.ID); !strings.Contains(body, `approved: <span class="tag">prod</span>`) {
			t.Errorf("the image Freight's page does not show its approval for prod")
		}
		if _, body := b.get("/projects/seed"); !strings.Contains(body, "✓ verified in dev") ||
			!strings.Contains(body, "✓ verified in uat") {
			t.Errorf("the project page lacks the provenance of uat and prod")
		}
	})

	t.Run("never verified upstream", func(t *testing.T) {
		w.settle()
		cfg2 := w.stepConfigV2(c, v1)
		w.stepImageV2(c, cfg1, cfg2)
		_, body := b.get("/projects/seed")
		if !strings.Contains(body, "✗ never verified upstream (dev)") {
			t.Errorf("the project page does not mark uat's combination as never verified upstream")
		}
		if _, err := exec.LookPath("chromium"); err == nil {
			ctx, cancel := browser(t, 1400, 1000)
			defer cancel()
			if err := chromedp.Run(ctx, chromedp.Navigate(b.base+"/projects/seed"), chromedp.WaitVisible("#stage-uat")); err != nil {
				t.Fatal(err)
			}
			screenshot(t, ctx, "3-never-verified-upstream")
		}
	})

	t.Run("railyard dashboard serves the same", func(t *testing.T) {
		cli, _ := startBoardBinary(t, w.e)
		status, body := cli.get("/projects/seed")
		if status != 200 || !strings.Contains(body, `id="stage-prod"`) ||
			!strings.Contains(body, "http://127.0.0.1:8233/namespaces/default/workflows/seed%2Fpipeline%2Fconfig") {
			t.Errorf("railyard dashboard: status %d, body %.300s", status, body)
		}
	})
}

// clickPromote loads the project page, checks the slots and the waiting
// reason, opens the Freight's Promote panel and clicks "Promote to
// <stage>", then waits for the stage's node to show the Freight without a
// reload, and reports how long after the stage recorded the promotion the
// page showed it.
func clickPromote(t *testing.T, ctx context.Context, w *seedWorld, b *board, f railyard.Freight, stage string) {
	t.Helper()
	node := "#stage-" + stage
	var devText, stageText string
	err := chromedp.Run(ctx, chromedp.Navigate(b.base+"/projects/seed"), chromedp.WaitVisible(node),
		chromedp.Text("#stage-dev", &devText), chromedp.Text(node, &stageText))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"images", "config", f.DisplayName(), "Successful"} {
		if !strings.Contains(devText, want) {
			t.Errorf("dev's node lacks %q: %q", want, devText)
		}
	}
	if !strings.Contains(stageText, "waiting for config") || !strings.Contains(stageText, "empty") {
		t.Errorf("%s's node does not show its empty slots waiting for config: %q", stage, stageText)
	}
	screenshot(t, ctx, "1-before-promote")
	panel := fmt.Sprintf("#promote-%s", f.ID)
	err = chromedp.Run(ctx, chromedp.Click(panel+" > summary"),
		chromedp.Click(fmt.Sprintf(`%s button[data-stage="%s"]`, panel, stage)),
		chromedp.WaitVisible(".flash.done"))
	if err != nil {
		t.Fatalf("clicking Promote to %s: %v", stage, err)
	}
	watch := fmt.Sprintf(`window.__page = "same"; window.__seen = 0;
		new MutationObserver(() => { const n = document.querySelector(%q);
			if (!window.__seen && n && n.textContent.includes(%q)) { window.__seen = Date.now(); } })
		.observe(document.getElementById("live"), {childList: true, subtree: true}); true`, node, f.DisplayName())
	if err := chromedp.Run(ctx, chromedp.Evaluate(watch, nil)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 90*time.Second, stage+" showing "+f.DisplayName(), `window.__seen > 0`)
	var seen int64
	var same string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.__seen`, &seen), chromedp.Evaluate(`window.__page`, &same)); err != nil {
		t.Fatal(err)
	}
	if same != "same" {
		t.Fatalf("the page was reloaded")
	}
	var st workflows.StageState
	if err := w.e.query(&st, railyard.StageWorkflowID("seed", stage), workflows.QueryStatus); err != nil {
		t.Fatal(err)
	}
	latency := time.UnixMilli(seen).Sub(st.History[0].PromotedAt)
	w.figure("dashboard: %s's new collection on the page %s after the Stage recorded the promotion", stage, latency.Round(time.Millisecond))
	if latency > 2*time.Second {
		t.Errorf("the page showed the promotion %s after it was recorded, want at most 2s", latency)
	}
	waitJS(t, ctx, 30*time.Second, stage+" verified", fmt.Sprintf(`document.querySelector(%q).textContent.includes("✓ verified in dev")`, node))
	screenshot(t, ctx, "2-after-promote")
}
