package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

var verifyManifests = projectYAML("verify", "regex:^(dev|uat)$") +
	gitWarehouseYAML("verify", "app", "SRC") + `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: health, namespace: verify}
spec:
  args:
  - name: url
  metrics:
  - name: healthy
    count: 2
    interval: 1s
    successCondition: result == true
    provider:
      web:
        url: "{{args.url}}"
        jsonPath: "{$.ok}"
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: success-ratio, namespace: verify}
spec:
  metrics:
  - name: ratio
    successCondition: result[0] >= 0.95
    provider:
      prometheus:
        address: PROM
        query: demo_success_ratio
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: verify}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {direct: true}
  promotionTemplate:
    spec:
      steps:
      - uses: file-write
        config: {path: ./out/commit.txt, contents: "${{ commitFrom('SRC').ID }}"}
  verification:
    analysisTemplates:
    - name: health
    - name: success-ratio
    args:
    - name: url
      value: HEALTH/${{ ctx.stage }}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: uat, namespace: verify}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {stages: [dev]}
  promotionTemplate:
    spec:
      steps:
      - uses: file-write
        config: {path: ./out/commit.txt, contents: "${{ commitFrom('SRC').ID }}"}
`

// TestVerification gates uat on dev's verification: a web metric against a
// live endpoint and a query to a real Prometheus. A failed verification
// keeps the Freight from moving on; re-verifying after the fix lets it.
func TestVerification(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"ok": %v, "stage": %q}`, healthy.Load(), strings.TrimPrefix(r.URL.Path, "/"))
	}))
	defer health.Close()
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "demo_success_ratio 0.99")
	}))
	defer metrics.Close()
	prom := testenv.StartPrometheus(t, strings.TrimPrefix(metrics.URL, "http://"))

	git := testenv.NewGitServer(t)
	src := git.CreateRepo(t, "src")
	c1 := git.Commit(t, "src", "main", map[string]string{"a.txt": "1"}, "one")
	e := newEnv(t)
	e.project = "verify"
	text := strings.NewReplacer("SRC", src, "PROM", prom, "HEALTH", health.URL).Replace(verifyManifests)
	e.must("apply", "-f", writeManifests(t, text))

	e.eventually(90*time.Second, "c1 verified in dev and promoted to uat", func() bool {
		return stageHolds(e, "verify", "uat") == c1 && verification(e, "verify", "dev") == railyard.AnalysisSuccessful
	})

	healthy.Store(false)
	c2 := git.Commit(t, "src", "main", map[string]string{"a.txt": "2"}, "two")
	e.must("refresh", "warehouse", "app", "--project", "verify")
	e.eventually(90*time.Second, "c2 in dev failing verification", func() bool {
		return stageHolds(e, "verify", "dev") == c2 && verification(e, "verify", "dev") == railyard.AnalysisFailed
	})
	time.Sleep(2 * time.Second)
	if got := stageHolds(e, "verify", "uat"); got != c1 {
		t.Fatalf("uat holds %s after dev failed verification, want %s", got, c1)
	}
	if _, err := e.railyard("promote", "--project", "verify", "--stage", "uat", "--freight", shortOf(e, c2)); err == nil ||
		!strings.Contains(err.Error(), "not available to stage uat") {
		t.Fatalf("promoting unverified Freight to uat: %v", err)
	}

	healthy.Store(true)
	e.must("verify", "stage", "dev", "--project", "verify")
	e.eventually(90*time.Second, "c2 re-verified in dev and promoted to uat", func() bool {
		return stageHolds(e, "verify", "uat") == c2
	})

	// An approval makes Freight available to uat although dev failed it.
	healthy.Store(false)
	c3 := git.Commit(t, "src", "main", map[string]string{"a.txt": "3"}, "three")
	e.must("refresh", "warehouse", "app", "--project", "verify")
	e.eventually(90*time.Second, "c3 in dev failing verification", func() bool {
		return stageHolds(e, "verify", "dev") == c3 && verification(e, "verify", "dev") == railyard.AnalysisFailed
	})
	if _, err := e.railyard("approve", "--project", "verify", "--stage", "prod", "--freight", shortOf(e, c3)); err == nil {
		t.Fatal("approving for a stage that does not request the Freight's warehouse was accepted")
	}
	e.must("approve", "--project", "verify", "--stage", "uat", "--freight", shortOf(e, c3))
	e.eventually(90*time.Second, "approved c3 auto-promoted to uat", func() bool {
		return stageHolds(e, "verify", "uat") == c3
	})
}

// stageHolds returns the commit of the app Freight a stage holds.
func stageHolds(e *env, project, stage string) string {
	var stages []stageView
	e.getJSON(&stages, "stages", stage, "--project", project)
	if len(stages) == 0 || len(stages[0].Status.History) == 0 {
		return ""
	}
	ref, _ := stages[0].Status.History[0].Collection.Get(railyard.WarehouseOrigin("app"))
	if len(ref.Commits) == 0 {
		return ""
	}
	return ref.Commits[0].ID
}

func verification(e *env, project, stage string) railyard.AnalysisPhase {
	var stages []stageView
	e.getJSON(&stages, "stages", stage, "--project", project)
	if len(stages) == 0 || len(stages[0].Status.History) == 0 {
		return ""
	}
	return stages[0].Status.History[0].Verification.Phase
}

// shortOf returns the alias of the Freight carrying commit.
func shortOf(e *env, commit string) string {
	var fs []railyard.Freight
	e.getJSON(&fs, "freight", "--project", e.project)
	for _, f := range fs {
		if len(f.Commits) > 0 && f.Commits[0].ID == commit {
			return f.Alias
		}
	}
	e.t.Fatalf("no Freight carries %s", commit)
	return ""
}
