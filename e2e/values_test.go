package e2e

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

// valuesManifests: a project whose promotion writes values read from its
// own ConfigMap and from a ConfigMap of the shared namespace.
var valuesManifests = projectYAML("values", "glob:*") +
	gitWarehouseYAML("values", "app", "SRC") + `---
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: values}
data: {greeting: hello}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: org, namespace: kargo-shared-resources}
data: {team: platform}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata: {name: smoke}
spec:
  args:
  - name: url
  metrics:
  - name: up
    successCondition: result == true
    provider:
      web: {url: "{{args.url}}", jsonPath: "{$.ok}"}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: values}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {direct: true}
  verification:
    analysisTemplates:
    - {name: smoke, kind: ClusterAnalysisTemplate}
    args:
    - {name: url, value: HEALTH}
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config:
          repoURL: GITOPS
          checkout: [{branch: stage/dev, create: true, path: ./out}]
      - uses: set-metadata
        config:
          updates:
          - {kind: Stage, name: "${{ ctx.stage }}", values: {region: eu}}
          - {kind: Freight, name: "${{ ctx.targetFreight.name }}", values: {ticket: OPS-1, checks: [a, b]}}
      - uses: file-write
        config:
          path: ./out/values.txt
          contents: "${{ configMap('app').greeting }} ${{ sharedConfigMap('org').team }} [${{ configMap('none').x }}]"
      - uses: file-write
        config:
          path: ./out/metadata.txt
          contents: "${{ freightMetadata(ctx.targetFreight.name).ticket }} ${{ stageMetadata(ctx.stage).region }}"
      - uses: git-commit
        config: {path: ./out, message: "values"}
      - uses: git-push
        config: {path: ./out, targetBranch: stage/dev}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: uat, namespace: values}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {stages: [dev]}
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config:
          repoURL: GITOPS
          checkout: [{branch: stage/uat, create: true, path: ./out}]
      - uses: file-write
        config:
          path: ./out/metadata.txt
          contents: >-
            ${{ freightMetadata(ctx.targetFreight.name, 'ticket') }}
            ${{ len(freightMetadata(ctx.targetFreight.name).checks) }}
            ${{ stageMetadata('dev').region }}
            ${{ freightStatus(ctx.targetFreight.name).verifiedIn.dev != nil }}
            ${{ freightStatus(ctx.targetFreight.name).approvedFor?.uat?.approvedAt == nil }}
      - uses: git-commit
        config: {path: ./out, message: "metadata"}
      - uses: git-push
        config: {path: ./out, targetBranch: stage/uat}
`

// TestKargoValues: configMap() and sharedConfigMap() read the applied
// ConfigMaps on the worker during a promotion, a missing one being empty;
// set-metadata's updates are seen by the promotion's later steps, kept by
// the Stage and the Pipeline when it succeeds, and read back by the next
// stage's promotion with freightMetadata(), stageMetadata() and
// freightStatus(). Stage dev is verified with a ClusterAnalysisTemplate
// applied once to the Shared workflow.
func TestKargoValues(t *testing.T) {
	git := testenv.NewGitServer(t)
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "src", "main", map[string]string{"a.txt": "1"}, "one")
	git.Commit(t, "gitops", "main", map[string]string{"README.md": "x"}, "init")
	var checks atomic.Int64
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		checks.Add(1)
		_, _ = w.Write([]byte(`{"ok": true}`))
	}))
	t.Cleanup(health.Close)
	e := newEnv(t)
	e.project = "values"
	out := e.must("apply", "-f", writeManifests(t, strings.NewReplacer("SRC", src, "GITOPS", gitops, "HEALTH", health.URL).Replace(valuesManifests)))
	if !strings.Contains(out, "shared resources applied (generation 1): 1 ConfigMaps, 1 ClusterAnalysisTemplates") {
		t.Errorf("apply output does not report the shared ConfigMap:\n%s", out)
	}
	show := func(path string) string {
		out, err := exec.Command("git", "--git-dir", git.Path("gitops"), "show", path).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	e.eventually(90*time.Second, "the promotion writing the ConfigMaps' values", func() bool {
		return show("stage/uat:metadata.txt") != ""
	})
	for path, want := range map[string]string{
		"stage/dev:values.txt":   "hello platform []",
		"stage/dev:metadata.txt": "OPS-1 eu",
		"stage/uat:metadata.txt": "OPS-1 2 eu true true",
	} {
		if got := show(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	var stages []struct {
		Status workflows.StageState `json:"status"`
	}
	e.getJSON(&stages, "stages", "dev", "--project", "values")
	if len(stages) != 1 || stages[0].Status.Metadata["region"] != "eu" {
		t.Fatalf("get stages dev: %+v, want status.metadata.region eu", stages)
	}
	if v := stages[0].Status.History[0].Verification; v.Phase != railyard.AnalysisSuccessful || checks.Load() == 0 {
		t.Errorf("dev's verification with the ClusterAnalysisTemplate: %+v after %d checks", v, checks.Load())
	}
}
