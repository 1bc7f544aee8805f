package railyard

import (
	"fmt"
	"maps"
	"strconv"
	"time"
)

// StepStatus is a promotion step's outcome.
type StepStatus string

// Step statuses, ordered by severity as Kargo orders them.
const (
	StepSucceeded StepStatus = "Succeeded"
	StepSkipped   StepStatus = "Skipped"
	StepRunning   StepStatus = "Running"
	StepAborted   StepStatus = "Aborted"
	StepFailed    StepStatus = "Failed"
	StepErrored   StepStatus = "Errored"
)

// StepState is what later steps know of an earlier one (for `if`,
// success(), failure(), status()).
type StepState struct {
	Alias           string     `json:"alias"`
	Status          StepStatus `json:"status"`
	ContinueOnError bool       `json:"continueOnError,omitempty"`
	Message         string     `json:"message,omitempty"`
}

// StepRecord is one step's recorded outcome in a promotion's status.
type StepRecord struct {
	Alias    string         `json:"alias"`
	Uses     string         `json:"uses"`
	Status   StepStatus     `json:"status"`
	Message  string         `json:"message,omitempty"`
	Output   map[string]any `json:"output,omitempty"`
	Errors   int            `json:"errors,omitempty"`
	Duration time.Duration  `json:"duration"`
}

// StepStates is what later steps know of the recorded ones: their
// outcomes, with continueOnError from the steps (records[i] is steps[i]).
func StepStates(records []StepRecord, steps []PromotionStep) []StepState {
	out := make([]StepState, 0, len(records))
	for i, r := range records {
		out = append(out, StepState{Alias: r.Alias, Status: r.Status, Message: r.Message,
			ContinueOnError: steps[i].ContinueOnError})
	}
	return out
}

// PromotionInfo is the serialisable part of a step's context, sent by the
// Promotion workflow with every step.
type PromotionInfo struct {
	Project       string          `json:"project"`
	Stage         string          `json:"stage"`
	Name          string          `json:"name"` // the promotion's name
	Actor         string          `json:"actor,omitempty"`
	WorkDir       string          `json:"workDir"` // from the CreateWorkspace activity
	TargetFreight FreightRef      `json:"targetFreight"`
	Collection    Collection      `json:"collection"` // the whole target collection
	Requested     []FreightOrigin `json:"requested,omitempty"`
	Warehouses    []Warehouse     `json:"warehouses,omitempty"`
}

// StepRequest asks a worker to run one step of a promotion.
type StepRequest struct {
	// Step is the step, already inflated from tasks (see InflateSteps).
	Step  PromotionStep `json:"step"`
	Index int           `json:"index"`
	// Alias defaults to Step.As, else "step-<Index>".
	Alias string `json:"alias,omitempty"`
	// Vars are the promotion-wide vars in order of precedence: the Stage's,
	// then the template's (a later entry overrides an earlier one).
	Vars []ExpressionVar `json:"vars,omitempty"`
	// Statuses are the earlier steps' outcomes, in step order.
	Statuses []StepState `json:"statuses,omitempty"`
	// Outputs are the earlier steps' outputs by alias (Kargo's state).
	Outputs   map[string]map[string]any `json:"outputs,omitempty"`
	Promotion PromotionInfo             `json:"promotion"`
	// Metadata are the updates of the promotion's earlier set-metadata
	// steps, which its later steps already see.
	Metadata []MetadataUpdate `json:"metadata,omitempty"`
	// StartedAt is when this step first started; retry.timeout counts from
	// it across polls and retries. Zero means now.
	StartedAt time.Time `json:"startedAt,omitzero"`
}

// StepResponse is one step run's outcome.
//
// The workflow records Status/Message under Alias and merges the outputs
// with Apply. It then decides:
//   - Succeeded, Skipped: next step.
//   - Running: run the same step again after RetryAfter (a timer), or
//     sooner when an event about WaitingOn arrives, keeping StartedAt, until
//     it leaves Running; an elapsed retry.timeout becomes a terminal Errored.
//   - Errored and not Terminal: count consecutive errors; while the count is
//     below ErrorThreshold(step) run it again, else record Errored.
//   - Failed, Aborted, or Errored and Terminal: record it and go on (later
//     steps decide by their `if`).
//
// The phase of the promotion is then FinalPhase over all statuses.
type StepResponse struct {
	Alias      string         `json:"alias"`
	Status     StepStatus     `json:"status"`
	Message    string         `json:"message,omitempty"`
	Output     map[string]any `json:"output,omitempty"`
	Terminal   bool           `json:"terminal,omitempty"`
	RetryAfter time.Duration  `json:"retryAfter,omitempty"`
	// WaitingOn names what a Running step waits for (a pull request's
	// PullRequestKey), so that an event about it can wake the promotion.
	WaitingOn string `json:"waitingOn,omitempty"`
	// HealthChecks: the Applications a succeeded argocd-update updated.
	HealthChecks []AppRef `json:"healthChecks,omitempty"`
	// TaskAlias/TaskOutput: compose-output inside a task also publishes its
	// output under the task's alias.
	TaskAlias  string         `json:"taskAlias,omitempty"`
	TaskOutput map[string]any `json:"taskOutput,omitempty"`
	// EmptySlots names the requested origins whose slot was empty when the
	// step's expressions asked for their artifacts, set when the step did
	// not succeed: the promotion waits for them.
	EmptySlots []string `json:"emptySlots,omitempty"`
}

// Apply merges a response's outputs into the promotion's outputs (by alias,
// and by task alias for compose-output inside a task) and returns them.
func (r StepResponse) Apply(outputs map[string]map[string]any) map[string]map[string]any {
	if outputs == nil {
		outputs = map[string]map[string]any{}
	}
	if r.Output != nil {
		outputs[r.Alias] = r.Output
	}
	if r.TaskAlias != "" && len(r.TaskOutput) > 0 {
		merged := maps.Clone(outputs[r.TaskAlias])
		if merged == nil {
			merged = map[string]any{}
		}
		maps.Copy(merged, r.TaskOutput)
		outputs[r.TaskAlias] = merged
	}
	return outputs
}

// AliasOf is a step's alias: its `as`, else "step-<index>".
func AliasOf(step PromotionStep, index int) string {
	if step.As != "" {
		return step.As
	}
	return "step-" + strconv.Itoa(index)
}

// StepTimeout is the step's retry.timeout; zero means none.
func StepTimeout(step PromotionStep) time.Duration {
	if step.Retry == nil {
		return 0
	}
	return step.Retry.Timeout.Duration()
}

// ErrorThreshold is how many consecutive Errored runs end a step: its
// retry.errorThreshold, else 1 (no retries), as in Kargo.
func ErrorThreshold(step PromotionStep) int {
	if step.Retry == nil || step.Retry.ErrorThreshold <= 0 {
		return 1
	}
	return step.Retry.ErrorThreshold
}

var severity = map[StepStatus]int{
	StepSucceeded: 0, StepSkipped: 1, StepRunning: 2,
	StepAborted: 3, StepFailed: 4, StepErrored: 5,
}

// Worst returns the most severe status (Succeeded < Skipped < Running <
// Aborted < Failed < Errored); Succeeded for none. Unknown statuses count
// as worse than Errored.
func Worst(statuses ...StepStatus) StepStatus {
	worst := StepSucceeded
	for _, s := range statuses {
		if rank(s) > rank(worst) {
			worst = s
		}
	}
	return worst
}

func rank(s StepStatus) int {
	if r, ok := severity[s]; ok {
		return r
	}
	return severity[StepErrored] + 1
}

// HasFailures reports whether a step not marked continueOnError Failed or
// Errored.
func HasFailures(steps []StepState) bool {
	for _, s := range steps {
		if !s.ContinueOnError && (s.Status == StepFailed || s.Status == StepErrored) {
			return true
		}
	}
	return false
}

// FinalPhase is a promotion's phase from its steps: the worst status among
// steps without continueOnError, Skipped counting as Succeeded. The message
// is that of the first step with the worst status.
func FinalPhase(steps []StepState) (PromotionPhase, string) {
	var counted []StepStatus
	for _, s := range steps {
		if !s.ContinueOnError {
			counted = append(counted, s.Status)
		}
	}
	worst := Worst(counted...)
	if worst == StepSkipped || worst == StepSucceeded {
		return PhaseSucceeded, ""
	}
	for _, s := range steps {
		if !s.ContinueOnError && s.Status == worst {
			return PromotionPhase(worst), fmt.Sprintf("step %q %s: %s", s.Alias, s.Status, s.Message)
		}
	}
	return PromotionPhase(worst), ""
}
