package e2e

import (
	"testing"
	"time"
)

// TestClusterSeed plays the seed scenario's steps 1-5 (TestSeed) on the
// cluster: PostgreSQL, the Temporal server v1.32.1 and three workers
// without --dev. It then reports, from each promotion's history, which
// worker started each of its activities, and requires the promotions'
// work to have been spread over more than one worker. Last, it runs
// BenchmarkScaleCluster's code path at a tiny size on the same cluster.
func TestClusterSeed(t *testing.T) {
	start := time.Now()
	ce := newClusterEnv(t, 3)
	w := newSeedWorld(t)
	w.e = ce.e
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
	clusterFigure(t, "seed steps 1-5 on the cluster (apply to prod at (v2, v1)): %s", time.Since(applied).Round(time.Millisecond))

	promotions := map[string]string{}
	for name, p := range w.promotions() {
		promotions[name] = p.Stage
	}
	perWorker := ce.reportSpread(t, c, "seed", promotions)
	if len(perWorker) < 2 {
		t.Errorf("every promotion activity ran on one worker (%v); want them spread over the %d workers", perWorker, len(ce.workers))
	}
	for w := range perWorker {
		if w != "w1" && w != "w2" && w != "w3" {
			t.Errorf("an activity was started by %q, not by one of the test's workers", w)
		}
	}
	clusterFigure(t, "TestClusterSeed total (cluster start, scenario): %s", time.Since(start).Round(time.Millisecond))

	small := time.Now()
	runScaleClusterSmall(t, ce)
	clusterFigure(t, "BenchmarkScaleCluster's path, 6 pipelines on the same cluster: %s", time.Since(small).Round(time.Millisecond))
}
