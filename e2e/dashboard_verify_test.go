package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// TestDashboardVerification shows a stage's verification on its page:
// each measurement (metric, phase, value) of the web and Prometheus
// metrics, read from the Stage's history.
func TestDashboardVerification(t *testing.T) {
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer health.Close()
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "demo_success_ratio 0.99")
	}))
	defer metrics.Close()
	prom := testenv.StartPrometheus(t, strings.TrimPrefix(metrics.URL, "http://"))
	git := testenv.NewGitServer(t)
	src := git.CreateRepo(t, "src")
	git.Commit(t, "src", "main", map[string]string{"a.txt": "1"}, "one")
	e := newEnv(t)
	e.project = "verify"
	text := strings.NewReplacer("SRC", src, "PROM", prom, "HEALTH", health.URL).Replace(verifyManifests)
	e.must("apply", "-f", writeManifests(t, text))
	e.eventually(90*time.Second, "dev verified", func() bool { return verification(e, "verify", "dev") == railyard.AnalysisSuccessful })

	b := startBoard(t, e)
	status, body := b.get("/projects/verify/stages/dev")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{"health/healthy", "success-ratio/ratio", "<code>true</code>", "2 metrics successful"} {
		if !strings.Contains(body, want) {
			t.Errorf("dev's page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<td>health/healthy</td>"); n != 2 {
		t.Errorf("dev's page lists %d measurements of health/healthy, want 2 (count: 2)", n)
	}
}
