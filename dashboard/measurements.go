package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
)

// measureActivity is the activity type of one analysis measurement.
const measureActivity = "Measure"

// maxMeasurements is how many measurements the stage page lists.
const maxMeasurements = 50

// measurement is one analysis measurement of a stage's verification, as
// the Measure activity returned it.
type measurement struct {
	Metric     string    `json:"-"`
	Phase      string    `json:"phase"`
	Value      string    `json:"value,omitempty"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitzero"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// measurements reads the newest measurements of a Stage's current run
// from its workflow history: the Stage keeps only each verification's
// outcome in its state, while every measurement is an activity result.
func (s *Server) measurements(ctx context.Context, workflowID string) ([]measurement, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	dc := converter.GetDefaultDataConverter()
	metric := map[int64]string{}
	var out []measurement
	it := s.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("reading the history of %s: %w", workflowID, explain(err))
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == measureActivity {
			var summary string
			if p := ev.GetUserMetadata().GetSummary(); p != nil {
				_ = dc.FromPayload(p, &summary)
			}
			metric[ev.GetEventId()] = strings.TrimPrefix(summary, "measure ")
		}
		if c := ev.GetActivityTaskCompletedEventAttributes(); c != nil {
			name, ok := metric[c.GetScheduledEventId()]
			if !ok {
				continue
			}
			m := measurement{Metric: name}
			if err := dc.FromPayloads(c.GetResult(), &m); err != nil {
				m.Phase, m.Message = "?", "unreadable result: "+err.Error()
			}
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	return out[:min(len(out), maxMeasurements)], nil
}
