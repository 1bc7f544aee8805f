package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
)

// TestSeed plays the seed's scenario (Kargo #1680, "Multiple pipelines"):
// images race through dev -> uat -> prod while feature flags move slowly
// through the same stages, and uat ends up at (image v2, config v1), a
// combination never verified upstream, which Railyard reports and which
// prod then takes as a whole in one promotion.
func TestSeed(t *testing.T) {
	start := time.Now()
	w := newSeedWorld(t)
	w.e = newEnv(t)
	w.e.project = "seed"
	c := w.dial()

	w.pushImage("1.0.0")
	cfg1 := w.commitFlags("newCheckout: false\n")
	dir := writeManifests(t, seedManifests(w.images, w.config, w.gitops, "1h"))
	w.e.must("validate", "-f", dir)
	w.e.must("apply", "-f", dir)
	applied := time.Now()

	v1 := slotsWant{"1.0.0", cfg1}
	w.stepAllAtV1(c, v1)
	w.stepIgnoredPath(v1)
	cfg2 := w.stepConfigV2(c, v1)
	w.stepImageV2(c, cfg1, cfg2)
	w.stepWholeCollection(c, slotsWant{"2.0.0", cfg1}, slotsWant{"2.0.0", cfg2})
	w.figure("scenario steps 1-5 (apply to prod at (v2, v1)): %s", time.Since(applied).Round(time.Millisecond))

	t.Run("temporal CLI promotes config v2 to uat", func(t *testing.T) {
		w.stepTemporalSignal(t, slotsWant{"2.0.0", cfg2}, slotsWant{"2.0.0", cfg1})
	})
	t.Run("polling every 10s", func(t *testing.T) { w.measurePolling(t) })
	w.figure("TestSeed total (servers, scenario, polling): %s", time.Since(start).Round(time.Millisecond))
}

// stepAllAtV1 is step 1: dev's two origins fill together in one
// promotion; uat's auto-promotion of image v1 needs the config slot, which
// uat does not auto-promote, so it waits for config (its promotion fails,
// naming the slot) until a manual promote of config v1 brings both in one
// promotion; prod takes uat's whole collection.
func (w *seedWorld) stepAllAtV1(c client.Client, v1 slotsWant) {
	w.t.Helper()
	w.await(2*time.Minute, "step 1: dev auto-promoted to (v1, v1)", map[string]slotsWant{"dev": v1})
	if n := w.commits("stage/dev"); n != 1 {
		w.t.Errorf("step 1: dev's first fill made %d commits, want 1 (both origins in one promotion)", n)
	}
	w.e.eventually(time.Minute, "step 1: uat waits for config", func() bool {
		q := w.stage("uat").Queue
		return len(q.Parked) == 1 && strings.Contains(q.Parked[0].Waiting, "waiting for config")
	})
	w.wantFailedPromotion("uat", "config")
	if st := w.stage("prod"); len(st.History) != 0 || w.commits("stage/prod") != 0 {
		w.t.Fatalf("step 1: prod was promoted without being asked: %+v", st.History)
	}

	m := w.mark(c)
	w.retry("promote", "--project", "seed", "--stage", "uat", "--freight", w.configFreight(v1.Config).Alias)
	w.await(time.Minute, "step 1: config v1 promoted to uat, with image v1", map[string]slotsWant{"dev": v1, "uat": v1})
	if n := w.commits("stage/uat"); n != 1 {
		w.t.Errorf("step 1: uat has %d commits, want 1", n)
	}
	w.settle()
	w.reportEvents(c, "1b config v1 -> uat (manual)", m)

	m = w.mark(c)
	w.retry("promote", "--project", "seed", "--stage", "prod", "--from-stage", "uat")
	w.await(time.Minute, "step 1: uat's collection promoted to prod",
		map[string]slotsWant{"dev": v1, "uat": v1, "prod": v1})
	w.settle()
	w.reportEvents(c, "1c uat -> prod (collection)", m)
	if n := w.commits("stage/prod"); n != 1 {
		w.t.Fatalf("step 1: stage/prod has %d commits, want 1", n)
	}
	w.wantProvenance("prod", []string{"uat"})
	w.wantProvenance("uat", []string{"dev"})
}

// stepIgnoredPath commits outside feature-flags/: the config Warehouse
// discovers it and mints nothing.
func (w *seedWorld) stepIgnoredPath(v1 slotsWant) {
	w.t.Helper()
	cycles := w.pipeline("config").Discovery.Cycles
	w.git.Commit(w.t, "config", "main", map[string]string{"README.md": "not a feature flag\n"}, "docs only")
	w.e.must("refresh", "warehouse", "config", "--project", "seed")
	w.e.eventually(time.Minute, "a config discovery cycle after the refresh", func() bool {
		return w.pipeline("config").Discovery.Cycles > cycles
	})
	st := w.pipeline("config")
	if fs := w.freight("seed", "config"); len(fs) != 1 || st.Discovery.Error != "" {
		w.t.Fatalf("a commit outside feature-flags/ minted config Freight: %d Freight, discovery %+v", len(fs), st.Discovery)
	}
	w.settle()
	w.await(time.Second, "after a commit outside feature-flags/",
		map[string]slotsWant{"dev": v1, "uat": v1, "prod": v1})
}

// stepConfigV2 is step 2: config v2 reaches dev only.
func (w *seedWorld) stepConfigV2(c client.Client, v1 slotsWant) string {
	w.t.Helper()
	m := w.mark(c)
	heads := w.heads()
	cfg2 := w.commitFlags("newCheckout: true\n")
	w.e.must("refresh", "warehouse", "config", "--project", "seed")
	w.await(time.Minute, "step 2: dev at (v1, v2)", map[string]slotsWant{"dev": {v1.Image, cfg2}})
	w.settle()
	w.await(time.Second, "step 2: uat and prod unchanged", map[string]slotsWant{"uat": v1, "prod": v1})
	w.unchanged(heads, "uat", "prod")
	w.reportEvents(c, "2 config v2 -> dev (auto)", m)
	return cfg2
}

// stepImageV2 is steps 3 and 4: image v2 reaches dev, then uat by
// auto-promotion while uat's config stays at v1.
func (w *seedWorld) stepImageV2(c client.Client, cfg1, cfg2 string) {
	w.t.Helper()
	m := w.mark(c)
	heads := w.heads()
	pushed := time.Now()
	w.pushImage("2.0.0")
	w.e.must("refresh", "warehouse", "images", "--project", "seed")
	minted, inDev := w.timeToDev("seed", "2.0.0", pushed)
	w.figure("image tag -> Freight (refresh-driven): minted %s, in dev %s", minted, inDev)

	w.await(time.Minute, "step 3: dev at (v2, v2)", map[string]slotsWant{"dev": {"2.0.0", cfg2}})
	w.await(time.Minute, "step 4: uat at (v2, v1) by auto-promotion of images",
		map[string]slotsWant{"dev": {"2.0.0", cfg2}, "uat": {"2.0.0", cfg1}, "prod": {"1.0.0", cfg1}})
	w.settle()
	w.unchanged(heads, "prod")
	w.reportEvents(c, "3+4 image v2 -> dev, uat (auto)", m)
	w.wantNeverVerified("uat")
}

// stepWholeCollection is step 5: uat's whole collection (v2, v1) goes to
// prod in one promotion, one commit.
func (w *seedWorld) stepWholeCollection(c client.Client, uat, dev slotsWant) {
	w.t.Helper()
	m := w.mark(c)
	heads := w.heads()
	commits := w.commits("stage/prod")
	w.retry("promote", "--project", "seed", "--stage", "prod", "--from-stage", "uat")
	w.await(time.Minute, "step 5: prod at (v2, v1)", map[string]slotsWant{"dev": dev, "uat": uat, "prod": uat})
	w.settle()
	w.unchanged(heads, "dev", "uat")
	if n := w.commits("stage/prod"); n != commits+1 {
		w.t.Fatalf("step 5: stage/prod went from %d to %d commits, want one more", commits, n)
	}
	var all []string
	for _, s := range seedStages {
		for _, p := range w.newPromotions(m, s) {
			all = append(all, p.Stage+":"+p.Name)
		}
	}
	prod := w.newPromotions(m, "prod")
	if len(all) != 1 || len(prod) != 1 || len(prod[0].Freight) != 2 {
		w.t.Fatalf("step 5: new promotions %v, want one promotion of prod carrying both Freight (%+v)", all, prod)
	}
	if head := w.git.Log(w.t, "gitops", "stage/prod")[0]; !strings.Contains(head, prod[0].Name) {
		w.t.Fatalf("step 5: stage/prod head %q is not promotion %s's commit", head, prod[0].Name)
	}
	w.reportEvents(c, "5 uat -> prod (collection)", m)
	w.figure("history of the whole-collection Promotion workflow %s: %d events",
		prod[0].Name, w.historyLength(c, prod[0].WorkflowID))
	w.wantProvenance("prod", []string{"uat"})
}

// heads records the commit counts of the stage branches.
func (w *seedWorld) heads() map[string]int {
	out := map[string]int{}
	for _, s := range seedStages {
		out[s] = w.commits("stage/" + s)
	}
	return out
}

// unchanged fails when a stage branch got commits since heads.
func (w *seedWorld) unchanged(heads map[string]int, stages ...string) {
	w.t.Helper()
	for _, s := range stages {
		if n := w.commits("stage/" + s); n != heads[s] {
			w.t.Fatalf("stage/%s went from %d to %d commits; it must not move", s, heads[s], n)
		}
	}
}

// wantProvenance checks where the stage's current combination was verified.
func (w *seedWorld) wantProvenance(stage string, upstream []string) {
	w.t.Helper()
	cur := w.stage(stage).History[0]
	if !slices.Equal(cur.VerifiedUpstream, upstream) || !strings.Contains(cur.Provenance, "verified in") {
		w.t.Fatalf("%s: verifiedUpstream %v (%q), want %v", stage, cur.VerifiedUpstream, cur.Provenance, upstream)
	}
}

// wantNeverVerified checks that the stage's current combination is
// reported as never verified upstream, in JSON and in the table.
func (w *seedWorld) wantNeverVerified(stage string) {
	w.t.Helper()
	cur := w.stage(stage).History[0]
	if len(cur.VerifiedUpstream) != 0 || cur.Provenance == "" {
		w.t.Fatalf("%s: verifiedUpstream %v, provenance %q; want never verified upstream", stage, cur.VerifiedUpstream, cur.Provenance)
	}
	w.t.Logf("%s provenance: %s", stage, cur.Provenance)
	table := w.e.must("get", "stages", stage, "--project", "seed")
	row := ""
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, stage+" ") {
			row = line
		}
	}
	if !strings.Contains(row, "unverified upstream") || !strings.Contains(row, "images=") {
		w.t.Fatalf("get stages %s does not show the unverified combination:\n%s", stage, table)
	}
}

// wantFailedPromotion checks that the stage's newest promotion failed for
// want of the slot's Freight: its record names the slot, its workflow is
// Failed in Temporal (not Completed), and `get stages` says what it waits
// for.
func (w *seedWorld) wantFailedPromotion(stage, slot string) {
	w.t.Helper()
	ps := w.stage(stage).Promotions
	if len(ps) == 0 || ps[0].Phase != railyard.PhaseErrored || !strings.Contains(ps[0].Message, slot) {
		w.t.Fatalf("%s: newest promotion %+v; want Errored naming the %s slot", stage, ps, slot)
	}
	if got := w.e.workflowStatus(ps[0].WorkflowID); got != "Failed" {
		w.t.Errorf("%s: promotion %s's workflow is %s, want Failed", stage, ps[0].Name, got)
	}
	w.t.Logf("%s: %s", ps[0].Name, ps[0].Message)
	if table := w.e.must("get", "stages", stage, "--project", "seed"); !strings.Contains(table, "waiting for "+slot) {
		w.t.Errorf("get stages %s does not say it waits for %s:\n%s", stage, slot, table)
	}
}
