package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/railyard/railyard/internal/testenv"
)

// BenchmarkScale measures one worker holding 100 pipelines and 300 stages:
// apply time, time to 100 discoveries and 200 promotions, memory after
// settling and history length. Run it with -benchtime 1x.
//
// one-project is the real shape. While applying it overflows Temporal's
// 4 MB gRPC limit (see scaleApplyBug) it is skipped, and four-projects
// measures the same 100 pipelines and 300 stages split into 4 projects.
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
				f := runScale(b, tc.spec, 10*time.Second, 15*time.Minute)
				f.report(b)
				fmt.Printf("%s %s\n", b.Name(), f.summary(tc.spec))
			}
		})
	}
}

// TestScaleSmall runs BenchmarkScale's code path at a tenth of the size so
// that it cannot rot.
func TestScaleSmall(t *testing.T) {
	spec := scaleSpec{warehouses: 10, repos: 2, projects: 1}
	f := runScale(t, spec, 2*time.Second, 90*time.Second)
	t.Log(f.summary(spec))
	if f.workerRSS <= 0 || f.serverRSS <= 0 || f.pipelineEvents <= 0 || f.stageEvents <= 0 {
		t.Fatalf("implausible figures: %+v", f)
	}
}

// scaleFigures are one scale run's measurements.
type scaleFigures struct {
	apply          time.Duration // the first apply: 100 Pipelines and 300 Stages
	discover       time.Duration // then until all Stages are configured and all Freight minted
	settle         time.Duration // from the first apply until every uat stage holds its Freight
	promoting      time.Duration // from the second apply (auto-promotion on) until then
	promotions     int
	workerStartRSS float64 // MB, once the worker polls, before apply
	workerRSS      float64 // MB, after settling
	workerPeak     float64 // MB, VmHWM
	serverRSS      float64 // MB, this process: the embedded server and the test
	pipelineEvents float64 // average history events of a sample of Pipelines
	stageEvents    float64 // average history events of a sample of Stages
}

func (f scaleFigures) promotionsPerSec() float64 {
	return float64(f.promotions) / f.promoting.Seconds()
}

func (f scaleFigures) report(b *testing.B) {
	b.ReportMetric(f.workerStartRSS, "worker-start-RSS-MB")
	b.ReportMetric(f.workerRSS, "worker-RSS-MB")
	b.ReportMetric(f.workerPeak, "worker-peak-MB")
	b.ReportMetric(f.serverRSS, "server+test-RSS-MB")
	b.ReportMetric(f.apply.Seconds(), "apply-s")
	b.ReportMetric(f.discover.Seconds(), "discover-s")
	b.ReportMetric(f.settle.Seconds(), "settle-s")
	b.ReportMetric(f.promotionsPerSec(), "promotions/s")
	b.ReportMetric(f.pipelineEvents, "events/pipeline")
	b.ReportMetric(f.stageEvents, "events/stage")
}

func (f scaleFigures) summary(spec scaleSpec) string {
	return fmt.Sprintf("scale: %d pipelines, %d stages: worker RSS %.1f MB (at start %.1f MB, peak %.1f MB), server+test RSS %.1f MB, "+
		"apply %.2fs, settle %.2fs (discovery %.2fs; %d promotions in %.2fs, %.2f/s), history events %.1f/pipeline %.1f/stage",
		spec.warehouses, 3*spec.warehouses, f.workerRSS, f.workerStartRSS, f.workerPeak, f.serverRSS,
		f.apply.Seconds(), f.settle.Seconds(), f.discover.Seconds(), f.promotions, f.promoting.Seconds(), f.promotionsPerSec(), f.pipelineEvents, f.stageEvents)
}

// runScale applies spec's projects, waits until every uat stage holds its
// Freight, lets the worker idle, then measures and checks the outcome.
//
// It applies twice: first without auto-promotion, until every Stage
// workflow is configured and every Pipeline has minted its Freight, then
// with the ProjectConfig, so that discovery and promotion are measured
// apart.
func runScale(tb testing.TB, spec scaleSpec, idle, timeout time.Duration) scaleFigures {
	tb.Helper()
	dir := tb.TempDir()
	writeScaleFiles(tb, dir, "", spec.manifests(spec.createRepos(tb, testenv.NewGitServer(tb))))
	e := newScaleEnv(tb)
	var f scaleFigures
	f.workerStartRSS, _ = e.workerMemory()
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
	time.Sleep(idle)
	f.workerRSS, f.workerPeak = e.workerMemory()
	f.serverRSS, _ = procMemory(tb, "/proc/self/status")
	pipelines, stages := spec.sample(10)
	f.pipelineEvents, f.stageEvents = e.averageEvents(pipelines), e.averageEvents(stages)
	e.checkScale(spec)
	return f
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

// averageEvents is the average history length of the workflows.
func (e *scaleEnv) averageEvents(ids []string) float64 {
	e.t.Helper()
	total := 0
	for _, id := range ids {
		total += e.historyEvents(id)
	}
	return float64(total) / float64(len(ids))
}
