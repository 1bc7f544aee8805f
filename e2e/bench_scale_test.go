package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard/internal/testenv"
)

// BenchmarkScale measures one worker on the embedded dev server holding
// 100 pipelines and 300 stages, in one project and split over four: apply
// time, time to 100 discoveries and 200 promotions, memory after settling
// and history length. Run it with -benchtime 1x. BenchmarkScaleCluster is
// the same on the Temporal cluster, at 1,000 pipelines.
func BenchmarkScale(b *testing.B) {
	for _, tc := range []struct {
		name string
		spec scaleSpec
	}{
		{"one-project", scaleSpec{warehouses: 100, repos: 10, projects: 1}},
		{"four-projects", scaleSpec{warehouses: 100, repos: 10, projects: 4}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f := runScale(b, newScaleEnv(b), tc.spec, scaleManifests(b, tc.spec), 10*time.Second, 15*time.Minute)
				f.report(b, tc.spec)
				fmt.Printf("%s %s\n", b.Name(), f.summary(tc.spec))
			}
		})
	}
}

// TestScaleSmall runs BenchmarkScale's code path at a tenth of the size so
// that it cannot rot.
func TestScaleSmall(t *testing.T) {
	spec := scaleSpec{warehouses: 10, repos: 2, projects: 1}
	f := runScale(t, newScaleEnv(t), spec, scaleManifests(t, spec), 2*time.Second, 90*time.Second)
	t.Log(f.summary(spec))
	f.check(t)
}

// scaleFigures are one scale run's measurements. Per-worker figures are
// in the order of the env's workers.
type scaleFigures struct {
	workers    []string
	apply      time.Duration // the first apply: all Pipelines and Stages
	discover   time.Duration // then until all Stages are configured and all Freight minted
	settle     time.Duration // from the first apply until every uat stage holds its Freight
	promoting  time.Duration // from the second apply (auto-promotion on) until then
	promotions int
	startRSS   []float64     // MB, once the worker polls, before apply
	rss        []float64     // MB, after the idle window
	peak       []float64     // MB, VmHWM
	refresh    time.Duration // from refreshing every Warehouse at once until each ran a cycle
	idle       time.Duration
	idleCPU    []float64 // % of one core over the idle window, the worker itself
	idleChild  []float64 // % of one core, its waited-for children
	serverRSS  float64   // MB: the Temporal server (with the test, on the dev server)
	pipelines  historyFigures
	stages     historyFigures
}

func (f scaleFigures) promotionsPerSec() float64 {
	return float64(f.promotions) / f.promoting.Seconds()
}

// fillPerSec is the first fill's throughput: every Pipeline's first
// discovery cycle, from the first apply until the last Freight is minted
// (bound by creating the workflows).
func (f scaleFigures) fillPerSec(spec scaleSpec) float64 {
	return float64(spec.warehouses) / (f.apply + f.discover).Seconds()
}

// discoveriesPerSec is the discovery cycle throughput of the workers
// when every Warehouse is refreshed at once.
func (f scaleFigures) discoveriesPerSec(spec scaleSpec) float64 {
	return float64(spec.warehouses) / f.refresh.Seconds()
}

func (f scaleFigures) report(b *testing.B, spec scaleSpec) {
	for i, w := range f.workers {
		b.ReportMetric(f.startRSS[i], w+"-start-RSS-MB")
		b.ReportMetric(f.rss[i], w+"-RSS-MB")
		b.ReportMetric(f.peak[i], w+"-peak-MB")
		b.ReportMetric(f.idleCPU[i], w+"-idle-CPU-%")
	}
	b.ReportMetric(f.serverRSS, "server-RSS-MB")
	b.ReportMetric(f.apply.Seconds(), "apply-s")
	b.ReportMetric(f.discover.Seconds(), "discover-s")
	b.ReportMetric(f.settle.Seconds(), "settle-s")
	b.ReportMetric(f.promotionsPerSec(), "promotions/s")
	b.ReportMetric(f.discoveriesPerSec(spec), "discoveries/s")
	b.ReportMetric(f.pipelines.events, "events/pipeline")
	b.ReportMetric(f.stages.events, "events/stage")
	b.ReportMetric(f.pipelines.eventsPerDay, "events/pipeline/day")
	b.ReportMetric(f.stages.eventsPerDay, "events/stage/day")
}

func (f scaleFigures) summary(spec scaleSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scale: %d pipelines, %d stages in %d project(s), interval %s, %d worker(s):\n",
		spec.warehouses, 3*spec.warehouses, max(1, spec.projects), spec.pollInterval(), len(f.workers))
	for i, w := range f.workers {
		fmt.Fprintf(&b, "  %s: RSS %.1f MB (at start %.1f MB, peak %.1f MB); idle CPU %.2f%% of a core (+ children %.2f%%) over %s\n",
			w, f.rss[i], f.startRSS[i], f.peak[i], f.idleCPU[i], f.idleChild[i], f.idle)
	}
	fmt.Fprintf(&b, "  Temporal server RSS %.1f MB\n", f.serverRSS)
	fmt.Fprintf(&b, "  apply %.2fs, first fill %.2fs (%.2f pipelines/s), %d promotions in %.2fs (%.2f/s), settle %.2fs\n",
		f.apply.Seconds(), (f.apply + f.discover).Seconds(), f.fillPerSec(spec),
		f.promotions, f.promoting.Seconds(), f.promotionsPerSec(), f.settle.Seconds())
	fmt.Fprintf(&b, "  every Warehouse refreshed at once: %d discovery cycles in %.2fs (%.2f/s)\n",
		spec.warehouses, f.refresh.Seconds(), f.discoveriesPerSec(spec))
	for _, h := range []struct {
		kind string
		f    historyFigures
	}{{"pipeline", f.pipelines}, {"stage", f.stages}} {
		fmt.Fprintf(&b, "  history per %s: %.1f events, %.1f kB; idle growth %.0f events/day, %.1f kB/day",
			h.kind, h.f.events, h.f.bytes/1024, h.f.eventsPerDay, h.f.bytesPerDay/1024)
		if d := h.f.daysToContinueAsNew(); d > 0 {
			fmt.Fprintf(&b, " (continue-as-new suggested after %.1f days, %.1f hours)", d, 24*d)
		}
		if h.kind == "pipeline" {
			fmt.Fprintf(&b, " [%d discovery cycles sampled]", h.f.cycles)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// check fails on figures no real run produces.
func (f scaleFigures) check(t *testing.T) {
	t.Helper()
	if f.serverRSS <= 0 || f.pipelines.events <= 0 || f.stages.events <= 0 || len(f.workers) == 0 {
		t.Fatalf("implausible figures: %+v", f)
	}
	for i, w := range f.workers {
		if f.rss[i] <= 0 || f.idleCPU[i] < 0 {
			t.Fatalf("implausible figures for %s: %+v", w, f)
		}
	}
}

// scaleManifests creates spec's repositories on a new git server and
// returns each project's manifests.
func scaleManifests(tb testing.TB, spec scaleSpec) map[string]string {
	tb.Helper()
	return spec.manifests(spec.createRepos(tb, testenv.NewGitServer(tb)))
}

// runScale applies spec's projects (manifests), waits until every uat stage holds its
// Freight, then measures the workers over an idle window and checks the
// outcome.
//
// It applies twice: first without auto-promotion, until every Stage
// workflow is configured and every Pipeline has minted its Freight, then
// with the ProjectConfig, so that discovery and promotion are measured
// apart.
func runScale(tb testing.TB, e *scaleEnv, spec scaleSpec, manifests map[string]string, idle, timeout time.Duration) scaleFigures {
	tb.Helper()
	dir := tb.TempDir()
	writeScaleFiles(tb, dir, "", manifests)
	f := scaleFigures{idle: idle}
	for _, w := range e.workers {
		f.workers = append(f.workers, w.name)
	}
	f.startRSS, _ = e.memory()
	start := time.Now()
	e.apply(spec, dir)
	f.apply = time.Since(start)
	e.awaitReady(spec, timeout)
	f.discover = time.Since(start) - f.apply
	writeScaleFiles(tb, dir, "-policy", spec.policies())
	promote := time.Now()
	e.apply(spec, dir)
	e.awaitUAT(spec, timeout)
	f.settle, f.promoting = time.Since(start)-f.apply, time.Since(promote)
	f.promotions = 2 * spec.warehouses
	e.measureIdle(&f, spec)
	f.refresh = e.refreshAll(spec, timeout)
	e.checkScale(spec)
	return f
}

// measureIdle samples histories, measures the workers' CPU over the idle
// window (discovery keeps polling meanwhile), and samples histories again.
// The samples' queries fall outside the window.
func (e *scaleEnv) measureIdle(f *scaleFigures, spec scaleSpec) {
	e.t.Helper()
	pipelines, stages := spec.sample(20)
	before := e.sampleHistory(pipelines, stages)
	own0, child0 := e.cpu()
	began := time.Now()
	time.Sleep(f.idle)
	own1, child1 := e.cpu()
	window := time.Since(began)
	f.rss, f.peak = e.memory()
	f.serverRSS = e.serverRSS()
	for i := range own0 {
		f.idleCPU = append(f.idleCPU, 100*(own1[i]-own0[i])/window.Seconds())
		f.idleChild = append(f.idleChild, 100*(child1[i]-child0[i])/window.Seconds())
	}
	after := e.sampleHistory(pipelines, stages)
	f.pipelines = pipelineGrowth(pipelines, before, after, spec.pollInterval())
	f.stages = stageGrowth(stages, before, after, window)
}

// writeScaleFiles writes one file per project, <project><suffix>.yaml.
func writeScaleFiles(tb testing.TB, dir, suffix string, texts map[string]string) {
	tb.Helper()
	for p, text := range texts {
		if err := os.WriteFile(filepath.Join(dir, p+suffix+".yaml"), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// apply applies dir.
func (e *scaleEnv) apply(_ scaleSpec, dir string) {
	e.t.Helper()
	e.must("apply", "-f", dir)
}
