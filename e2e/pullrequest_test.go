package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

// prManifests: Stage prod pushes a generated branch to GITOPS (on Gitea),
// opens a pull request into main and waits for it (WAIT: the last step).
var prManifests = projectYAML("prs", "prod") + prReceiver + gitWarehouseYAML("prs", "app", "SRC") + `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: prod, namespace: prs}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {direct: true}
  promotionTemplate:
    spec:
      vars:
      - {name: gitops, value: GITOPS}
      steps:
      - uses: git-clone
        config:
          repoURL: SRC
          checkout:
          - {commit: "${{ commitFrom('SRC').ID }}", path: ./src}
      - uses: git-clone
        config:
          repoURL: ${{ vars.gitops }}
          checkout:
          - {branch: main, path: ./out}
      - uses: copy
        config: {inPath: ./src/app.yaml, outPath: ./out/app.yaml}
      - uses: git-commit
        config: {path: ./out, message: "promote ${{ ctx.targetFreight.alias }}"}
      - uses: git-push
        as: push
        config: {path: ./out, generateTargetBranch: true, provider: gitea}
      - uses: git-open-pr
        as: open
        config:
          repoURL: ${{ vars.gitops }}
          provider: gitea
          sourceBranch: ${{ outputs.push.branch }}
          targetBranch: main
          labels: [promotion]
WAIT`

const waitStep = `      - uses: git-wait-for-pr
        as: wait
        config:
          repoURL: ${{ vars.gitops }}
          provider: gitea
          prNumber: ${{ outputs.open.pr.id }}
`

const mergeStep = `      - uses: git-merge-pr
        as: merge
        config:
          repoURL: ${{ vars.gitops }}
          provider: gitea
          prNumber: ${{ outputs.open.pr.id }}
          wait: true
`

// prHookSecret signs the Gitea webhook of the gitops repository.
const prHookSecret = "pr-hook-3e9b1f"

// prSecrets are the worker's Kargo Secrets: the Gitea token for the
// gitops repository and the receiver's secret.
const prSecrets = `apiVersion: v1
kind: Secret
metadata:
  name: gitea-token
  namespace: prs
  labels: {kargo.akuity.io/cred-type: git}
stringData: {repoURLPattern: 'PATTERN', username: USER, password: TOKEN}
---
apiVersion: v1
kind: Secret
metadata: {name: gitea-hook, namespace: prs}
stringData: {secret: ` + prHookSecret + `}
`

// prReceiver is the ProjectConfig's receiver for Gitea's events.
const prReceiver = `  webhookReceivers:
  - name: gitea
    gitea: {secretRef: {name: gitea-hook}}
`

// prEnv starts Gitea, a source repository, Railyard with the Gitea token
// in the worker's Kargo Secrets and a receiver for Gitea's events, and
// applies the manifests with last as the final step.
func prEnv(t *testing.T, last string) (*env, *testenv.Gitea, *testenv.GitServer) {
	g := testenv.StartGitea(t)
	gitops := g.CreateRepo("gitops")
	git := testenv.NewGitServer(t)
	src := git.CreateRepo(t, "src")
	dir := t.TempDir()
	secrets := strings.NewReplacer("PATTERN", "^"+regexp.QuoteMeta(g.URL)+"/.*", "USER", g.User, "TOKEN", g.Token).Replace(prSecrets)
	if err := os.WriteFile(filepath.Join(dir, "secrets.yaml"), []byte(secrets), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	e := newEnv(t, withWorkerArgs("--credentials", dir, "--webhook-addr", addr), withLogLevel("info"))
	e.project = "prs"
	m := strings.NewReplacer("SRC", src, "GITOPS", gitops, "WAIT", last).Replace(prManifests)
	e.must("apply", "-f", writeManifests(t, m))
	return e, g, git
}

// prodPromotion returns the newest promotion of prod.
func prodPromotion(e *env) (workflows.PromotionRecord, bool) {
	var ps []workflows.PromotionRecord
	e.getJSON(&ps, "promotions", "--project", "prs")
	if len(ps) == 0 {
		return workflows.PromotionRecord{}, false
	}
	newest := ps[0]
	for _, p := range ps {
		if p.StartedAt.After(newest.StartedAt) {
			newest = p
		}
	}
	return newest, true
}

func pulls(g *testenv.Gitea, state string) []map[string]any {
	var ps []map[string]any
	g.API(http.MethodGet, "/repos/"+g.User+"/gitops/pulls?state="+state, nil, &ps)
	return ps
}

func TestPromotionThroughPullRequest(t *testing.T) {
	e, g, git := prEnv(t, waitStep)
	git.Commit(t, "src", "main", map[string]string{"app.yaml": "version: 1\n"}, "v1")
	e.must("refresh", "warehouse", "app", "--project", "prs")

	// The promotion pushes, opens PR #1 and waits; get stages says so.
	var stages []stageView
	want := fmt.Sprintf("waiting for PR #1 (%s/%s/gitops/pulls/1)", g.URL, g.User)
	e.eventually(120*time.Second, "prod waiting for PR #1", func() bool {
		out, _ := e.railyard("get", "stages", "prod", "--project", "prs")
		return strings.Contains(out, want)
	})
	e.getJSON(&stages, "stages", "prod", "--project", "prs")
	first := stages[0].Status.Current

	// The worker dies while the promotion waits; a new one starts it over
	// from a fresh workspace: git-push finds its commit, git-open-pr the
	// open PR. Still one PR.
	e.killWorker()
	e.startWorkerIn(t.TempDir())
	e.eventually(120*time.Second, "the promotion started over", func() bool {
		var st workflows.PromotionStatus
		return e.query(&st, first.WorkflowID, workflows.QueryStatus) == nil && st.Workspaces == 2 &&
			strings.Contains(st.Message, "waiting for PR #1")
	})
	if n := len(pulls(g, "all")); n != 1 {
		t.Fatalf("%d pull requests after the lost worker, want 1", n)
	}
	events, timers := timerEvents(t, e, first.WorkflowID)
	time.Sleep(45 * time.Second) // polls at 10 s, 10 s, 20 s …
	events2, timers2 := timerEvents(t, e, first.WorkflowID)
	perMinute := float64(events2-events) * 60 / 45
	if timers2 > timers {
		t.Logf("figures: %d history events for %d polls: %.1f per poll", events2-events, timers2-timers,
			float64(events2-events)/float64(timers2-timers))
	}

	// Gitea now tells the receiver about pull requests. A human merges
	// through Gitea's API while the promotion waits on a timer with at
	// least 15 s to go: Gitea's pull_request event wakes the promotion, which
	// succeeds before the timer would have fired.
	g.AddHook("gitops", e.receiverURLs(1)["gitea"], prHookSecret, "pull_request")
	fires := nextPoll(t, e, first.WorkflowID, 15*time.Second)
	if st := g.API(http.MethodPost, "/repos/"+g.User+"/gitops/pulls/1/merge", map[string]any{"Do": "merge"}, nil); st != http.StatusOK {
		t.Fatalf("human merge: status %d", st)
	}
	merged := time.Now()
	e.eventually(5*time.Minute, "the promotion to succeed", func() bool {
		p, ok := prodPromotion(e)
		return ok && p.Phase == railyard.PhaseSucceeded
	})
	woke := time.Since(merged)
	if n := countEvents(t, e, first.WorkflowID, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED); n != 1 {
		t.Fatalf("%d signals in the promotion's history, want the one poll", n)
	}
	if n := countEvents(t, e, first.WorkflowID, enumspb.EVENT_TYPE_TIMER_CANCELED); n != 1 || time.Now().After(fires) {
		t.Fatalf("%d canceled timers, success %s after the merge: the poll timer (due in %s) was not cut short",
			n, woke.Round(time.Millisecond), time.Until(fires).Round(time.Second))
	}
	t.Logf("figures: %.0f history events per minute of waiting at the start of the backoff; success %s after the human merge (woken by Gitea's pull_request event); %d events in all",
		perMinute, woke.Round(time.Millisecond), e.historyEvents(first.WorkflowID))

	// A PR closed without merge fails the promotion with the reason.
	git.Commit(t, "src", "main", map[string]string{"app.yaml": "version: 2\n"}, "v2")
	e.must("refresh", "warehouse", "app", "--project", "prs")
	e.eventually(120*time.Second, "PR #2", func() bool { return len(pulls(g, "open")) == 1 })
	g.API(http.MethodPatch, "/repos/"+g.User+"/gitops/pulls/2", map[string]any{"state": "closed"}, nil)
	e.eventually(5*time.Minute, "the promotion to fail", func() bool {
		p, ok := prodPromotion(e)
		return ok && p.Phase == railyard.PhaseFailed && strings.Contains(p.Message, "was closed without merge")
	})
}

func TestPromotionThroughPullRequestInstantReview(t *testing.T) {
	e, g, git := prEnv(t, mergeStep)
	git.Commit(t, "src", "main", map[string]string{"app.yaml": "version: 1\n"}, "v1")
	e.must("refresh", "warehouse", "app", "--project", "prs")
	e.eventually(3*time.Minute, "the promotion to succeed", func() bool {
		p, ok := prodPromotion(e)
		return ok && p.Phase == railyard.PhaseSucceeded
	})
	p, _ := prodPromotion(e)
	var st workflows.PromotionStatus
	if err := e.query(&st, p.WorkflowID, workflows.QueryStatus); err != nil {
		t.Fatal(err)
	}
	var fromPush time.Duration
	for _, s := range st.Steps[4:] { // git-push, git-open-pr, git-merge-pr
		fromPush += s.Duration
	}
	if ps := pulls(g, "closed"); len(ps) != 1 || ps[0]["merged"] != true {
		t.Fatalf("pull requests: %v", ps)
	}
	t.Logf("figures: promotion %s in all, %s from push to merged PR (steps: %v); %d history events",
		st.FinishedAt.Sub(st.StartedAt).Round(time.Millisecond), fromPush.Round(time.Millisecond), stepDurations(st), e.historyEvents(p.WorkflowID))
}

// timerEvents counts a workflow's history events and its started timers.
func timerEvents(t *testing.T, e *env, workflowID string) (events, timers int) {
	t.Helper()
	all := history(t, e.client, workflowID).GetEvents()
	return len(all), countEvents(t, e, workflowID, enumspb.EVENT_TYPE_TIMER_STARTED)
}

// countEvents counts the events of one type in a workflow's history.
func countEvents(t *testing.T, e *env, workflowID string, typ enumspb.EventType) int {
	t.Helper()
	n := 0
	for _, ev := range history(t, e.client, workflowID).GetEvents() {
		if ev.GetEventType() == typ {
			n++
		}
	}
	return n
}

// nextPoll waits until the workflow's pending poll timer has at least
// margin to go and returns when it fires.
func nextPoll(t *testing.T, e *env, workflowID string, margin time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		var fires time.Time
		for _, ev := range history(t, e.client, workflowID).GetEvents() {
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_TIMER_STARTED:
				fires = ev.GetEventTime().AsTime().Add(ev.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration())
			case enumspb.EVENT_TYPE_TIMER_FIRED, enumspb.EVENT_TYPE_TIMER_CANCELED:
				fires = time.Time{}
			}
		}
		if time.Until(fires) >= margin {
			return fires
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("no poll timer with %s to go in 5 minutes", margin)
	return time.Time{}
}

func stepDurations(st workflows.PromotionStatus) string {
	var out []string
	for _, s := range st.Steps {
		out = append(out, fmt.Sprintf("%s=%s", s.Uses, s.Duration.Round(time.Millisecond)))
	}
	return strings.Join(out, " ")
}
