package steps

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/git"
	"github.com/railyard/railyard/internal/testenv"
)

// gitopsFixture serves a private copy (sharing objects) of gitops.git from
// RAILYARD_BENCH_DIR, or from fixtures built by the shared script.
func gitopsFixture(b *testing.B) *testenv.GitServer {
	dir := os.Getenv("RAILYARD_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		out, err := exec.Command("bash", "../../../shared/bench/fixtures.sh", dir).CombinedOutput()
		if err != nil {
			b.Skipf("building fixtures: %v: %s", err, out)
		}
	}
	srv := testenv.NewGitServer(b)
	cmd := exec.Command("git", "clone", "-q", "--bare", "--shared", filepath.Join(dir, "gitops.git"), srv.Path("gitops"))
	cmd.Env = testenv.Env(b.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("copying gitops.git: %v: %s", err, out)
	}
	cfg := exec.Command("git", "-C", srv.Path("gitops"), "config", "http.receivepack", "true")
	if out, err := cfg.CombinedOutput(); err != nil {
		b.Fatalf("configuring gitops.git: %v: %s", err, out)
	}
	return srv
}

// BenchmarkGitPromotionWarm runs the git steps of the classic promotion
// (clone the Freight's commit and the stage branch, clear, write, commit,
// push) on a warm worker against gitops.git, after the discovery of one new
// source commit (untimed, as the Warehouse does it before the promotion),
// and reports each step's time.
func BenchmarkGitPromotionWarm(b *testing.B) {
	b.StopTimer()
	srv := gitopsFixture(b)
	e := &gitEnv{srv: srv, url: srv.URL("gitops"), client: &git.Client{CacheDir: b.TempDir()}}
	var bytes, reqs int64
	steps := map[string]time.Duration{}
	var prev *railyard.SubscriptionResult
	for i := range b.N + 1 {
		srv.Commit(b, "gitops", "main", map[string]string{"base/configmap.yaml": fmt.Sprint("rev: ", i)}, "source change")
		found, err := e.client.Discover(b.Context(), railyard.GitSubscription{RepoURL: e.url, Branch: "main"}, prev)
		if err != nil {
			b.Fatal(err)
		}
		prev = &found
		sc := &Context{WorkDir: b.TempDir(), Promotion: fmt.Sprint("dev.bench.", i)}
		srv.ResetCounters()
		if i > 0 { // iteration 0 warms the worker's cache
			b.StartTimer()
		}
		took := benchPromote(b, e, sc, found.Commits[0].ID)
		b.StopTimer()
		if i > 0 {
			bytes += srv.BytesServed()
			reqs += srv.Requests()
			for k, d := range took {
				steps[k] += d
			}
		} else {
			b.ReportMetric(float64(srv.BytesServed()), "cold-bytes-served")
		}
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes-served/op")
	b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
	for k, d := range steps {
		b.ReportMetric(float64(d.Microseconds())/1000/float64(b.N), "ms-"+k)
	}
}

// benchPromote runs the steps and returns each one's time.
func benchPromote(b *testing.B, e *gitEnv, sc *Context, commit string) map[string]time.Duration {
	steps := []struct {
		r   Runner
		cfg string
	}{
		{GitClone{Git: e.client}, `{"repoURL":"` + e.url + `","checkout":[{"commit":"` + commit + `","path":"src"},{"branch":"env/dev","create":true,"path":"out"}]}`},
		{GitClear{}, `{"path":"out"}`},
		{GitCommit{Git: e.client}, `{"path":"out","message":"promote"}`},
		{GitPush{Git: e.client}, `{"path":"out","targetBranch":"env/dev"}`},
	}
	took := map[string]time.Duration{}
	for k, s := range steps {
		if k == 2 {
			os.WriteFile(filepath.Join(sc.WorkDir, "out", "manifests.yaml"), []byte(sc.Promotion), 0o644)
		}
		start := time.Now()
		if _, err := s.r.Run(b.Context(), sc, []byte(s.cfg)); err != nil {
			b.Fatalf("%s: %v", s.r.Name(), err)
		}
		took[s.r.Name()] = time.Since(start)
	}
	return took
}
