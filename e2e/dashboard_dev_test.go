package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDashboardInDevWorker: `railyard-worker --dev` serves the dashboard
// on --dashboard-port and says where in its ready line; a second one on
// the same port stops with a one-line error.
func TestDashboardInDevWorker(t *testing.T) {
	port := strconv.Itoa(freePort(t))
	args := func() []string {
		return []string{"--dev", "--data-dir", "", "--port", strconv.Itoa(freePort(t)), "--ui-port", "0",
			"--webhook-addr", "off", "--cache-dir", t.TempDir(), "--dashboard-port", port}
	}
	logPath := filepath.Join(t.TempDir(), "worker.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(bin, "railyard-worker"), args()...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	log := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	ready := regexp.MustCompile(`railyard-worker ready.*dashboard=(\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	var url string
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no ready line with the dashboard after 60s:\n%s", log())
		}
		time.Sleep(50 * time.Millisecond)
		if m := ready.FindStringSubmatch(log()); m != nil {
			url = m[1]
		}
	}
	if url != "http://127.0.0.1:"+port {
		t.Errorf("dashboard at %s, want http://127.0.0.1:%s", url, port)
	}
	b := newBoard(t, url)
	if status, body := b.get("/?all=1"); status != 200 || !strings.Contains(body, "No project has been applied yet") {
		t.Errorf("status %d: %.300s", status, body)
	}

	out, err := exec.Command(filepath.Join(bin, "railyard-worker"), args()...).CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if err == nil || !strings.Contains(last, "dashboard cannot listen on 127.0.0.1:"+port) ||
		!strings.Contains(last, "address already in use") {
		t.Errorf("second worker on the same dashboard port: %v, last line %q", err, last)
	}
}
