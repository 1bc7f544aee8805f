package workflows

import (
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

func setQuery[T any](ctx workflow.Context, name, desc string, fn func() (T, error)) error {
	return workflow.SetQueryHandlerWithOptions(ctx, name, fn, workflow.QueryHandlerOptions{Description: desc})
}

// awaitContinueAsNew blocks until the server suggests continue-as-new and all
// handlers have finished, then continues as new.
func awaitContinueAsNew(ctx workflow.Context, next func() error) error {
	if err := workflow.Await(ctx, func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	return next()
}

// signalQuietly signals another workflow, ignoring that it may be gone.
func signalQuietly(ctx workflow.Context, id, name string, arg any) {
	err := workflow.SignalExternalWorkflow(ctx, id, "", name, arg).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Info("signal not delivered", "workflow", id, "signal", name, "error", err)
	}
}

// inbox receives signals as raw JSON, so that a malformed payload becomes a
// visible rejection instead of a dropped message.
type inbox struct {
	chans []workflow.ReceiveChannel
	// busy counts work in flight that continue-as-new must not cut off:
	// handlers that took their message, and the signals a workflow's own
	// goroutines send (see hold).
	busy int
}

// versionDrainBusy: drain also waits for the busy work (before it, a
// handler or goroutine blocked on a signal of its own was cut off by
// continue-as-new, and its signal lost).
const versionDrainBusy = "inbox-drain-waits-for-handlers"

// listen runs handle for every signal of that name, in its own coroutine;
// handle must block only on the context it is given.
func (b *inbox) listen(ctx workflow.Context, name, desc string, handle func(workflow.Context, json.RawMessage) error, reject func(ctx workflow.Context, name, reason string)) {
	ch := workflow.GetSignalChannelWithOptions(ctx, name, workflow.SignalChannelOptions{Description: desc})
	b.chans = append(b.chans, ch)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var raw json.RawMessage
			ch.Receive(ctx, &raw)
			b.hold(func() {
				if err := handle(ctx, raw); err != nil {
					reject(ctx, name, err.Error())
				}
			})
		}
	})
}

// hold runs f as busy work: drain waits for it to return.
func (b *inbox) hold(f func()) {
	b.busy++
	defer func() { b.busy-- }()
	f()
}

// drain waits until every signal received so far has been handled, and
// the busy work has finished.
func (b *inbox) drain(ctx workflow.Context) error {
	busy := workflow.GetVersion(ctx, versionDrainBusy, workflow.DefaultVersion, 1) >= 1
	return workflow.Await(ctx, func() bool {
		for _, c := range b.chans {
			if c.Len() > 0 {
				return false
			}
		}
		return (!busy || b.busy == 0) && workflow.AllHandlersFinished(ctx)
	})
}

// rejected logs a signal that could not be acted on and records it first in
// list, which keeps the newest maxRejected.
func rejected(ctx workflow.Context, list []Rejection, signal, reason string) []Rejection {
	workflow.GetLogger(ctx).Warn("signal rejected", "signal", signal, "reason", reason)
	list = append([]Rejection{{At: workflow.Now(ctx), Signal: signal, Reason: reason}}, list...)
	return list[:min(len(list), maxRejected)]
}

// decode unmarshals a signal payload strictly enough to catch type errors.
func decode[T any](raw json.RawMessage) (T, error) {
	var v T
	if len(raw) == 0 || string(raw) == "null" {
		return v, errors.New("empty payload")
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("malformed payload %s: %w", truncate(string(raw), 200), err)
	}
	return v, nil
}

// errorMessage is the innermost message of an activity or child error.
func errorMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Error()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out (" + timeout.TimeoutType().String() + ")"
	}
	return err.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
