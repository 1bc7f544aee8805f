package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// promotionHistory is what a Promotion workflow's history tells about
// where its time went, hop by hop.
type promotionHistory struct {
	events     int
	started    time.Time     // WorkflowExecutionStarted
	firstStep  time.Time     // first activity scheduled
	pushed     time.Time     // the last step activity completed: the commit is on the remote
	running    time.Duration // step activities: started → completed (the steps' work on the worker)
	wtDispatch time.Duration // workflow tasks: scheduled → started
	wtProcess  time.Duration // workflow tasks: started → completed (the worker's replay and commands)
	wtCount    int
	dispatch   time.Duration // activity tasks: scheduled → started
	actCount   int
}

func (p *benchProject) history(b *testing.B, workflowID string) promotionHistory {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := p.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h promotionHistory
	at := map[int64]time.Time{}
	types := map[int64]string{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			b.Fatalf("history of %s: %v", workflowID, err)
		}
		h.add(ev, at, types)
	}
	return h
}

func (h *promotionHistory) add(ev *historypb.HistoryEvent, at map[int64]time.Time, types map[int64]string) {
	h.events++
	t := ev.GetEventTime().AsTime()
	at[ev.GetEventId()] = t
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		h.started = t
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
		h.wtDispatch += t.Sub(at[ev.GetWorkflowTaskStartedEventAttributes().GetScheduledEventId()])
		h.wtCount++
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		h.wtProcess += t.Sub(at[ev.GetWorkflowTaskCompletedEventAttributes().GetStartedEventId()])
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		if h.firstStep.IsZero() {
			h.firstStep = t
		}
		types[ev.GetEventId()] = ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		h.dispatch += t.Sub(at[ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId()])
		h.actCount++
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		attrs := ev.GetActivityTaskCompletedEventAttributes()
		if kind := types[attrs.GetScheduledEventId()]; kind == "RunStep" || kind == "RunSteps" {
			h.pushed = t
			h.running += t.Sub(at[attrs.GetStartedEventId()])
		}
	}
}

// historyTail lists the last n events of a workflow's history with their
// times, for a failure message.
func (p *benchProject) historyTail(workflowID string, n int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := p.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var lines []string
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			lines = append(lines, "reading history: "+err.Error())
			break
		}
		lines = append(lines, fmt.Sprintf("%s %d %s", ev.GetEventTime().AsTime().Format("15:04:05.000"), ev.GetEventId(), ev.GetEventType()))
	}
	return workflowID + ":\n" + strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// discovery is how long the newest Discover activity of a Pipeline ran on
// the worker (started to completed), read from the end of its history.
func (p *benchProject) discovery(b *testing.B, pipelineID string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := p.client.WorkflowService().GetWorkflowExecutionHistoryReverse(ctx, &workflowservice.GetWorkflowExecutionHistoryReverseRequest{
		Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: pipelineID}, MaximumPageSize: 100})
	if err != nil {
		b.Fatalf("history of %s: %v", pipelineID, err)
	}
	started, completed := map[int64]time.Time{}, map[int64]time.Time{}
	for _, ev := range resp.GetHistory().GetEvents() { // newest first
		t := ev.GetEventTime().AsTime()
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			completed[ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()] = t
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			started[ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId()] = t
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			id := ev.GetEventId()
			if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "Discover" && !completed[id].IsZero() {
				return completed[id].Sub(started[id])
			}
		}
	}
	return 0
}
