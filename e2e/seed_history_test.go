package e2e

import (
	"context"
	"io"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

var seedStages = []string{"dev", "uat", "prod"}

// seedMark is what the stages' histories and promotions looked like at one
// moment, to count what a step added.
type seedMark struct {
	events     map[string]int // stage -> history events
	promotions map[string]workflows.PromotionRecord
}

// dial connects a Temporal client to the test's server.
func (w *seedWorld) dial() client.Client {
	w.t.Helper()
	c, err := client.Dial(client.Options{HostPort: w.e.addr, Namespace: "default",
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		w.t.Fatalf("dialing Temporal: %v", err)
	}
	w.t.Cleanup(c.Close)
	return c
}

// historyLength counts the events of a workflow's current run.
func (w *seedWorld) historyLength(c client.Client, id string) int {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			w.t.Fatalf("reading the history of %s: %v", id, err)
		}
		n++
	}
	return n
}

// mark records the stages' history lengths and the promotions so far.
func (w *seedWorld) mark(c client.Client) seedMark {
	w.t.Helper()
	m := seedMark{events: map[string]int{}, promotions: w.promotions()}
	for _, s := range seedStages {
		m.events[s] = w.historyLength(c, railyard.StageWorkflowID("seed", s))
	}
	return m
}

// newPromotions lists the succeeded promotions to stage since m.
func (w *seedWorld) newPromotions(m seedMark, stage string) []workflows.PromotionRecord {
	w.t.Helper()
	var out []workflows.PromotionRecord
	for name, p := range w.promotions() {
		if _, seen := m.promotions[name]; !seen && p.Stage == stage && p.Phase == railyard.PhaseSucceeded {
			out = append(out, p)
		}
	}
	return out
}

// reportEvents reports, per stage promoted during a step, the history
// events its Stage workflow gained and the number of promotions.
func (w *seedWorld) reportEvents(c client.Client, step string, before seedMark) {
	w.t.Helper()
	after := w.mark(c)
	for _, s := range seedStages {
		n := len(w.newPromotions(before, s))
		added := after.events[s] - before.events[s]
		if n == 0 {
			if added != 0 {
				w.figure("history %-28s stage %-4s no promotion, %+d events (upstream notices)", step, s, added)
			}
			continue
		}
		w.figure("history %-28s stage %-4s %d promotion(s), %+d events = %.1f events/promotion",
			step, s, n, added, float64(added)/float64(n))
	}
}
