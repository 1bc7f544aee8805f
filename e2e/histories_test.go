package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordEnv names the directory to record workflow histories into, for the
// replay tests in workflows/ (`RAILYARD_RECORD_HISTORIES=../workflows/testdata/histories`).
const recordEnv = "RAILYARD_RECORD_HISTORIES"

// recordPrefix names this recording's files. The replay fixtures
// accumulate: a recording never overwrites one, so bump it for a new set.
const recordPrefix = "v4-"

// recordHistories writes the histories of the given workflows (file name →
// workflow ID) when recording is asked for, refusing to overwrite a file.
func (e *env) recordHistories(files map[string]string) {
	dir := os.Getenv(recordEnv)
	if dir == "" {
		return
	}
	c := e.client
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	for name, id := range files {
		h := history(e.t, c, id)
		b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
		if err != nil {
			e.t.Fatal(err)
		}
		path := filepath.Join(dir, recordPrefix+name+".json")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			e.t.Fatalf("recording %s: %v (recordings accumulate: change recordPrefix)", id, err)
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			e.t.Fatal(err)
		}
		e.t.Logf("recorded %d events of %s into %s", len(h.Events), id, name)
	}
}

func history(t testing.TB, c client.Client, id string) *historypb.History {
	t.Helper()
	it := c.GetWorkflowHistory(context.Background(), id, "", false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("reading history of %s: %v", id, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// workflowStatus returns a workflow's execution status ("Running",
// "Completed" …) as Temporal reports it.
func (e *env) workflowStatus(id string) string {
	d, err := e.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		e.t.Fatalf("describing %s: %v", id, err)
	}
	return d.GetWorkflowExecutionInfo().GetStatus().String()
}
