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
	n        int
	wall     time.Duration // refresh request to Succeeded
	workflow time.Duration // Promotion workflow start to finish
	stepSum  time.Duration
	steps    map[string]time.Duration // by step kind
	bytes    int64                    // served by the git server
	events   int                      // Promotion workflow history
	before   time.Duration            // refresh request to Promotion start (discovery, minting)
	grant    time.Duration            // Promotion start to its stage's grant
	dispatch time.Duration            // activities' schedule-to-start latency
}

func (s *promotionFigures) add(f promotionFigures) {
	if s.steps == nil {
		s.steps = map[string]time.Duration{}
	}
	s.n += f.n
	s.wall += f.wall
	s.workflow += f.workflow
	s.stepSum += f.stepSum
	s.bytes += f.bytes
	s.events += f.events
	s.before += f.before
	s.grant += f.grant
	s.dispatch += f.dispatch
	for k, d := range f.steps {
		s.steps[k] += d
	}
}

func avgMs(d time.Duration, n int) float64 {
	return float64(d.Microseconds()) / 1000 / float64(n)
}

// report adds the per-promotion averages to the benchmark's result and
// prints them on one line.
func (s promotionFigures) report(b *testing.B) {
	if s.n == 0 {
		return
	}
	overhead := 100 * float64(s.wall-s.stepSum) / float64(s.wall)
	b.ReportMetric(avgMs(s.wall, s.n), "ms/promotion")
	b.ReportMetric(avgMs(s.workflow, s.n), "workflow-ms/promotion")
	b.ReportMetric(float64(s.bytes)/float64(s.n), "bytes-fetched/promotion")
	b.ReportMetric(float64(s.events)/float64(s.n), "history-events/promotion")
	for _, step := range []string{"git-clone", "kustomize-build", "git-push"} {
		b.ReportMetric(avgMs(s.steps[step], s.n), step+"-ms")
	}
	b.ReportMetric(overhead, "temporal-overhead-%")
	b.ReportMetric(avgMs(s.before, s.n), "until-start-ms")
	b.ReportMetric(avgMs(s.grant, s.n), "stage-grant-ms")
	b.ReportMetric(avgMs(s.dispatch, s.n), "dispatch-ms")
	fmt.Printf("%s (n=%d): %.0f ms/promotion (workflow %.0f ms), %.1f KB fetched, %d history events; "+
		"git-clone %.0f ms, kustomize-build %.0f ms, git-push %.0f ms, all steps %.0f ms; Temporal overhead %.0f%% "+
		"(refresh to promotion start %.0f ms, stage grant %.0f ms, activity dispatch %.0f ms)\n",
		b.Name(), s.n, avgMs(s.wall, s.n), avgMs(s.workflow, s.n), float64(s.bytes)/1024/float64(s.n), s.events/s.n,
		avgMs(s.steps["git-clone"], s.n), avgMs(s.steps["kustomize-build"], s.n), avgMs(s.steps["git-push"], s.n),
		avgMs(s.stepSum, s.n), overhead, avgMs(s.before, s.n), avgMs(s.grant, s.n), avgMs(s.dispatch, s.n))
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
