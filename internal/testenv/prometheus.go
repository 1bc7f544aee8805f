package testenv

// A real Prometheus on loopback for verification tests: Debian's prometheus
// package as a subprocess, scraping endpoints that the test serves.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard/railyard/internal/freeport"
)

// PrometheusBinary is where Debian's prometheus package installs the server.
const PrometheusBinary = "/usr/bin/prometheus"

// StartPrometheus runs Prometheus on 127.0.0.1 with storage in a temporary
// directory, scraping every target each second, and returns its base URL
// ("http://127.0.0.1:<port>"). A target is "host:port" (path /metrics) or
// an http URL with its own path. StartPrometheus returns once every target
// has been scraped successfully; Prometheus is killed when the test ends.
// Without the binary the test is skipped, or fails when $CI is set.
func StartPrometheus(t testing.TB, scrapeTargets ...string) string {
	t.Helper()
	if _, err := os.Stat(PrometheusBinary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (apt-get install -y prometheus): %v", PrometheusBinary, err)
		}
		t.Skipf("%s not installed (apt-get install -y prometheus): %v", PrometheusBinary, err)
	}
	dir := t.TempDir()
	conf, err := prometheusConfig(scrapeTargets)
	if err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	host := "127.0.0.1:" + loopbackPort(t)
	cmd := exec.Command(PrometheusBinary,
		"--config.file="+confPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+host,
		"--log.level=warn")
	logs := &promLogs{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting prometheus: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := "http://" + host
	waitPrometheus(t, base, len(scrapeTargets), logs)
	return base
}

// prometheusConfig writes a configuration with one job per target.
func prometheusConfig(targets []string) (string, error) {
	var b strings.Builder
	b.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n")
	for i, target := range targets {
		scheme, hostPort, path := "http", target, "/metrics"
		if strings.Contains(target, "://") {
			u, err := url.Parse(target)
			if err != nil {
				return "", fmt.Errorf("scrape target %q: %w", target, err)
			}
			scheme, hostPort = u.Scheme, u.Host
			if u.Path != "" {
				path = u.Path
			}
		}
		fmt.Fprintf(&b, "  - job_name: target%d\n    scheme: %s\n    metrics_path: %q\n"+
			"    static_configs:\n      - targets: [%q]\n", i, scheme, path, hostPort)
	}
	return b.String(), nil
}

// waitPrometheus waits for /-/ready and for every target to be up.
func waitPrometheus(t testing.TB, base string, targets int, logs *promLogs) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if prometheusReady(base) && targetsUp(base) >= targets {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("prometheus on %s not ready with %d targets up after 30s:\n%s", base, targets, logs.String())
}

func prometheusReady(base string) bool {
	resp, err := http.Get(base + "/-/ready")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// targetsUp counts the active targets whose last scrape succeeded.
func targetsUp(base string) int {
	resp, err := http.Get(base + "/api/v1/targets?state=active")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			ActiveTargets []struct {
				Health string `json:"health"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return 0
	}
	up := 0
	for _, target := range body.Data.ActiveTargets {
		if target.Health == "up" {
			up++
		}
	}
	return up
}

// loopbackPort returns a port on 127.0.0.1 that was free a moment ago
// (internal/freeport).
func loopbackPort(t testing.TB) string {
	t.Helper()
	port, err := freeport.On("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(port)
}

// promLogs collects the server's output; the process writes while the test
// may read.
type promLogs struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *promLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *promLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
