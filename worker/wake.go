package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// temporalWaker wakes the running Promotions of a project whose step waits
// on a pull request: it asks each one what it waits on (a query, which
// adds nothing to its history) and signals only those that match.
type temporalWaker struct{ c client.Client }

// WakeWaiting implements webhook.Waker.
func (w temporalWaker) WakeWaiting(ctx context.Context, project string, keys []string, reason string) (int, error) {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'",
		workflows.PromotionWorkflowType, railyard.SearchAttrProject, project)
	ids, err := listRunning(ctx, w.c, q)
	if err != nil {
		return 0, fmt.Errorf("listing the running promotions of %s: %w", project, err)
	}
	var woken atomic.Int32
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			ok, err := w.wake(ctx, id, keys, reason)
			if ok {
				woken.Add(1)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return int(woken.Load()), errors.Join(errs...)
}

// wake signals one Promotion when its running step waits on one of keys.
func (w temporalWaker) wake(ctx context.Context, id string, keys []string, reason string) (bool, error) {
	v, err := w.c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
	if err != nil {
		return false, fmt.Errorf("querying promotion %s: %w", id, err)
	}
	var st workflows.PromotionStatus
	if err := v.Get(&st); err != nil {
		return false, fmt.Errorf("reading the status of promotion %s: %w", id, err)
	}
	if st.WaitingOn == "" || !slices.Contains(keys, st.WaitingOn) {
		return false, nil
	}
	req := workflows.PollRequest{WaitingOn: st.WaitingOn, Reason: reason}
	if err := w.c.SignalWorkflow(ctx, id, "", workflows.SignalPoll, req); err != nil {
		return false, fmt.Errorf("signalling %s to %s: %w", workflows.SignalPoll, id, err)
	}
	return true, nil
}
