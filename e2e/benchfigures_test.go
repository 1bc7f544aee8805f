package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// promotionFigures are the measurements of n promotions, summed.
type promotionFigures struct {
	n          int
	wall       time.Duration // refresh request to Succeeded seen by the benchmark
	pushed     time.Duration // refresh request to the commit on the remote (git-push completed)
	workflow   time.Duration // Promotion workflow start to finish
	stepSum    time.Duration
	running    time.Duration            // step activities on the worker, started → completed
	steps      map[string]time.Duration // by step kind
	bytes      int64                    // served by the git server
	events     int                      // Promotion workflow history
	before     time.Duration            // refresh request to Promotion start (discovery, minting, request, child start)
	discover   time.Duration            // of before, the Discover activity on the worker
	firstStep  time.Duration            // Promotion start to its first step scheduled (workspace)
	wtDispatch time.Duration            // workflow tasks' schedule-to-start
	wtProcess  time.Duration            // workflow tasks' start-to-complete
	wtCount    int
	dispatch   time.Duration // activities' schedule-to-start latency
	actCount   int
}

func (s *promotionFigures) add(f promotionFigures) {
	if s.steps == nil {
		s.steps = map[string]time.Duration{}
	}
	s.n += f.n
	s.wall += f.wall
	s.pushed += f.pushed
	s.workflow += f.workflow
	s.stepSum += f.stepSum
	s.running += f.running
	s.bytes += f.bytes
	s.events += f.events
	s.before += f.before
	s.discover += f.discover
	s.firstStep += f.firstStep
	s.wtDispatch += f.wtDispatch
	s.wtProcess += f.wtProcess
	s.wtCount += f.wtCount
	s.dispatch += f.dispatch
	s.actCount += f.actCount
	for k, d := range f.steps {
		s.steps[k] += d
	}
}

func avgMs(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d.Microseconds()) / 1000 / float64(n)
}

// report adds the per-promotion averages to the benchmark's result and
// prints them on one line, with the bare clone's time beside them.
func (s promotionFigures) report(b *testing.B, label string, clone time.Duration) {
	if s.n == 0 {
		return
	}
	// Temporal's share is what is left of refresh → pushed once the git
	// work is taken out: the Discover activity and the step activities,
	// each from its start to its completion on the worker.
	temporal := s.pushed - s.discover - s.running
	overhead := 100 * float64(temporal) / float64(s.pushed)
	if label == "" {
		b.ReportMetric(avgMs(s.wall, s.n), "ms/promotion")
		b.ReportMetric(avgMs(s.pushed, s.n), "ms-to-push")
		b.ReportMetric(avgMs(s.pushed, s.n)/avgMs(clone, 1), "x-bare-clone")
		b.ReportMetric(float64(s.bytes)/float64(s.n), "bytes-fetched/promotion")
		b.ReportMetric(float64(s.events)/float64(s.n), "history-events/promotion")
		b.ReportMetric(overhead, "temporal-share-%")
	}
	fmt.Printf("%s%s (n=%d): refresh to pushed commit %.0f ms (%.2f× a bare clone of %.0f ms), to Succeeded %.0f ms; "+
		"workflow %.0f ms; %.1f KB fetched; %d history events; steps %.0f ms (git-clone %.0f, kustomize-build %.0f, git-push %.0f); "+
		"Temporal's share %.0f%% (%.0f ms: refresh to pushed less discovery and the step activities' %.0f ms); refresh to promotion start %.0f ms (discovery %.0f), start to first step %.0f ms, "+
		"per workflow task %.1f ms dispatch + %.1f ms on the worker (%d), per activity %.1f ms dispatch (%d)\n",
		b.Name(), label, s.n, avgMs(s.pushed, s.n), avgMs(s.pushed, s.n)/avgMs(clone, 1), avgMs(clone, 1),
		avgMs(s.wall, s.n), avgMs(s.workflow, s.n), float64(s.bytes)/1024/float64(s.n), s.events/s.n,
		avgMs(s.stepSum, s.n), avgMs(s.steps["git-clone"], s.n), avgMs(s.steps["kustomize-build"], s.n),
		avgMs(s.steps["git-push"], s.n), overhead, avgMs(temporal, s.n), avgMs(s.running, s.n), avgMs(s.before, s.n), avgMs(s.discover, s.n), avgMs(s.firstStep, s.n),
		avgMs(s.wtDispatch, s.wtCount), avgMs(s.wtProcess, s.wtCount), s.wtCount/s.n,
		avgMs(s.dispatch, s.actCount), s.actCount/s.n)
}

// writeManifestsTB writes YAML text into a temp dir and returns the dir.
func writeManifestsTB(b *testing.B, text string) string {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "project.yaml"), []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}
