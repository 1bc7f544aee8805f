package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv/cluster"
)

// clusterEnv is Railyard on a Temporal cluster: PostgreSQL, the Temporal
// server and railyard-worker processes without --dev (internal/testenv/
// cluster), and an env whose CLI and client talk to that server.
type clusterEnv struct {
	*cluster.Cluster
	e       *env
	workers []*cluster.Worker
}

// newClusterEnv starts the cluster and n workers named w1…wn.
func newClusterEnv(t testing.TB, n int) *clusterEnv {
	t.Helper()
	start := time.Now()
	cl := cluster.Start(t, "..")
	for _, tm := range cl.Timings {
		clusterFigure(t, "cluster start: %-55s %s", tm.What, tm.Took.Round(time.Millisecond))
	}
	ce := &clusterEnv{Cluster: cl, e: envAt(t, cl.Address, withoutWorker())}
	for i := range n {
		w := cl.NewWorker(t, filepath.Join(bin, "railyard-worker"), fmt.Sprintf("w%d", i+1), "--log-level", "info")
		ce.workers = append(ce.workers, w)
	}
	t.Cleanup(func() { ce.dumpOnFailure(t) })
	workersStart := time.Now()
	for _, w := range ce.workers {
		w.Start(t)
	}
	clusterFigure(t, "cluster start: %-55s %s", fmt.Sprintf("%d railyard-worker processes ready", n),
		time.Since(workersStart).Round(time.Millisecond))
	clusterFigure(t, "cluster start: %-55s %s", "total", time.Since(start).Round(time.Millisecond))
	return ce
}

// clusterFigure logs a measured figure and prints it on standard output.
func clusterFigure(t testing.TB, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.Log("FIGURE " + msg)
	fmt.Println("cluster figure: " + msg)
}

func (ce *clusterEnv) dumpOnFailure(t testing.TB) {
	if !t.Failed() {
		return
	}
	for _, w := range ce.workers {
		t.Logf("worker %s (pids %v) log tail:\n%s", w.Name, w.PIDs, lastLines(w.Log(), 60))
	}
	t.Logf("temporal-server log tail:\n%s", lastLines(readFile(ce.Server.LogPath()), 60))
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// workerOf names the worker whose process had identity, or the identity
// itself when none did.
func (ce *clusterEnv) workerOf(identity string) string {
	for _, w := range ce.workers {
		if w.Owns(identity) {
			return w.Name
		}
	}
	return identity
}

// activityWorkers reads a workflow's history (all runs' current run) and
// returns, per activity type, the workers that started it, from the
// identity of its ActivityTaskStarted events.
func (ce *clusterEnv) activityWorkers(t testing.TB, c client.Client, workflowID string) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	scheduled := map[int64]string{}
	out := map[string][]string{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("reading the history of %s: %v", workflowID, err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			scheduled[ev.GetEventId()] = a.GetActivityType().GetName()
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			name := scheduled[a.GetScheduledEventId()]
			out[name] = append(out[name], ce.workerOf(a.GetIdentity()))
		}
	}
	return out
}

// reportSpread reports which worker ran each promotion's activities and
// returns how many activity tasks each worker started.
func (ce *clusterEnv) reportSpread(t testing.TB, c client.Client, project string, promotions map[string]string) map[string]int {
	t.Helper()
	perWorker := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(promotions)) {
		acts := ce.activityWorkers(t, c, railyard.PromotionWorkflowID(project, promotions[name], name))
		var parts []string
		for _, a := range slices.Sorted(maps.Keys(acts)) {
			parts = append(parts, a+"@"+strings.Join(acts[a], ","))
			for _, w := range acts[a] {
				perWorker[w]++
			}
		}
		clusterFigure(t, "promotion %s (stage %s) activities: %s", name, promotions[name], strings.Join(parts, " "))
	}
	clusterFigure(t, "activity tasks started per worker: %v", perWorker)
	return perWorker
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
