package workflows

import (
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// PollRequest wakes a Promotion whose running step waits on WaitingOn (a
// pull request's railyard.PullRequestKey): the step runs again at once
// instead of at the end of its poll interval. Sent by the webhook server
// when a forge reports a change to that pull request.
type PollRequest struct {
	WaitingOn string `json:"waitingOn"`
	Reason    string `json:"reason,omitempty"`
}

// pollAfter waits resp.RetryAfter before a Running step runs again, or
// less when a poll signal names what the step waits on. A poll signal for
// anything else, or one that does not decode, is logged and ignored.
func pollAfter(ctx workflow.Context, alias string, resp railyard.StepResponse) error {
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimerWithOptions(tctx, resp.RetryAfter, workflow.TimerOptions{
		Summary: fmt.Sprintf("poll %s again in %s", alias, resp.RetryAfter)})
	if resp.WaitingOn == "" {
		return timer.Get(ctx, nil)
	}
	polls := workflow.GetSignalChannelWithOptions(ctx, SignalPoll, workflow.SignalChannelOptions{
		Description: "A forge reported a change to what the running step waits for: run it again now"})
	for {
		var fired, woken bool
		var err error
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(f workflow.Future) { fired, err = true, f.Get(ctx, nil) })
		sel.AddReceive(polls, func(c workflow.ReceiveChannel, _ bool) {
			var raw json.RawMessage
			c.Receive(ctx, &raw)
			woken = wakes(ctx, raw, resp.WaitingOn)
		})
		sel.Select(ctx)
		switch {
		case fired:
			return err
		case woken:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		}
	}
}

// wakes tells whether a poll signal is about what the step waits on.
func wakes(ctx workflow.Context, raw json.RawMessage, waitingOn string) bool {
	req, err := decode[PollRequest](raw)
	switch {
	case err != nil:
		workflow.GetLogger(ctx).Warn("poll signal ignored", "reason", err.Error())
		return false
	case req.WaitingOn != waitingOn:
		workflow.GetLogger(ctx).Info("poll signal ignored: the step waits on something else",
			"signal", req.WaitingOn, "waitingOn", waitingOn)
		return false
	}
	workflow.GetLogger(ctx).Info("woken by a poll signal", "waitingOn", waitingOn, "reason", req.Reason)
	return true
}
