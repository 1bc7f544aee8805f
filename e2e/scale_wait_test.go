package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// awaitReady waits until every Stage workflow is configured and every
// Pipeline has minted its Freight.
//
// Waiting for it separates the cost of creating and configuring the
// workflows and discovering from the cost of the promotions.
func (e *scaleEnv) awaitReady(spec scaleSpec, timeout time.Duration) {
	e.t.Helper()
	checks := map[string]func() bool{}
	for i := 0; i < spec.warehouses; i++ {
		id := spec.pipelineID(i)
		checks[id] = func() bool {
			var fs []railyard.Freight
			return e.query(&fs, id, workflows.QueryFreight) == nil && len(fs) > 0
		}
		for _, tier := range []string{"dev", "uat", "prod"} {
			id := spec.stageID(i, tier)
			checks[id] = func() bool {
				var st workflows.StageState
				return e.query(&st, id, workflows.QueryStatus) == nil && st.Config != nil
			}
		}
	}
	e.await("configured Stages and minted Freight", timeout, checks)
}

// awaitUAT waits until every uat stage holds Freight from its warehouse.
func (e *scaleEnv) awaitUAT(spec scaleSpec, timeout time.Duration) {
	e.t.Helper()
	checks := map[string]func() bool{}
	for i := 0; i < spec.warehouses; i++ {
		checks[spec.pipelineID(i)] = func() bool { return e.stageHolds(spec, i, "uat") != "" }
	}
	e.await("Freight in every uat stage", timeout, checks)
}

// await checks the workflows one after the other, in ID order, waiting on
// each until it holds: a workflow is queried about once when it is ready,
// so that the waiting costs the workers little. On timeout it fails,
// showing the state of the first workflows still pending.
func (e *scaleEnv) await(what string, timeout time.Duration, checks map[string]func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	ids := slices.Sorted(maps.Keys(checks))
	for len(ids) > 0 {
		if checks[ids[0]]() {
			ids = ids[1:]
			continue
		}
		if time.Now().After(deadline) {
			pending := slices.DeleteFunc(ids, func(id string) bool { return checks[id]() })
			if len(pending) == 0 {
				return
			}
			e.t.Fatalf("after %s, %d workflows still wait for %s:\n%s", timeout, len(pending), what, e.describe(pending))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// describe shows the status (and promotions) of up to five workflows.
func (e *scaleEnv) describe(ids []string) string {
	var b strings.Builder
	for _, id := range ids[:min(5, len(ids))] {
		queries := []string{workflows.QueryStatus}
		if strings.Contains(id, "/stage/") {
			queries = append(queries, workflows.QueryPromotion)
		}
		for _, q := range queries {
			var raw json.RawMessage
			err := e.query(&raw, id, q)
			fmt.Fprintf(&b, "%s %s: %.2000s (%v)\n", id, q, raw, err)
		}
	}
	return b.String()
}

// stageHolds returns the Freight ID in the slot of warehouse i in its tier
// stage, or "" when it holds none or cannot answer yet.
func (e *scaleEnv) stageHolds(spec scaleSpec, i int, tier string) string {
	var st workflows.StageState
	if err := e.query(&st, spec.stageID(i, tier), workflows.QueryStatus); err != nil || len(st.History) == 0 {
		return ""
	}
	ref, _ := st.History[0].Collection.Get(railyard.WarehouseOrigin(spec.warehouse(i)))
	return ref.ID
}

// checkScale checks the outcome: each pipeline minted one Freight, which is
// in dev and uat and not in prod, through exactly two promotions.
func (e *scaleEnv) checkScale(spec scaleSpec) {
	e.t.Helper()
	for i := 0; i < spec.warehouses; i++ {
		w := spec.warehouse(i)
		var fs []railyard.Freight
		if err := e.query(&fs, spec.pipelineID(i), workflows.QueryFreight); err != nil {
			e.t.Fatal(err)
		}
		if len(fs) != 1 {
			e.t.Fatalf("%s minted %d Freight, want 1", w, len(fs))
		}
		in := fs[0].Status.CurrentlyIn
		_, dev := in[w+"-dev"]
		_, uat := in[w+"-uat"]
		_, prod := in[w+"-prod"]
		if !dev || !uat || prod || e.stageHolds(spec, i, "uat") != fs[0].ID {
			e.t.Fatalf("%s's Freight is currently in %v, want %s-dev and %s-uat", w, in, w, w)
		}
		for _, tier := range []string{"dev", "uat"} {
			var proms []workflows.PromotionRecord
			if err := e.query(&proms, spec.stageID(i, tier), workflows.QueryPromotion); err != nil {
				e.t.Fatal(err)
			}
			if len(proms) != 1 {
				e.t.Fatalf("%s-%s ran %d promotions, want 1: %+v", w, tier, len(proms), proms)
			}
		}
	}
}

// refreshAll asks every Pipeline to discover now, all at once, and returns
// how long it took until each had run a discovery cycle since.
func (e *scaleEnv) refreshAll(spec scaleSpec, timeout time.Duration) time.Duration {
	e.t.Helper()
	start := time.Now()
	checks := map[string]func() bool{}
	for i := 0; i < spec.warehouses; i++ {
		id := spec.pipelineID(i)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := e.client.SignalWorkflow(ctx, id, "", workflows.SignalRefresh, nil)
		cancel()
		if err != nil {
			e.t.Fatalf("refreshing %s: %v", id, err)
		}
		checks[id] = func() bool {
			var st workflows.PipelineState
			return e.query(&st, id, workflows.QueryStatus) == nil && !st.Discovery.LastAttempt.Before(start)
		}
	}
	e.await("a discovery cycle after a refresh", timeout, checks)
	return time.Since(start)
}
