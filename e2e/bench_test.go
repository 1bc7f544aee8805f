package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/internal/testenv/cluster"
	"github.com/railyard/railyard/workflows"
)

const fixturesScript = "../../shared/bench/fixtures.sh"

// benchManifests is the classic Kargo template on gitops.git: the source
// (main at the Freight's commit) and the stage branch from one repository.
var benchManifests = projectYAML("bench", "dev") +
	gitWarehouseYAML("bench", "app", "GITOPS") + `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: dev
  namespace: bench
spec:
  requestedFreight:
  - origin:
      kind: Warehouse
      name: app
    sources:
      direct: true
  promotionTemplate:
    spec:
      vars:
      - name: gitopsRepo
        value: GITOPS
      steps:
      - uses: git-clone
        config:
          repoURL: ${{ vars.gitopsRepo }}
          checkout:
          - commit: ${{ commitFrom(vars.gitopsRepo).ID }}
            path: ./src
          - branch: stage/${{ ctx.stage }}
            create: true
            path: ./out
      - uses: git-clear
        config:
          path: ./out
      - uses: kustomize-set-image
        config:
          path: ./src/stages/${{ ctx.stage }}
          images:
          - image: registry.example/app
            name: placeholder
            newName: registry.example/app
            tag: ${{ commitFrom(vars.gitopsRepo).ID }}
      - uses: kustomize-build
        config:
          path: ./src/stages/${{ ctx.stage }}
          outPath: ./out/manifests.yaml
      - uses: git-commit
        config:
          path: ./out
          message: promote ${{ ctx.targetFreight.alias }} to ${{ ctx.stage }}
      - uses: git-push
        config:
          path: ./out
          targetBranch: stage/${{ ctx.stage }}
`

// benchProject is the state shared by the sub-benchmarks: one server, one
// project, one worker restarted as a mode needs.
type benchProject struct {
	*env
	git  *testenv.GitServer
	last string // newest promotion seen
	rev  int    // source commits made
}

// BenchmarkPromotion measures one auto-promotion of the classic template on
// gitops.git, from the refresh request to the pushed commit and to
// Succeeded: cold (a new worker with an empty cache for every promotion),
// warm (one worker throughout), and a series on one warm worker reported at
// promotions 1, 100 and 1,000 (BENCH_SERIES sets its length; default 100;
// BENCH_DEBUG=1 prints each promotion's hops, event by event, with times).
// Each is set beside a plain `git clone --bare` of the same repository,
// timed in the same run.
func BenchmarkPromotion(b *testing.B) {
	benchPromotion(b, func() *env { return newEnv(b, withoutWorker(), withLogLevel("info")) })
}

// BenchmarkPromotionCluster is BenchmarkPromotion on the Temporal server
// with PostgreSQL (internal/testenv/cluster) instead of the embedded
// server, with the worker run as BenchmarkPromotion runs it.
func BenchmarkPromotionCluster(b *testing.B) {
	benchPromotion(b, func() *env {
		cl := cluster.Start(b, "..")
		return envAt(b, cl.Address, withoutWorker(), withLogLevel("info"))
	})
}

func benchPromotion(b *testing.B, server func() *env) {
	p := newBenchProject(b, server)
	b.Run("cold", func(b *testing.B) {
		p.run(b, func() { p.restartWorker(b) })
	})
	b.Run("warm", func(b *testing.B) {
		p.restartWorker(b)
		p.promote(b) // fills the new worker's cache
		p.settle(b)
		p.run(b, func() {})
	})
	b.Run("series", func(b *testing.B) {
		if b.N > 1 {
			return // one series (its figures are printed), not one per b.N round
		}
		p.restartWorker(b)
		p.series(b, seriesLength())
	})
}

func seriesLength() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_SERIES")); err == nil && n > 0 {
		return n
	}
	return 100
}

// series runs n promotions on one worker and reports the first, and the
// last ten before the 100th and the 1,000th.
func (p *benchProject) series(b *testing.B, n int) {
	var window promotionFigures
	for i := 1; i <= n; i++ {
		f := p.promote(b)
		p.settle(b)
		window.add(f)
		if i == 1 || i%10 == 0 && (i == 100 || i == 1000 || i == n) {
			window.report(b, fmt.Sprintf(" promotion %d", i), p.bareClone(b))
			window = promotionFigures{}
		} else if i%10 == 0 {
			window = promotionFigures{}
		}
	}
}

// bareClone times `git clone --bare` of gitops.git from the git server.
func (p *benchProject) bareClone(b *testing.B) time.Duration {
	dir := b.TempDir()
	start := time.Now()
	if out, err := exec.Command("git", "clone", "-q", "--bare", p.git.URL("gitops"), filepath.Join(dir, "g.git")).CombinedOutput(); err != nil {
		b.Fatalf("git clone --bare: %v: %s", err, out)
	}
	d := time.Since(start)
	os.RemoveAll(dir)
	return d
}

func newBenchProject(b *testing.B, server func() *env) *benchProject {
	if _, err := os.Stat(fixturesScript); err != nil {
		b.Skipf("no benchmark fixtures: %s not found (the shared directory sits beside the repository)", fixturesScript)
	}
	dir := b.TempDir()
	if out, err := exec.Command("bash", fixturesScript, dir).CombinedOutput(); err != nil {
		b.Fatalf("building fixtures: %v: %s", err, out)
	}
	git := testenv.NewGitServer(b)
	git.ServeDir(b, dir)
	p := &benchProject{env: server(), git: git}
	p.startWorkerIn(b.TempDir())
	text := strings.ReplaceAll(benchManifests, "GITOPS", git.URL("gitops"))
	p.must("apply", "-f", writeManifestsTB(b, text))
	p.awaitPromotion(b, time.Now()) // the first Freight creates stage/dev
	p.settle(b)
	return p
}

func (p *benchProject) restartWorker(b *testing.B) {
	p.stopWorker()
	p.startWorkerIn(b.TempDir())
}

// run measures b.N promotions; before each, prepare runs untimed.
func (p *benchProject) run(b *testing.B, prepare func()) {
	var sum promotionFigures
	b.StopTimer()
	for range b.N {
		prepare()
		b.StartTimer()
		f := p.promote(b)
		b.StopTimer()
		sum.add(f)
		p.settle(b)
	}
	sum.report(b, "", p.bareClone(b))
}

// promote commits a change to the source, asks for a refresh and waits for
// the promotion it causes.
func (p *benchProject) promote(b *testing.B) promotionFigures {
	p.rev++
	p.git.Commit(b, "gitops", "main", map[string]string{"docs/bench.md": fmt.Sprintf("revision %d\n", p.rev)}, "bench change")
	before := p.git.BytesServed()
	start := time.Now()
	id := railyard.PipelineWorkflowID("bench", "app")
	if err := p.client.SignalWorkflow(context.Background(), id, "", workflows.SignalRefresh, nil); err != nil {
		b.Fatalf("refreshing: %v", err)
	}
	f := p.awaitPromotion(b, start)
	f.bytes = p.git.BytesServed() - before
	return f
}

// awaitPromotion waits for the next promotion to finish and measures it.
func (p *benchProject) awaitPromotion(b *testing.B, start time.Time) promotionFigures {
	rec := p.nextPromotion(b)
	var st workflows.PromotionStatus
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	listed := time.Now()
	for {
		// The stage lists a promotion as it starts the child, a moment
		// before the server has created it. The wait polls the
		// workflow's status rather than long-polling its result: on the
		// cluster such a long poll was seen to miss the close and hang.
		d, err := p.client.DescribeWorkflowExecution(ctx, rec.WorkflowID, "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) && time.Since(listed) > 10*time.Second {
			// A name listed but never started (see the failure message's
			// promotion list): follow the stage's newest instead.
			if ps := p.promotions(); len(ps) > 0 && ps[0].Name != rec.Name {
				rec, p.last, listed = ps[0], ps[0].Name, time.Now()
			}
		}
		if (errors.As(err, &nf) || err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING) && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if err == nil {
			err = p.client.GetWorkflow(ctx, rec.WorkflowID, "").Get(ctx, &st)
		}
		if err != nil {
			b.Fatalf("promotion %s: %v; worker log:\n%s\n%s\n%s\nthe stage's promotions: %+v", rec.Name, err, tail(p.workerLog(), 150),
				p.historyTail(railyard.StageWorkflowID("bench", "dev"), 30), p.historyTail(rec.WorkflowID, 30), p.promotions())
		}
		break
	}
	wall := time.Since(start)
	if st.Phase != railyard.PhaseSucceeded {
		b.Fatalf("promotion %s: %s: %s", rec.Name, st.Phase, st.Message)
	}
	h := p.history(b, rec.WorkflowID)
	if os.Getenv("BENCH_DEBUG") != "" { // the hops, event by event, with their times
		fmt.Println(p.historyTail(rec.WorkflowID, 40))
		fmt.Println(p.historyTail(railyard.StageWorkflowID("bench", "dev"), 12))
		fmt.Println(p.historyTail(railyard.PipelineWorkflowID("bench", "app"), 16))
		fmt.Println("refresh sent at", start.UTC().Format("15:04:05.000"))
	}
	f := promotionFigures{n: 1, wall: wall, pushed: h.pushed.Sub(start), workflow: st.FinishedAt.Sub(st.StartedAt),
		events: h.events, before: h.started.Sub(start), firstStep: h.firstStep.Sub(h.started),
		running: h.running, wtDispatch: h.wtDispatch, wtProcess: h.wtProcess, wtCount: h.wtCount, dispatch: h.dispatch,
		actCount: h.actCount, steps: map[string]time.Duration{},
		discover: p.discovery(b, railyard.PipelineWorkflowID("bench", "app"))}
	for _, s := range st.Steps {
		f.steps[s.Uses] += s.Duration
		f.stepSum += s.Duration
	}
	return f
}

// nextPromotion polls the stage until a promotion newer than the last one
// seen appears.
// promotions is the stage's promotion list, newest first (nil when the
// query fails).
func (p *benchProject) promotions() []workflows.PromotionRecord {
	var ps []workflows.PromotionRecord
	if err := p.query(&ps, railyard.StageWorkflowID("bench", "dev"), workflows.QueryPromotion); err != nil {
		return nil
	}
	return ps
}

func (p *benchProject) nextPromotion(b *testing.B) workflows.PromotionRecord {
	id := railyard.StageWorkflowID("bench", "dev")
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var ps []workflows.PromotionRecord
		if err := p.query(&ps, id, workflows.QueryPromotion); err == nil && len(ps) > 0 && ps[0].Name != p.last {
			p.last = ps[0].Name
			return ps[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("no new promotion after 2m; worker log:\n%s", p.workerLog())
	return workflows.PromotionRecord{}
}

// settle waits until the pipeline knows that the stage holds the last
// promotion's Freight, so that the next refresh auto-promotes at once.
func (p *benchProject) settle(b *testing.B) {
	name := p.last
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var st workflows.StageState
		var fs []railyard.Freight
		if p.query(&st, railyard.StageWorkflowID("bench", "dev"), workflows.QueryStatus) == nil &&
			p.query(&fs, railyard.PipelineWorkflowID("bench", "app"), workflows.QueryFreight) == nil &&
			st.Current == nil && len(st.History) > 0 && st.History[0].Promotion == name && len(fs) > 0 {
			if _, in := fs[0].Status.CurrentlyIn["dev"]; in {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var st workflows.StageState
	var fs []railyard.Freight
	serr := p.query(&st, railyard.StageWorkflowID("bench", "dev"), workflows.QueryStatus)
	ferr := p.query(&fs, railyard.PipelineWorkflowID("bench", "app"), workflows.QueryFreight)
	b.Fatalf("promotion %s never recorded by the pipeline\nstage (%v): current %+v, newest held %s\npipeline's Freight (%v): %s\n%s\n%s\nworker log:\n%s",
		name, serr, st.Current, newestHeld(st), ferr, freightSummary(fs, 3),
		p.historyTail(railyard.StageWorkflowID("bench", "dev"), 25),
		p.historyTail(railyard.PipelineWorkflowID("bench", "app"), 40), tail(p.workerLog(), 60))
}

// newestHeld names the promotions of the stage's newest collections.
func newestHeld(st workflows.StageState) string {
	var names []string
	for _, h := range st.History[:min(3, len(st.History))] {
		names = append(names, h.Promotion)
	}
	return strings.Join(names, ", ")
}

// freightSummary lists the newest n Freight with where each is.
func freightSummary(fs []railyard.Freight, n int) string {
	var out []string
	for _, f := range fs[:min(n, len(fs))] {
		commit := ""
		if len(f.Commits) > 0 {
			commit = f.Commits[0].ID
		}
		out = append(out, fmt.Sprintf("%s (%s, commit %s) in %v", f.ID, f.Alias, commit, f.Status.CurrentlyIn))
	}
	return strings.Join(out, "; ")
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
