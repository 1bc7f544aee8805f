package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

const fanoutStages = 10

var fanoutHeader = projectYAML("fanout", "glob:stage-*") +
	gitWarehouseYAML("fanout", "app", "SRC")

// fanoutStage writes into its own directory of the shared branch: it
// deletes only that directory, never the whole tree, then copies into it.
const fanoutStage = `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: STAGE
  namespace: fanout
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
      - name: srcRepo
        value: SRC
      - name: gitopsRepo
        value: GITOPS
      steps:
      - uses: git-clone
        config:
          repoURL: ${{ vars.srcRepo }}
          checkout:
          - commit: ${{ commitFrom(vars.srcRepo).ID }}
            path: ./src
      - uses: git-clone
        config:
          repoURL: ${{ vars.gitopsRepo }}
          checkout:
          - branch: env/all
            path: ./out
      - uses: delete
        config:
          path: ./out/${{ ctx.stage }}
      - uses: copy
        config:
          inPath: ./src/manifests/${{ ctx.stage }}
          outPath: ./out/${{ ctx.stage }}
      - uses: git-commit
        config:
          path: ./out
          message: promote ${{ ctx.targetFreight.alias }} to ${{ ctx.stage }}
      - uses: git-push
        config:
          path: ./out
          targetBranch: env/all
`

func fanoutManifests(src, gitops string) string {
	var b strings.Builder
	b.WriteString(fanoutHeader)
	for i := range fanoutStages {
		b.WriteString(strings.ReplaceAll(fanoutStage, "STAGE", fmt.Sprintf("stage-%d", i)))
	}
	return strings.NewReplacer("SRC", src, "GITOPS", gitops).Replace(b.String())
}

// TestConcurrentPushesToOneBranch promotes one Freight into ten stages at
// once, all pushing to the same branch: every push must land (rebased onto
// the others), none may be lost or doubled.
func TestConcurrentPushesToOneBranch(t *testing.T) {
	start := time.Now()
	git := testenv.NewGitServer(t)
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "gitops", "env/all", map[string]string{"README.md": "gitops\n"}, "init")
	files := map[string]string{}
	for i := range fanoutStages {
		files[fmt.Sprintf("manifests/stage-%d/app.yaml", i)] = fmt.Sprintf("stage: stage-%d\n", i)
	}
	git.Commit(t, "src", "main", files, "v1")
	e := newEnv(t)
	e.project = "fanout"
	e.must("apply", "-f", writeManifests(t, fanoutManifests(src, gitops)))

	var ps []workflows.PromotionRecord
	e.eventually(3*time.Minute, "ten promotions to finish", func() bool {
		e.getJSON(&ps, "promotions", "--project", "fanout")
		return len(ps) >= fanoutStages && allFinished(ps)
	})
	assertFanout(t, git, ps)
	t.Logf("%d of %d pushes lost a race and were rebased onto the others", rebased(e, ps), len(ps))
	t.Logf("ten concurrent promotions took %s end to end", time.Since(start).Round(time.Second))
}

func allFinished(ps []workflows.PromotionRecord) bool {
	for _, p := range ps {
		if p.Phase == railyard.PhasePending || p.Phase == railyard.PhaseRunning {
			return false
		}
	}
	return true
}

// rebased counts the promotions whose pushed commit differs from the one
// git-commit made: they found the branch moved and rebased.
func rebased(e *env, ps []workflows.PromotionRecord) int {
	n := 0
	for _, p := range ps {
		var st workflows.PromotionStatus
		e.getJSON(&st, "promotions", p.Name, "--project", "fanout")
		out := map[string]any{}
		for _, s := range st.Steps {
			if s.Uses == "git-commit" || s.Uses == "git-push" {
				out[s.Uses] = s.Output["commit"]
			}
		}
		if out["git-commit"] != out["git-push"] {
			n++
		}
	}
	return n
}

// assertFanout checks one succeeded promotion per stage, one commit per
// promotion on env/all, and every stage's file in the final tree.
func assertFanout(t *testing.T, git *testenv.GitServer, ps []workflows.PromotionRecord) {
	t.Helper()
	if len(ps) != fanoutStages {
		t.Errorf("%d promotions, want %d", len(ps), fanoutStages)
	}
	log := branchLog(t, git, "gitops", "env/all")
	if len(log) != fanoutStages+1 {
		t.Errorf("env/all has %d commits, want init + %d", len(log), fanoutStages)
	}
	stages := map[string]bool{}
	for _, p := range ps {
		stages[p.Stage] = true
		if p.Phase != railyard.PhaseSucceeded {
			t.Errorf("promotion %s: %s (%s)", p.Name, p.Phase, p.Message)
		}
		if n := len(withTrailer(log, p.Name)); n != 1 {
			t.Errorf("promotion %s has %d commits on env/all, want 1", p.Name, n)
		}
	}
	for i := range fanoutStages {
		stage := fmt.Sprintf("stage-%d", i)
		if !stages[stage] {
			t.Errorf("no promotion to %s", stage)
		}
		want := fmt.Sprintf("stage: %s\n", stage)
		if got := git.ReadFile(t, "gitops", "env/all", stage+"/app.yaml"); got != want {
			t.Errorf("%s/app.yaml = %q, want %q", stage, got, want)
		}
	}
	if got := git.ReadFile(t, "gitops", "env/all", "README.md"); got != "gitops\n" {
		t.Errorf("README.md = %q: a stage touched what is not its own", got)
	}
}
