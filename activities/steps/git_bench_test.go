package steps

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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

// BenchmarkGitPromotionWarm runs the git steps of a classic promotion
// (clone main + stage branch, clear, write, commit, push) on a warm worker
// against gitops.git, one new source commit per iteration.
func BenchmarkGitPromotionWarm(b *testing.B) {
	b.StopTimer()
	srv := gitopsFixture(b)
	e := &gitEnv{srv: srv, url: srv.URL("gitops"), client: &git.Client{CacheDir: b.TempDir()}}
	var bytes, reqs int64
	for i := range b.N + 1 {
		srv.Commit(b, "gitops", "main", map[string]string{"base/configmap.yaml": fmt.Sprint("rev: ", i)}, "source change")
		sc := &Context{WorkDir: b.TempDir(), Promotion: fmt.Sprint("dev.bench.", i)}
		srv.ResetCounters()
		if i > 0 { // iteration 0 warms the worker's cache
			b.StartTimer()
		}
		benchPromote(b, e, sc)
		b.StopTimer()
		if i > 0 {
			bytes += srv.BytesServed()
			reqs += srv.Requests()
		} else {
			b.ReportMetric(float64(srv.BytesServed()), "cold-bytes-served")
		}
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes-served/op")
	b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
}

func benchPromote(b *testing.B, e *gitEnv, sc *Context) {
	steps := []struct {
		r   Runner
		cfg string
	}{
		{GitClone{Git: e.client}, `{"repoURL":"` + e.url + `","checkout":[{"branch":"main","path":"src"},{"branch":"env/dev","create":true,"path":"out"}]}`},
		{GitClear{}, `{"path":"out"}`},
		{GitCommit{Git: e.client}, `{"path":"out","message":"promote"}`},
		{GitPush{Git: e.client}, `{"path":"out","targetBranch":"env/dev"}`},
	}
	for k, s := range steps {
		if k == 2 {
			os.WriteFile(filepath.Join(sc.WorkDir, "out", "manifests.yaml"), []byte(sc.Promotion), 0o644)
		}
		if _, err := s.r.Run(b.Context(), sc, []byte(s.cfg)); err != nil {
			b.Fatalf("%s: %v", s.r.Name(), err)
		}
	}
}
