package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkScaleCluster is BenchmarkScale on the Temporal cluster
// (PostgreSQL, the Temporal server, railyard-worker processes without
// --dev), with one and with two workers: per worker memory and idle CPU,
// the first fill's discoveries per second, promotions per second, and the
// history of Pipelines and Stages, with its growth per day of polling.
//
// It runs only when SCALE_PIPELINES is set (make scale sets 1000, three
// stages each); the rest comes from the environment too: SCALE_PROJECTS (10), SCALE_INTERVAL (the Warehouses'
// discovery interval, 5m: Kargo's default), SCALE_IDLE (the measured idle
// window, 60s), SCALE_TIMEOUT (per wait, 60m) and SCALE_WORKERS (1,2). Run
// it with -benchtime 1x (make bench-scale-cluster).
func BenchmarkScaleCluster(b *testing.B) {
	if os.Getenv("SCALE_PIPELINES") == "" {
		b.Skip("BenchmarkScaleCluster runs when SCALE_PIPELINES is set: make scale (1,000 pipelines, 3,000 stages) takes over an hour")
	}
	s := scaleClusterSettings(b)
	// The repositories are shared: each run has its own workers' mirrors.
	begin := time.Now()
	manifests := scaleManifests(b, s.spec)
	fmt.Printf("%s: %d repositories, %d commits created in %s\n", b.Name(), s.spec.repos, s.spec.warehouses, time.Since(begin).Round(time.Second))
	for _, n := range s.workers {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				begin := time.Now()
				ce := newClusterEnv(b, n)
				f := runScale(b, scaleEnvOf(ce), s.spec, manifests, s.idle, s.timeout)
				f.report(b, s.spec)
				fmt.Printf("%s %s  wall clock of the run (cluster start, apply, fill, promotions, idle window, checks): %s\n",
					b.Name(), f.summary(s.spec), time.Since(begin).Round(time.Second))
			}
		})
	}
}

// scaleClusterRun is BenchmarkScaleCluster's settings.
type scaleClusterRun struct {
	spec          scaleSpec
	idle, timeout time.Duration
	workers       []int
}

func scaleClusterSettings(tb testing.TB) scaleClusterRun {
	tb.Helper()
	pipelines := envInt(tb, "SCALE_PIPELINES", 1000)
	s := scaleClusterRun{
		spec: scaleSpec{warehouses: pipelines, repos: max(1, pipelines/10), projects: envInt(tb, "SCALE_PROJECTS", 10),
			interval: envDuration(tb, "SCALE_INTERVAL", 5*time.Minute)},
		idle:    envDuration(tb, "SCALE_IDLE", time.Minute),
		timeout: envDuration(tb, "SCALE_TIMEOUT", time.Hour),
	}
	for _, w := range strings.Split(envString("SCALE_WORKERS", "1,2"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 1 {
			tb.Fatalf("SCALE_WORKERS=%q: want a comma-separated list of worker counts", os.Getenv("SCALE_WORKERS"))
		}
		s.workers = append(s.workers, n)
	}
	if s.spec.projects < 1 || s.spec.projects > pipelines {
		tb.Fatalf("SCALE_PROJECTS=%d: want 1 to SCALE_PIPELINES (%d)", s.spec.projects, pipelines)
	}
	return s
}

// runScaleClusterSmall runs BenchmarkScaleCluster's code path, tiny, on a
// cluster a test has already started, so that it cannot rot.
func runScaleClusterSmall(t *testing.T, ce *clusterEnv) {
	t.Helper()
	spec := scaleSpec{warehouses: 6, repos: 2, projects: 2, interval: 2 * time.Second}
	f := runScale(t, scaleEnvOf(ce), spec, scaleManifests(t, spec), 5*time.Second, 3*time.Minute)
	clusterFigure(t, "%s", f.summary(spec))
	f.check(t)
	if f.pipelines.cycles == 0 {
		t.Errorf("no discovery cycle in the %s idle window at a %s interval", f.idle, spec.interval)
	}
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	n, err := strconv.Atoi(envString(name, strconv.Itoa(def)))
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive integer", name, os.Getenv(name))
	}
	return n
}

func envDuration(tb testing.TB, name string, def time.Duration) time.Duration {
	tb.Helper()
	d, err := time.ParseDuration(envString(name, def.String()))
	if err != nil || d <= 0 {
		tb.Fatalf("%s=%q: want a positive duration such as 90s", name, os.Getenv(name))
	}
	return d
}
