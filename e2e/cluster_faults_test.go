package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

// TestClusterFaults stops the cluster's servers while a promotion's push
// has reached the remote and its answer is held: the Temporal server killed
// with SIGKILL and restarted, then PostgreSQL stopped the way a crash
// stops it (immediate mode, recovery from the WAL) and restarted. Each
// promotion must finish, Succeeded, with exactly one commit; the figures
// are the time the component took to come back and the time from the fault
// to the promotion's end.
func TestClusterFaults(t *testing.T) {
	ce := newClusterEnv(t, 2)
	faults := []struct {
		project string
		what    string
		inject  func()
	}{
		{"fault-server", "Temporal server kill -9 + restart", func() { ce.Server.Kill(); ce.Server.Start(t) }},
		{"fault-postgres", "PostgreSQL crash stop + restart", func() { ce.Postgres.Restart(t) }},
	}
	for _, f := range faults {
		e := ce.e
		faultDuringPush(t, e, f.project, f.what, f.inject)
	}
}

// faultDuringPush applies a one-stage project, holds the answer to its
// first push (the commit is on the remote), injects the fault, releases the
// answer and checks the promotion's end and its one commit.
func faultDuringPush(t *testing.T, e *env, project, what string, inject func()) {
	t.Helper()
	gate := newPushGate(delayAnswer)
	git := testenv.NewGitServer(t, gate.option())
	t.Cleanup(gate.open) // before the server's Close, which waits for the held push
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "gitops", "stage/dev", map[string]string{"README.md": "gitops\n"}, "init")
	git.Commit(t, "src", "main", map[string]string{"manifests/app.yaml": "version: 1\n"}, "v1")
	e.project = project
	text := strings.NewReplacer("skeleton", project, "SRC", src, "GITOPS", gitops).Replace(skeletonManifests)
	e.must("apply", "-f", writeManifests(t, text))

	gate.wait(t, 2*time.Minute)
	name := waitPromotion(t, e, time.Minute, func(p workflows.PromotionRecord) bool { return true }).Name
	start := time.Now()
	inject()
	back := time.Since(start)
	gate.open()
	p := waitPromotion(t, e, 3*time.Minute, func(p workflows.PromotionRecord) bool { return !p.FinishedAt.IsZero() })
	done := time.Since(start)
	if p.Name != name || p.Phase != railyard.PhaseSucceeded {
		t.Fatalf("%s: promotion %s ended %s (%s), want %s Succeeded", what, p.Name, p.Phase, p.Message, name)
	}
	assertOnePromotionCommit(t, git, name, "version: 1\n")
	clusterFigure(t, "fault %-40s component back in %s; promotion finished %s after the fault; 1 commit",
		what, back.Round(time.Millisecond), done.Round(time.Millisecond))
}

// waitPromotion polls the project's only promotion until ok holds, reading
// through errors (a server coming back, a query reaching a killed worker).
func waitPromotion(t *testing.T, e *env, limit time.Duration, ok func(workflows.PromotionRecord) bool) workflows.PromotionRecord {
	t.Helper()
	last := ""
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		out, err := e.railyard("get", "promotions", "--project", e.project, "-o", "json")
		var ps []workflows.PromotionRecord
		if err == nil {
			err = json.Unmarshal([]byte(out), &ps)
		}
		switch {
		case err != nil:
			last = err.Error()
		case len(ps) != 1:
			last = fmt.Sprintf("%d promotions", len(ps))
		case ok(ps[0]):
			return ps[0]
		default:
			last = fmt.Sprintf("%s is %s", ps[0].Name, ps[0].Phase)
		}
	}
	t.Fatalf("project %s: waited %s for its promotion: %s", e.project, limit, last)
	return workflows.PromotionRecord{}
}
