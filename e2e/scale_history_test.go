package e2e

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/railyard/railyard/workflows"
)

// historySize is the length of one workflow's current run.
type historySize struct {
	run    string
	events int
	bytes  int // the events' encoded size
}

// history reads the current run of a workflow.
func (e *scaleEnv) history(workflowID string) historySize {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	desc, err := e.client.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		e.t.Fatalf("describing %s: %v", workflowID, err)
	}
	h := historySize{run: desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()}
	it := e.client.GetWorkflowHistory(ctx, workflowID, h.run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.t.Fatalf("reading the history of %s: %v", workflowID, err)
		}
		h.events++
		h.bytes += proto.Size(ev)
	}
	return h
}

// sampleHistory is a sample of workflows' histories at one moment, and the
// discovery cycles of the Pipelines among them.
type sampleHistory struct {
	sizes  map[string]historySize
	cycles map[string]int
}

func (e *scaleEnv) sampleHistory(pipelines, stages []string) sampleHistory {
	e.t.Helper()
	s := sampleHistory{sizes: map[string]historySize{}, cycles: map[string]int{}}
	for _, id := range append(append([]string(nil), pipelines...), stages...) {
		s.sizes[id] = e.history(id)
	}
	for _, id := range pipelines {
		var st workflows.PipelineState
		if err := e.query(&st, id, workflows.QueryStatus); err != nil {
			e.t.Fatal(err)
		}
		s.cycles[id] = st.Discovery.Cycles
	}
	return s
}

// historyFigures are the history of a kind of entity: its size after the
// run, and its growth while idle.
type historyFigures struct {
	events, bytes float64 // average of the current runs after settling
	// Growth per entity and day of idle polling, extrapolated from the idle
	// window (per discovery cycle for Pipelines, per second for Stages).
	eventsPerDay, bytesPerDay float64
	cycles                    int // discovery cycles seen in the window
}

// average is the average size at the end.
func average(ids []string, end sampleHistory) (events, bytes float64) {
	for _, id := range ids {
		events += float64(end.sizes[id].events)
		bytes += float64(end.sizes[id].bytes)
	}
	return events / float64(len(ids)), bytes / float64(len(ids))
}

// pipelineGrowth extrapolates a Pipeline's history growth per day from the
// events its discovery cycles added in the window: events per cycle times
// cycles per day at interval. A run that continued as new is left out.
func pipelineGrowth(ids []string, start, end sampleHistory, interval time.Duration) historyFigures {
	var f historyFigures
	f.events, f.bytes = average(ids, end)
	var events, bytes float64
	for _, id := range ids {
		a, b := start.sizes[id], end.sizes[id]
		if a.run != b.run {
			continue
		}
		events += float64(b.events - a.events)
		bytes += float64(b.bytes - a.bytes)
		f.cycles += end.cycles[id] - start.cycles[id]
	}
	if f.cycles > 0 {
		perDay := float64(24*time.Hour) / float64(interval) / float64(f.cycles)
		f.eventsPerDay, f.bytesPerDay = events*perDay, bytes*perDay
	}
	return f
}

// stageGrowth extrapolates a Stage's history growth per day from the
// window's length.
func stageGrowth(ids []string, start, end sampleHistory, window time.Duration) historyFigures {
	var f historyFigures
	f.events, f.bytes = average(ids, end)
	perDay := float64(24*time.Hour) / float64(window) / float64(len(ids))
	for _, id := range ids {
		a, b := start.sizes[id], end.sizes[id]
		if a.run == b.run {
			f.eventsPerDay += float64(b.events-a.events) * perDay
			f.bytesPerDay += float64(b.bytes-a.bytes) * perDay
		}
	}
	return f
}

// Temporal's defaults (limit.historyCount.suggestContinueAsNew and
// limit.historySize.suggestContinueAsNew): past either, the server suggests
// continue-as-new, which Pipelines and idle Stages follow.
const (
	suggestCANEvents = 4 * 1024
	suggestCANBytes  = 4 * 1024 * 1024
)

// daysToContinueAsNew is how many days of idle polling a run lasts before
// the server suggests continue-as-new, which bounds its history; 0 when the
// history does not grow.
func (f historyFigures) daysToContinueAsNew() float64 {
	if f.eventsPerDay <= 0 {
		return 0
	}
	return min((suggestCANEvents-f.events)/f.eventsPerDay, (suggestCANBytes-f.bytes)/max(f.bytesPerDay, 1))
}
