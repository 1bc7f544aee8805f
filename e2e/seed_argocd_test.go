package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// seedArgoCDManifests is the seed project whose render task ends, as Kargo's
// quickstart does, with argocd-update in the plain form of Kargo's docs:
// each stage's Application synced to the commit the promotion pushed.
func seedArgoCDManifests(images, config, gitops string) string {
	text := seedManifests(images, config, gitops, "1h")
	text = strings.Replace(text, "  - uses: git-commit\n", "  - uses: git-commit\n    as: commit\n", 1)
	return strings.Replace(text, "      targetBranch: stage/${{ ctx.stage }}\n", `      targetBranch: stage/${{ ctx.stage }}
  - uses: argocd-update
    config:
      apps:
      - name: seed-${{ ctx.stage }}
        sources:
        - repoURL: ${{ vars.gitopsRepo }}
          desiredRevision: ${{ task.outputs.commit.commit }}
`, 1)
}

// TestSeedArgoCD plays the seed's first step with every stage ending in
// argocd-update against a real API server, Argo CD's controller played by
// the test: each stage's Application is synced to what was pushed, the
// stages become Healthy before they count as verified, and a later
// degradation shows in `get stages`.
func TestSeedArgoCD(t *testing.T) {
	kube := testenv.StartKube(t)
	w := newSeedWorld(t)
	argo := kube.PlayArgoCD("argocd", func(app *unstructured.Unstructured) testenv.SyncOutcome {
		branch, _, _ := unstructured.NestedString(app.Object, "spec", "source", "targetRevision")
		return testenv.SyncOutcome{Revision: w.branchHead(branch), Delay: 300 * time.Millisecond}
	})
	for _, s := range seedStages {
		kube.CreateApp("argocd", "seed-"+s, w.gitops, "stage/"+s, "seed:"+s)
	}
	w.e = newEnv(t, withWorkerArgs("--kubeconfig", kube.Kubeconfig))
	w.e.project = "seed"
	c := w.dial()
	w.figure("etcd + kube-apiserver start to ready: %s", kube.StartedIn.Round(time.Millisecond))

	w.pushImage("1.0.0")
	cfg1 := w.commitFlags("newCheckout: false\n")
	dir := writeManifests(t, seedArgoCDManifests(w.images, w.config, w.gitops))
	out, err := exec.Command(filepath.Join(bin, "railyard"), "--address", w.e.addr, "validate", "-f", dir).CombinedOutput()
	if err != nil || strings.Contains(string(out), "warning") {
		t.Errorf("validate with a worker that reaches a cluster: %v\n%s", err, out)
	}
	w.e.must("apply", "-f", dir)
	v1 := slotsWant{"1.0.0", cfg1}
	w.stepAllAtV1(c, v1)
	for _, s := range seedStages {
		w.wantHealthy(s)
	}

	t.Run("time from push to Healthy", func(t *testing.T) {
		pushed := time.Now()
		w.pushImage("1.1.0")
		w.e.must("refresh", "warehouse", "images", "--project", "seed")
		w.e.eventually(2*time.Minute, "dev Healthy at image 1.1.0", func() bool {
			st := w.stage("dev")
			got, _ := holds(st)
			return got.Image == "1.1.0" && st.History[0].Health != nil && st.History[0].Health.Phase == railyard.HealthHealthy
		})
		w.figure("image push -> dev's Application Healthy at the pushed commit, seen by the Stage: %s",
			time.Since(pushed).Round(time.Millisecond))
		w.wantHealthy("dev")
	})
	t.Run("a later degradation shows in get stages", func(t *testing.T) {
		argo.SetHealth("seed-prod", "Degraded", "Deployment \"web\" exceeded its progress deadline")
		start := time.Now()
		w.e.eventually(time.Minute, "prod Degraded in get stages", func() bool {
			out := w.e.must("get", "stages", "prod", "--project", "seed")
			return strings.Contains(out, "Degraded: Deployment \"web\" exceeded its progress deadline")
		})
		w.figure("Application degraded -> shown by get stages: %s", time.Since(start).Round(time.Millisecond))
	})
	w.figure("sync operations Argo CD ran: %d", argo.Syncs())
}

// branchHead is the commit a GitOps branch points at ("" when absent).
func (w *seedWorld) branchHead(branch string) string {
	cmd := exec.Command("git", "rev-parse", "--verify", "-q", "refs/heads/"+branch)
	cmd.Dir, cmd.Env = w.git.Path("gitops"), testenv.Env(w.home)
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

// wantHealthy waits until a stage's Application is Healthy and synced to
// the stage branch's head, and the stage says so.
func (w *seedWorld) wantHealthy(stage string) {
	w.t.Helper()
	w.e.eventually(time.Minute, stage+" Healthy at its branch head", func() bool {
		cur := w.stage(stage).History[0]
		if cur.Health == nil || cur.Health.Phase != railyard.HealthHealthy || len(cur.Apps) != 1 {
			return false
		}
		return strings.Join(cur.Apps[0].DesiredRevisions, ",") == w.branchHead("stage/"+stage)
	})
	if v := w.stage(stage).History[0].Verification.Phase; v != railyard.AnalysisSuccessful {
		w.t.Errorf("%s is Healthy but its verification is %s", stage, v)
	}
}
