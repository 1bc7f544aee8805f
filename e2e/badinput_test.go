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

var badInputManifests = projectYAML("bad", "dev") +
	gitWarehouseYAML("bad", "down", "DOWN") +
	gitWarehouseYAML("bad", "locked", "LOCKED") +
	gitWarehouseYAML("bad", "app", "SRC") + `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: bad}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {direct: true}
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config:
          repoURL: LOCKED
          checkout: [{branch: main, path: ./out}]
      - uses: git-push
        config: {path: ./out, targetBranch: main}
`

// TestBadInput: a git server that is down and one that rejects credentials
// give clear errors where users look; the workflows keep running and keep
// what they had.
func TestBadInput(t *testing.T) {
	open := testenv.NewGitServer(t)
	src := open.CreateRepo(t, "src")
	open.Commit(t, "src", "main", map[string]string{"a": "1"}, "one")
	locked := testenv.NewGitServer(t, testenv.WithBasicAuth("bot", "s3cret"))
	lockedURL := locked.CreateRepo(t, "locked")
	down := fmt.Sprintf("http://127.0.0.1:%d/gone.git", freePort(t))

	e := newEnv(t)
	e.project = "bad"
	text := strings.NewReplacer("DOWN", down, "LOCKED", lockedURL, "SRC", src).Replace(badInputManifests)
	e.must("apply", "-f", writeManifests(t, text))

	cases := []struct{ warehouse, want string }{
		{"down", "127.0.0.1"},
		{"locked", "authentication"},
	}
	for _, tc := range cases {
		t.Run(tc.warehouse, func(t *testing.T) {
			e.eventually(90*time.Second, tc.warehouse+" shows its error", func() bool {
				return strings.Contains(discoveryError(e, tc.warehouse), tc.want)
			})
			if strings.Contains(discoveryError(e, tc.warehouse), "s3cret") {
				t.Fatal("a password leaked into the error")
			}
		})
	}
	t.Run("rejected push", func(t *testing.T) {
		e.eventually(90*time.Second, "the promotion to fail with the reason", func() bool {
			var ps []workflows.PromotionRecord
			e.getJSON(&ps, "promotions", "--project", "bad")
			return len(ps) > 0 && ps[0].Phase == railyard.PhaseErrored && strings.Contains(ps[0].Message, "authentication")
		})
	})
	// Still answering: the project applies again and queries work.
	if out := e.must("apply", "-f", writeManifests(t, text)); !strings.Contains(out, "unchanged") {
		t.Fatalf("re-apply said %q", out)
	}
}

func discoveryError(e *env, warehouse string) string {
	var whs []struct {
		Status workflows.PipelineState `json:"status"`
	}
	e.getJSON(&whs, "warehouses", warehouse, "--project", e.project)
	if len(whs) == 0 {
		return ""
	}
	return whs[0].Status.Discovery.Error
}
