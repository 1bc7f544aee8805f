package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

// TestKillDuringPush kills the worker (SIGKILL) while the promotion's
// git-push is in flight, restarts it, and checks that the promotion starts
// over in a fresh workspace and still leaves exactly one commit on the
// stage branch.
func TestKillDuringPush(t *testing.T) {
	cases := []struct {
		name string
		mode gateMode
	}{
		// git-commit is done, the push has not reached the remote.
		{"between commit and push", refuseHeld},
		// the push reached the remote, the activity never completed; the
		// retried git-push must recognise its own trailer.
		{"after push reached remote", delayAnswer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			killDuringPush(t, tc.mode)
		})
	}
}

func killDuringPush(t *testing.T, mode gateMode) {
	start := time.Now()
	gate := newPushGate(mode)
	git := testenv.NewGitServer(t, gate.option())
	t.Cleanup(gate.open) // before the server's Close, which waits for the held push
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "gitops", "stage/dev", map[string]string{"README.md": "gitops\n"}, "init")
	git.Commit(t, "src", "main", map[string]string{"manifests/app.yaml": "version: 1\n"}, "v1")
	e := newEnv(t)
	e.project = "skeleton"
	text := strings.NewReplacer("SRC", src, "GITOPS", gitops).Replace(skeletonManifests)
	e.must("apply", "-f", writeManifests(t, text))

	gate.wait(t, 60*time.Second)
	name := onlyPromotion(e).Name
	killed := time.Now()
	e.killWorker()
	gate.open()
	e.startWorker()

	e.eventually(85*time.Second, "promotion "+name+" to finish", func() bool {
		phase := onlyPromotion(e).Phase
		return phase != railyard.PhaseRunning && phase != railyard.PhasePending
	})
	st := assertPromotion(t, e, name, railyard.PhaseSucceeded, 2)
	sha := assertOnePromotionCommit(t, git, name, "version: 1\n")
	if push := st.Steps[len(st.Steps)-1]; push.Uses != "git-push" || push.Output["commit"] != sha {
		t.Errorf("last step %s reported commit %v, want %s", push.Uses, push.Output["commit"], sha)
	}
	t.Logf("promotion %s took %s end to end, %s after the kill", name,
		time.Since(start).Round(time.Second), time.Since(killed).Round(time.Second))
}

// onlyPromotion returns the project's one promotion.
func onlyPromotion(e *env) workflows.PromotionRecord {
	e.t.Helper()
	var ps []workflows.PromotionRecord
	e.getJSON(&ps, "promotions", "--project", e.project)
	if len(ps) != 1 {
		e.t.Fatalf("want one promotion, have %d: %+v", len(ps), ps)
	}
	return ps[0]
}

// assertPromotion checks a promotion's phase, in the list and in its own
// status, and how many workspaces it used.
func assertPromotion(t *testing.T, e *env, name string, phase railyard.PromotionPhase, workspaces int) workflows.PromotionStatus {
	t.Helper()
	if got := onlyPromotion(e); got.Phase != phase {
		t.Errorf("get promotions: %s is %s (%s), want %s", name, got.Phase, got.Message, phase)
	}
	var st workflows.PromotionStatus
	e.getJSON(&st, "promotions", name, "--project", e.project)
	if st.Phase != phase {
		t.Errorf("get promotions %s: phase %s (%s), want %s", name, st.Phase, st.Message, phase)
	}
	if st.Workspaces != workspaces {
		t.Errorf("get promotions %s: %d workspaces, want %d", name, st.Workspaces, workspaces)
	}
	if len(st.Steps) == 0 {
		t.Fatalf("get promotions %s: no steps recorded", name)
	}
	return st
}

// assertOnePromotionCommit checks that stage/dev gained exactly one commit,
// carrying the promotion's trailer and the expected app.yaml, and returns it.
func assertOnePromotionCommit(t *testing.T, git *testenv.GitServer, name, want string) string {
	t.Helper()
	log := branchLog(t, git, "gitops", "stage/dev")
	if len(log) != 2 {
		t.Fatalf("stage/dev has %d commits, want init + 1: %+v", len(log), log)
	}
	mine := withTrailer(log, name)
	if len(mine) != 1 || mine[0].SHA != log[0].SHA {
		t.Fatalf("commits with trailer %q: %+v; branch: %+v", name, mine, log)
	}
	if got := git.ReadFile(t, "gitops", log[0].SHA, "app.yaml"); got != want {
		t.Errorf("app.yaml = %q, want %q", got, want)
	}
	return log[0].SHA
}
