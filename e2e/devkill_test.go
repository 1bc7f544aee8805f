package e2e

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

// TestDevServerKilled kills `railyard-worker --dev` (worker and embedded
// server in one process, SQLite on disk) with SIGKILL while a promotion's
// push has reached the remote and its answer is held, then restarts it on
// the same data directory: the project, its Freight and the promotion come
// back, and the promotion finishes with exactly one commit.
func TestDevServerKilled(t *testing.T) {
	gate := newPushGate(delayAnswer)
	git := testenv.NewGitServer(t, gate.option())
	t.Cleanup(gate.open)
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "gitops", "stage/dev", map[string]string{"README.md": "gitops\n"}, "init")
	git.Commit(t, "src", "main", map[string]string{"manifests/app.yaml": "version: 1\n"}, "v1")

	port := freePort(t)
	e := &env{t: t, addr: "127.0.0.1:" + strconv.Itoa(port), cacheDir: t.TempDir(), logLevel: "info",
		logPath: filepath.Join(t.TempDir(), "worker.log"), project: "skeleton",
		args: []string{"--dev", "--data-dir", t.TempDir(), "--port", strconv.Itoa(port), "--ui-port", "0", "--dashboard-port", "0"}}
	t.Cleanup(e.cleanup)
	e.startWorker()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	c, err := client.Dial(client.Options{HostPort: e.addr, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	e.client = c
	e.must("apply", "-f", writeManifests(t, strings.NewReplacer("SRC", src, "GITOPS", gitops).Replace(skeletonManifests)))

	gate.wait(t, 2*time.Minute)
	before := devState(t, e)
	killed := time.Now()
	e.killWorker()
	gate.open() // the commit is on the remote; its answer went to a dead process
	e.startWorker()
	back := time.Since(killed)
	p := waitPromotion(t, e, 3*time.Minute, func(p workflows.PromotionRecord) bool { return !p.FinishedAt.IsZero() })
	done := time.Since(killed)
	if p.Phase != railyard.PhaseSucceeded {
		t.Fatalf("promotion %s ended %s (%s), want Succeeded", p.Name, p.Phase, p.Message)
	}
	assertOnePromotionCommit(t, git, p.Name, "version: 1\n")
	after := devState(t, e)
	if !slices.Equal(before.freight, after.freight) || !slices.Contains(after.promotions, before.promotions[0]) {
		t.Fatalf("state after the restart %+v, before %+v", after, before)
	}
	clusterFigure(t, "fault %-40s restarted and ready in %s; promotion finished %s after the kill; 1 commit; %d Freight, promotion %s kept",
		"--dev worker+server kill -9 + restart", back.Round(time.Millisecond), done.Round(time.Millisecond),
		len(after.freight), before.promotions[0])
}

// devSnapshot is what must survive the kill: Freight IDs and promotion
// names, sorted.
type devSnapshot struct {
	freight, promotions []string
}

func devState(t *testing.T, e *env) devSnapshot {
	t.Helper()
	var fs []railyard.Freight
	var ps []workflows.PromotionRecord
	e.getJSON(&fs, "freight", "--project", e.project)
	e.getJSON(&ps, "promotions", "--project", e.project)
	var s devSnapshot
	for _, f := range fs {
		s.freight = append(s.freight, fmt.Sprint(f.ID))
	}
	for _, p := range ps {
		s.promotions = append(s.promotions, p.Name)
	}
	slices.Sort(s.freight)
	slices.Sort(s.promotions)
	if len(s.promotions) == 0 {
		t.Fatal("no promotion recorded before the kill")
	}
	return s
}
