package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/freeport"
)

const (
	testNamespace = "railyard-test"
	testQueue     = "devserver-test"
	testWorkflow  = "greeting-1"
	phaseEnv      = "RAILYARD_DEVSERVER_TEST_PHASE1"
)

func greet(_ workflow.Context, name string) (string, error) { return "hello " + name, nil }

// TestRestartKeepsState runs a workflow in a child process (so the second
// start really reopens the SQLite file), then restarts on the same data dir
// with one more search attribute and checks that the workflow, its search
// attribute and all search attributes are there.
func TestRestartKeepsState(t *testing.T) {
	if dir := os.Getenv(phaseEnv); dir != "" {
		runPhase1(t, dir)
		return
	}
	dir := t.TempDir()
	all := slices.Concat(railyard.SearchAttributes, []string{"RailyardExtra"})
	cmd := exec.Command(os.Args[0], "-test.run=^TestRestartKeepsState$", "-test.v")
	cmd.Env = append(os.Environ(), phaseEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("phase 1 output:\n%s", out)
	if err != nil {
		t.Fatalf("phase 1: %v", err)
	}
	if _, err := os.Stat(dir + "/" + dbFileName); err != nil {
		t.Fatalf("database file: %v", err)
	}

	s := start(t, Options{DataDir: dir, Headless: true, Namespace: testNamespace, SearchAttributes: all})
	c := dial(t, s)
	desc, err := c.DescribeWorkflowExecution(context.Background(), testWorkflow, "")
	if err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("status after restart = %v, want completed", st)
	}
	assertSearchAttributes(t, c, all)
	assertVisible(t, c, fmt.Sprintf("%s = 'demo'", railyard.SearchAttrProject))
}

func runPhase1(t *testing.T, dir string) {
	s := start(t, Options{DataDir: dir, Headless: true, Namespace: testNamespace, SearchAttributes: railyard.SearchAttributes})
	c := dial(t, s)
	w := worker.New(c, testQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(greet, workflow.RegisterOptions{Name: "greet"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	key := temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrProject)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID:                    testWorkflow,
		TaskQueue:             testQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(key.ValueSet("demo")),
	}, "greet", "railyard")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(context.Background(), &got); err != nil || got != "hello railyard" {
		t.Fatalf("result %q, %v", got, err)
	}
}

func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	free := freeTestPort(t)
	cases := []struct {
		opts Options
		want string
	}{
		{Options{Port: port, UIPort: free}, fmt.Sprintf("port %d is already in use (Temporal frontend); choose another with --port", port)},
		{Options{Port: free, UIPort: port}, fmt.Sprintf("port %d is already in use (Temporal Web UI); choose another with --ui-port", port)},
	}
	for _, tc := range cases {
		_, err := Start(context.Background(), tc.opts)
		var pe *PortInUseError
		if !errors.As(err, &pe) || err.Error() != tc.want {
			t.Errorf("Start(%+v) error = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestUIServesSettings(t *testing.T) {
	s := start(t, Options{})
	resp, err := http.Get(s.UIURL() + "/api/v1/settings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"Version"`) {
		t.Fatalf("GET /api/v1/settings: %s %s", resp.Status, body)
	}
}

// BenchmarkStartToReady prints start-to-ready time and the process's RSS
// once ready, for an in-memory server with the UI.
func BenchmarkStartToReady(b *testing.B) {
	for b.Loop() {
		begin := time.Now()
		s, err := Start(context.Background(), Options{Port: freeTestPort(b), UIPort: freeTestPort(b), Logger: quietLogger()})
		if err != nil {
			b.Fatal(err)
		}
		ready := time.Since(begin)
		rss := vmRSS(b)
		b.ReportMetric(float64(ready.Milliseconds()), "ms-to-ready")
		b.ReportMetric(float64(rss)/1024, "MiB-RSS")
		b.Logf("start-to-ready %v, VmRSS %d MiB", ready.Round(time.Millisecond), rss/1024)
		if err := s.Stop(); err != nil {
			b.Fatal(err)
		}
	}
}

func start(t testing.TB, o Options) *Server {
	t.Helper()
	o.Port, o.UIPort, o.Logger = freeTestPort(t), freeTestPort(t), quietLogger()
	s, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func dial(t testing.TB, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.FrontendAddress(), Namespace: s.Namespace(), Logger: sdklog.NewStructuredLogger(quietLogger())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func assertSearchAttributes(t *testing.T, c client.Client, want []string) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(context.Background(),
		&operatorservice.ListSearchAttributesRequest{Namespace: testNamespace})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if got := resp.GetCustomAttributes()[name]; got != enums.INDEXED_VALUE_TYPE_KEYWORD {
			t.Errorf("search attribute %s: type %v, want Keyword", name, got)
		}
	}
}

// assertVisible waits for query to list testWorkflow.
func assertVisible(t *testing.T, c client.Client, query string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatalf("list %q: %v", query, err)
		}
		for _, e := range resp.GetExecutions() {
			if e.GetExecution().GetWorkflowId() == testWorkflow {
				return
			}
		}
	}
	t.Fatalf("workflow %s not listed by %q", testWorkflow, query)
}

func freeTestPort(t testing.TB) int {
	t.Helper()
	p, err := freeport.On("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// vmRSS reads the resident set size in KiB from /proc/self/status.
func vmRSS(t testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Skip("no VmRSS in /proc/self/status")
	return 0
}
