package e2e

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// promotionHistory is what a Promotion workflow's history tells about
// where its time went.
type promotionHistory struct {
	events   int
	started  time.Time     // WorkflowExecutionStarted
	granted  time.Time     // first activity scheduled: the stage gave its turn
	dispatch time.Duration // sum of activities' schedule-to-start latency
}

func (p *benchProject) history(b *testing.B, workflowID string) promotionHistory {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := p.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h promotionHistory
	scheduled := map[int64]time.Time{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			b.Fatalf("history of %s: %v", workflowID, err)
		}
		h.add(ev, scheduled)
	}
	return h
}

func (h *promotionHistory) add(ev *historypb.HistoryEvent, scheduled map[int64]time.Time) {
	h.events++
	at := ev.GetEventTime().AsTime()
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		h.started = at
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		if h.granted.IsZero() {
			h.granted = at
		}
		scheduled[ev.GetEventId()] = at
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		if s, ok := scheduled[ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId()]; ok {
			h.dispatch += at.Sub(s)
		}
	}
}
