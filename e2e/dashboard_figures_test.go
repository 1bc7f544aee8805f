package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/railyard/railyard/internal/testenv"
)

// TestDashboardFigures measures the dashboard on a project of 30 stages
// and 10 warehouses (ten dev → uat → prod chains, Freight in dev and uat),
// served by `railyard dashboard` in its own process: time to first paint,
// bytes transferred, and the server's CPU with 10 open pages.
func TestDashboardFigures(t *testing.T) {
	chromium(t)
	spec := scaleSpec{warehouses: 10, repos: 2, projects: 1}
	dir := t.TempDir()
	writeScaleFiles(t, dir, "", spec.manifests(spec.createRepos(t, testenv.NewGitServer(t))))
	e := newScaleEnv(t)
	e.apply(spec, dir)
	e.awaitReady(spec, 3*time.Minute)
	writeScaleFiles(t, dir, "-policy", spec.policies())
	e.apply(spec, dir)
	e.awaitUAT(spec, 3*time.Minute)
	b, cmd := startBoardBinary(t, e.env)

	ctx, cancel := browser(t, 1400, 1000)
	defer cancel()
	time.Sleep(time.Second) // the snapshot cache is cold: the first page queries all 41 workflows
	var paint, transfer, resources float64
	var nodes int
	err := chromedp.Run(ctx, chromedp.Navigate(b.base+"/projects/scale"), chromedp.WaitVisible("#stage-w009-prod"),
		// The paint entry is recorded a moment after the node is visible.
		chromedp.Poll(`performance.getEntriesByName("first-contentful-paint").length > 0`, nil),
		chromedp.Evaluate(`performance.getEntriesByName("first-contentful-paint")[0].startTime`, &paint),
		chromedp.Evaluate(`performance.getEntriesByType("navigation")[0].transferSize`, &transfer),
		chromedp.Evaluate(`performance.getEntriesByType("resource").reduce((s, r) => s + r.transferSize, 0)`, &resources),
		chromedp.Evaluate(`document.querySelectorAll("article.node").length`, &nodes))
	if err != nil {
		t.Fatal(err)
	}
	if nodes != 30 {
		t.Errorf("%d stage nodes, want 30", nodes)
	}
	screenshot(t, ctx, "30-stages")
	t.Logf("FIGURE dashboard, 30 stages and 10 warehouses: first contentful paint %.0f ms; page %.1f kB + script and style %.1f kB transferred",
		paint, transfer/1024, resources/1024)
	_, version := b.get("/projects/scale/version")
	t.Logf("FIGURE dashboard: an idle page polls %d bytes of body a second (plus headers)", len(version))

	tabs := []context.Context{ctx}
	for len(tabs) < 10 {
		tab, cancelTab := chromedp.NewContext(ctx)
		defer cancelTab()
		if err := chromedp.Run(tab, chromedp.Navigate(b.base+"/projects/scale"), chromedp.WaitVisible("#stage-w000-dev")); err != nil {
			t.Fatal(err)
		}
		tabs = append(tabs, tab)
	}
	const window = 20 * time.Second
	before := cpuTime(t, cmd.Process.Pid)
	time.Sleep(window)
	used := cpuTime(t, cmd.Process.Pid) - before
	t.Logf("FIGURE dashboard: server CPU with 10 open pages polling every second: %s in %s (%.1f%% of one core)",
		used, window, 100*used.Seconds()/window.Seconds())
	fmt.Println("dashboard figures logged")
}

// cpuTime is a process's user + system CPU time from /proc (clock ticks
// of 10 ms, as on Linux).
func cpuTime(t testing.TB, pid int) time.Duration {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(raw)[strings.LastIndex(string(raw), ")")+2:])
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
