package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/devserver"
)

// scaleEnv is a Railyard for tests and benchmarks alike: an in-memory
// embedded server in this process, a Temporal client, and one worker
// process whose log goes to a file (so that it costs this process nothing).
type scaleEnv struct {
	tb      testing.TB
	addr    string
	client  client.Client
	worker  *exec.Cmd
	logPath string
}

func newScaleEnv(tb testing.TB) *scaleEnv {
	tb.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := devserver.Start(context.Background(), devserver.Options{
		Port: scalePort(tb), Headless: true, SearchAttributes: railyard.SearchAttributes, Logger: quiet,
	})
	if err != nil {
		tb.Fatalf("starting Temporal: %v", err)
	}
	tb.Cleanup(func() { _ = srv.Stop() })
	c, err := client.Dial(client.Options{HostPort: srv.FrontendAddress(), Namespace: "default",
		Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		tb.Fatalf("dialing Temporal: %v", err)
	}
	tb.Cleanup(c.Close)
	e := &scaleEnv{tb: tb, addr: srv.FrontendAddress(), client: c,
		logPath: filepath.Join(tb.TempDir(), "worker.log")}
	tb.Cleanup(e.stopWorker)
	tb.Cleanup(e.dumpLogOnFailure)
	e.startWorker()
	return e
}

func scalePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startWorker starts the worker and waits until it polls.
func (e *scaleEnv) startWorker() {
	e.tb.Helper()
	log, err := os.Create(e.logPath)
	if err != nil {
		e.tb.Fatalf("creating the worker log: %v", err)
	}
	defer log.Close()
	cmd := exec.Command(filepath.Join(bin, "railyard-worker"),
		"--cache-dir", e.tb.TempDir(), "--log-level", "info")
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+e.addr, "TEMPORAL_NAMESPACE=default")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		e.tb.Fatalf("starting worker: %v", err)
	}
	e.worker = cmd
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(e.workerLog(), "railyard-worker ready") {
		if time.Now().After(deadline) {
			e.tb.Fatalf("worker not ready after 60s:\n%s", e.workerLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *scaleEnv) stopWorker() {
	if e.worker == nil {
		return
	}
	_ = e.worker.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.worker.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = e.worker.Process.Kill()
		<-done
	}
	e.worker = nil
}

func (e *scaleEnv) workerLog() string {
	b, _ := os.ReadFile(e.logPath)
	return string(b)
}

// dumpLogOnFailure logs the worker log's last 200 lines.
func (e *scaleEnv) dumpLogOnFailure() {
	if !e.tb.Failed() {
		return
	}
	lines := strings.Split(e.workerLog(), "\n")
	if len(lines) > 200 {
		lines = lines[len(lines)-200:]
	}
	e.tb.Logf("worker log (tail):\n%s", strings.Join(lines, "\n"))
}

// cli runs the railyard CLI and fails on a non-zero exit.
func (e *scaleEnv) cli(args ...string) string {
	e.tb.Helper()
	out, err := (&env{addr: e.addr}).railyard(args...)
	if err != nil {
		e.tb.Fatal(err)
	}
	return out
}

// query runs a workflow query on the current run into v.
func (e *scaleEnv) query(v any, workflowID, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := e.client.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return fmt.Errorf("querying %s of %s: %w", name, workflowID, err)
	}
	return res.Get(v)
}

// historyEvents counts the events of a workflow's current run.
func (e *scaleEnv) historyEvents(workflowID string) int {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	it := e.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			e.tb.Fatalf("reading the history of %s: %v", workflowID, err)
		}
		n++
	}
	return n
}

// workerMemory returns the worker's VmRSS and VmHWM in MB.
func (e *scaleEnv) workerMemory() (rss, peak float64) {
	e.tb.Helper()
	return procMemory(e.tb, fmt.Sprintf("/proc/%d/status", e.worker.Process.Pid))
}

// procMemory reads VmRSS and VmHWM (in MB) from a /proc/<pid>/status file.
func procMemory(tb testing.TB, path string) (rss, peak float64) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("reading memory: %v", err)
	}
	defer f.Close()
	fields := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			tb.Fatalf("parsing %s in %s: %v", name, path, err)
		}
		fields[name] = kb / 1024
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	return fields["VmRSS"], fields["VmHWM"]
}

// scaleApplyBug recognises the known failure of applying a big project and
// returns a skip message for it, or "" when apply failed otherwise.
func (e *scaleEnv) scaleApplyBug(spec scaleSpec) string {
	const tooLarge = "larger than max"
	log, at := "", -1
	for wait := 0; at < 0 && wait < 50; wait++ { // the worker may log it after apply returned
		if wait > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		log = e.workerLog()
		at = strings.Index(log, tooLarge)
	}
	if at < 0 {
		return ""
	}
	line := log[strings.LastIndex(log[:at], "\n")+1:]
	line, _, _ = strings.Cut(line, "\n")
	status := "unknown"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d, err := e.client.DescribeWorkflowExecution(ctx, railyard.ProjectWorkflowID(spec.project(0)), ""); err == nil {
		status = d.WorkflowExecutionInfo.Status.String()
	}
	return fmt.Sprintf("known bug: applying %d warehouses and %d stages in one project: "+
		"workflows/project.go ProjectState.apply schedules one EnsureEntity activity per Pipeline and Stage "+
		"in one workflow task, and stageConfig copies every Warehouse into each StageConfig "+
		"(stages x warehouses), so the task completion exceeds gRPC's 4 MB; Project workflow now %s; worker: %s",
		spec.warehouses/max(1, spec.projects), 3*spec.warehouses/max(1, spec.projects), status, line)
}
