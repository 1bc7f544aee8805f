package git

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// Benchmark fixtures are built once per run by the shared fixtures script
// (RAILYARD_BENCH_FIXTURES overrides its path), or taken from
// RAILYARD_BENCH_DIR when that names a directory holding them already.
var fixtures struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtures.dir != "" && os.Getenv("RAILYARD_BENCH_DIR") == "" {
		os.RemoveAll(fixtures.dir)
	}
	os.Exit(code)
}

func fixtureDir(b *testing.B) string {
	fixtures.once.Do(func() {
		if dir := os.Getenv("RAILYARD_BENCH_DIR"); dir != "" {
			fixtures.dir = dir
			return
		}
		script := os.Getenv("RAILYARD_BENCH_FIXTURES")
		if script == "" {
			script = "../../../shared/bench/fixtures.sh"
		}
		if _, err := os.Stat(script); err != nil {
			fixtures.err = err
			return
		}
		fixtures.dir, fixtures.err = os.MkdirTemp("", "railyard-bench-")
		if fixtures.err != nil {
			return
		}
		out, err := exec.Command("bash", script, fixtures.dir).CombinedOutput()
		if err != nil {
			fixtures.err = fmt.Errorf("%v: %s", err, out)
		}
	})
	if fixtures.err != nil {
		b.Skipf("benchmark fixtures: %v", fixtures.err)
	}
	return fixtures.dir
}

// benchRepo serves a private copy of big.git that shares the fixture's
// objects, so benchmarks can add commits and tags without touching it.
func benchRepo(b *testing.B) *testenv.GitServer {
	src := filepath.Join(fixtureDir(b), "big.git")
	srv := testenv.NewGitServer(b)
	cmd := exec.Command("git", "clone", "-q", "--bare", "--shared", src, srv.Path("big"))
	cmd.Env = testenv.Env(b.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("copying big.git: %v: %s", err, out)
	}
	return srv
}

type cycleCounter struct {
	srv         *testenv.GitServer
	bytes, reqs int64
}

func (c *cycleCounter) measure(b *testing.B, f func()) {
	c.srv.ResetCounters()
	b.StartTimer()
	f()
	b.StopTimer()
	c.bytes += c.srv.BytesServed()
	c.reqs += c.srv.Requests()
}

func (c *cycleCounter) report(b *testing.B) {
	b.ReportMetric(float64(c.bytes)/float64(b.N), "bytes-served/op")
	b.ReportMetric(float64(c.reqs)/float64(b.N), "requests/op")
}

func discoverOrFail(b *testing.B, c *Client, sub railyard.GitSubscription, prev *railyard.SubscriptionResult) railyard.SubscriptionResult {
	res, err := c.Discover(b.Context(), sub, prev)
	if err != nil || len(res.Commits) == 0 {
		b.Fatalf("discover: %v %s", err, res.Error)
	}
	return res
}

func BenchmarkDiscoverFirstCycle(b *testing.B) {
	for _, strategy := range []string{railyard.CommitNewestFromBranch, railyard.CommitSemVer} {
		b.Run(strategy, func(b *testing.B) {
			b.StopTimer()
			srv := benchRepo(b)
			sub := railyard.GitSubscription{RepoURL: srv.URL("big"), CommitSelectionStrategy: strategy}
			cc := &cycleCounter{srv: srv}
			for range b.N {
				c := &Client{CacheDir: b.TempDir()}
				cc.measure(b, func() { discoverOrFail(b, c, sub, nil) })
			}
			cc.report(b)
		})
	}
}

func BenchmarkDiscoverNothingNew(b *testing.B) {
	b.StopTimer() // setup is not measured
	srv := benchRepo(b)
	c := &Client{CacheDir: b.TempDir()}
	sub := railyard.GitSubscription{RepoURL: srv.URL("big")}
	prev := discoverOrFail(b, c, sub, nil)
	cc := &cycleCounter{srv: srv}
	for range b.N {
		cc.measure(b, func() { prev = discoverOrFail(b, c, sub, &prev) })
	}
	cc.report(b)
}

func BenchmarkDiscoverOneNewCommit(b *testing.B) {
	b.StopTimer() // setup is not measured
	srv := benchRepo(b)
	c := &Client{CacheDir: b.TempDir()}
	sub := railyard.GitSubscription{RepoURL: srv.URL("big")}
	prev := discoverOrFail(b, c, sub, nil)
	cc := &cycleCounter{srv: srv}
	for i := range b.N {
		srv.Commit(b, "big", "main", map[string]string{"bench.txt": fmt.Sprint(i)}, fmt.Sprint("bench ", i))
		cc.measure(b, func() { prev = discoverOrFail(b, c, sub, &prev) })
	}
	cc.report(b)
}

func BenchmarkDiscoverSemVerOneNewTag(b *testing.B) {
	b.StopTimer() // setup is not measured
	srv := benchRepo(b)
	c := &Client{CacheDir: b.TempDir()}
	sub := railyard.GitSubscription{RepoURL: srv.URL("big"), CommitSelectionStrategy: railyard.CommitSemVer}
	prev := discoverOrFail(b, c, sub, nil)
	cc := &cycleCounter{srv: srv}
	for i := range b.N {
		tag := fmt.Sprintf("v1.0.%d", i)
		srv.Commit(b, "big", "main", map[string]string{"bench.txt": tag}, "release "+tag)
		srv.Tag(b, "big", tag, "main", true)
		cc.measure(b, func() { prev = discoverOrFail(b, c, sub, &prev) })
		if prev.Commits[0].Tag != tag {
			b.Fatalf("newest tag %s, want %s", prev.Commits[0].Tag, tag)
		}
	}
	cc.report(b)
}
