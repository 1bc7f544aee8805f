package railyard

import (
	"maps"
	"slices"
	"time"
)

// StepBatch asks a worker to run a promotion's steps one after another in
// one activity, starting with First, for as long as each ends Succeeded or
// Skipped: what the Promotion workflow would otherwise send one activity at
// a time, with a workflow task between each two. The batch stops at the
// first step that is Running, Errored, Failed or Aborted, and the workflow
// takes that step over (polls, retries, records).
type StepBatch struct {
	First StepRequest `json:"first"`
	// Steps are all the promotion's steps; the batch runs
	// Steps[First.Index:] at most.
	Steps []PromotionStep `json:"steps"`
}

// StepBatchResponse is a batch's outcome: one response per step run, in
// order, each with how long it ran on the worker.
type StepBatchResponse struct {
	Responses []StepResponse  `json:"responses"`
	Durations []time.Duration `json:"durations"`
}

// Ended reports whether resp ends its step so that the next one may start
// in the same batch: Succeeded or Skipped.
func (r StepResponse) Ended() bool {
	return r.Status == StepSucceeded || r.Status == StepSkipped
}

// Record is the step's record of resp, which ended it.
func (r StepRequest) Record(resp StepResponse, d time.Duration) StepRecord {
	return StepRecord{Alias: r.Alias, Uses: r.Step.Uses, Status: resp.Status, Message: resp.Message,
		Output: resp.Output, Duration: d}
}

// Next is the request for the step after r's once resp ended r's step (see
// Ended), exactly as the Promotion workflow builds it from its records:
// the earlier steps' states, outputs and metadata updates, and now as the
// next step's start. ok is false after the last step or when resp did not
// end the step.
func (r StepRequest) Next(resp StepResponse, steps []PromotionStep, now time.Time) (StepRequest, bool) {
	i := r.Index + 1
	if !resp.Ended() || i >= len(steps) {
		return StepRequest{}, false
	}
	if resp.Alias == "" {
		resp.Alias = r.Alias // the engine sets it; a response without one is still this step's
	}
	next := r
	next.Step, next.Index, next.Alias = steps[i], i, AliasOf(steps[i], i)
	next.Statuses = append(slices.Clone(r.Statuses), StepState{Alias: r.Alias, Status: resp.Status,
		Message: resp.Message, ContinueOnError: r.Step.ContinueOnError})
	next.Outputs = resp.Apply(maps.Clone(r.Outputs)) // the map, not the outputs, which no step changes
	next.Metadata = append(slices.Clone(r.Metadata), MetadataSet([]StepRecord{r.Record(resp, 0)})...)
	next.StartedAt = now
	return next, true
}
