package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/expr"
)

// StepState is what later steps know of an earlier one (for `if`,
// success(), failure(), status()).
type StepState = expr.StepStatus

// PromotionInfo is the serialisable part of a step's context, sent by the
// workflow with every step.
type PromotionInfo struct {
	Project       string                   `json:"project"`
	Stage         string                   `json:"stage"`
	Name          string                   `json:"name"` // the promotion's name
	Actor         string                   `json:"actor,omitempty"`
	WorkDir       string                   `json:"workDir"` // from the CreateWorkspace activity
	TargetFreight railyard.FreightRef      `json:"targetFreight"`
	Collection    railyard.Collection      `json:"collection"` // the whole target collection
	Requested     []railyard.FreightOrigin `json:"requested,omitempty"`
	Warehouses    []railyard.Warehouse     `json:"warehouses,omitempty"`
}

// StepRequest asks the engine to run one step of a promotion.
type StepRequest struct {
	// Step is the step, already inflated from tasks (see railyard.InflateSteps).
	Step  railyard.PromotionStep `json:"step"`
	Index int                    `json:"index"`
	// Alias defaults to Step.As, else "step-<Index>".
	Alias string `json:"alias,omitempty"`
	// Vars are the promotion-wide vars in order of precedence: the Stage's,
	// then the template's (a later entry overrides an earlier one).
	Vars []railyard.ExpressionVar `json:"vars,omitempty"`
	// Statuses are the earlier steps' outcomes, in step order.
	Statuses []StepState `json:"statuses,omitempty"`
	// Outputs are the earlier steps' outputs by alias (Kargo's state).
	Outputs   map[string]map[string]any `json:"outputs,omitempty"`
	Promotion PromotionInfo             `json:"promotion"`
	// Metadata are the updates of the promotion's earlier set-metadata
	// steps, which its later steps already see.
	Metadata []railyard.MetadataUpdate `json:"metadata,omitempty"`
	// StartedAt is when this step first started; retry.timeout counts from
	// it across polls and retries. Zero means now.
	StartedAt time.Time `json:"startedAt,omitzero"`
}

// StepResponse is one step run's outcome.
//
// The workflow records Status/Message under Alias and merges the outputs
// with Apply. It then decides:
//   - Succeeded, Skipped: next step.
//   - Running: run the same step again after RetryAfter (a timer), keeping
//     StartedAt, until it leaves Running; the engine turns an elapsed
//     retry.timeout into a terminal Errored.
//   - Errored and not Terminal: count consecutive errors; while the count is
//     below ErrorThreshold(step) run it again, else record Errored.
//   - Failed, Aborted, or Errored and Terminal: record it and go on (later
//     steps decide by their `if`).
//
// The phase of the promotion is then FinalPhase over all statuses.
type StepResponse struct {
	Alias      string         `json:"alias"`
	Status     string         `json:"status"`
	Message    string         `json:"message,omitempty"`
	Output     map[string]any `json:"output,omitempty"`
	Terminal   bool           `json:"terminal,omitempty"`
	RetryAfter time.Duration  `json:"retryAfter,omitempty"`
	// TaskAlias/TaskOutput: compose-output inside a task also publishes its
	// output under the task's alias.
	TaskAlias  string         `json:"taskAlias,omitempty"`
	TaskOutput map[string]any `json:"taskOutput,omitempty"`
	// EmptySlots names the requested origins whose slot was empty when the
	// step's expressions asked for their artifacts, set when the step did
	// not succeed: the promotion waits for them.
	EmptySlots []string `json:"emptySlots,omitempty"`
}

// DefaultPollInterval is how long a Running step waits when it does not say.
const DefaultPollInterval = 5 * time.Minute

// Engine runs single promotion steps on a worker.
type Engine struct {
	Registry Registry
	Secrets  expr.SecretSource
	// ConfigMaps answers configMap() and sharedConfigMap().
	ConfigMaps expr.ConfigMapSource
	// Records answers freightMetadata(), freightStatus() and
	// stageMetadata(), and finds the Freight set-metadata names.
	Records expr.RecordSource
	Creds   creds.Source
	// UIBaseURL is what expressions see as ctx.uiBaseUrl.
	UIBaseURL string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// AliasOf returns a step's alias: its `as`, else "step-<index>".
func AliasOf(step railyard.PromotionStep, index int) string {
	if step.As != "" {
		return step.As
	}
	return "step-" + strconv.Itoa(index)
}

// Run executes one step: `if`, vars, config, then the runner. Problems are
// reported in the response, never as an error, so that they land in history
// as the step's outcome; the returned error is always nil.
func (e *Engine) Run(ctx context.Context, req StepRequest) (StepResponse, error) {
	if req.Alias == "" {
		req.Alias = AliasOf(req.Step, req.Index)
	}
	empty := &expr.EmptySlots{}
	resp := e.run(ctx, req, empty)
	resp.Alias = req.Alias
	if names := empty.Names(); len(names) > 0 && (resp.Status == StatusErrored || resp.Status == StatusFailed) {
		resp.EmptySlots, resp.Terminal = names, true
		resp.Message = fmt.Sprintf("needs Freight from %s, whose slot in stage %s is empty: %s",
			strings.Join(names, ", "), req.Promotion.Stage, resp.Message)
	}
	return resp, nil
}

func (e *Engine) run(ctx context.Context, req StepRequest, empty *expr.EmptySlots) StepResponse {
	if req.Step.If == "" && expr.HasFailures(req.Statuses) {
		return StepResponse{Status: StatusSkipped}
	}
	ev, err := e.evaluator(ctx, req, empty)
	if err != nil {
		return errored(err, true)
	}
	if req.Step.If != "" {
		ok, err := ev.Bool(req.Step.If)
		if err != nil {
			return errored(fmt.Errorf("evaluating if: %w", err), true)
		}
		if !ok {
			return StepResponse{Status: StatusSkipped}
		}
	}
	runner, ok := e.Registry[req.Step.Uses]
	if !ok {
		return errored(unknownStep(req.Step.Uses), true)
	}
	config, err := ev.JSON(req.Step.Config)
	if err != nil {
		return errored(fmt.Errorf("evaluating config: %w", err), true)
	}
	return e.invoke(ctx, req, runner, config)
}

func unknownStep(uses string) error {
	switch railyard.StepKind(uses) {
	case "unsupported":
		return fmt.Errorf("step %q: %w", uses, railyard.ErrNotSupported)
	case "supported":
		return fmt.Errorf("step %q is not registered on this worker", uses)
	}
	return fmt.Errorf("unknown step %q: no such step kind in Kargo or Railyard", uses)
}

// invoke runs the runner under the step's timeout and converts its outcome.
func (e *Engine) invoke(ctx context.Context, req StepRequest, r Runner, config json.RawMessage) StepResponse {
	timeout := StepTimeout(req.Step)
	if timeout > 0 {
		left := timeout - e.now().Sub(e.startedAt(req))
		if left <= 0 {
			return errored(fmt.Errorf("step %q timed out after %s", req.Alias, timeout), true)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, left)
		defer cancel()
	}
	res, err := r.Run(ctx, e.stepContext(req), config)
	if err != nil {
		return e.fromError(ctx, req, timeout, err)
	}
	return e.fromResult(req, r, res)
}

func (e *Engine) fromError(ctx context.Context, req StepRequest, timeout time.Duration, err error) StepResponse {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && timeout > 0:
		return errored(fmt.Errorf("step %q timed out after %s: %w", req.Alias, timeout, err), true)
	case errors.Is(ctx.Err(), context.Canceled):
		return StepResponse{Status: StatusAborted, Message: err.Error(), Terminal: true}
	}
	var t *TerminalError
	return errored(err, errors.As(err, &t))
}

func (e *Engine) fromResult(req StepRequest, r Runner, res Result) StepResponse {
	out := StepResponse{Status: res.Status, Message: res.Message, Output: res.Output}
	switch res.Status {
	case "":
		out.Status = StatusSucceeded
	case StatusSucceeded, StatusSkipped:
	case StatusRunning:
		out.RetryAfter = res.RetryAfter
		if out.RetryAfter <= 0 {
			out.RetryAfter = DefaultPollInterval
		}
	case StatusFailed, StatusAborted:
		out.Terminal = true
	case StatusErrored:
		if out.Message == "" {
			out.Message = "no details provided"
		}
	default:
		return errored(fmt.Errorf("step %q returned invalid status %q", req.Alias, res.Status), true)
	}
	if t, ok := r.(interface{ TaskLevelOutput() bool }); ok && t.TaskLevelOutput() {
		if ns := expr.Namespace(req.Alias); ns != "" {
			out.TaskAlias, out.TaskOutput = ns, res.Output
		}
	}
	return out
}

func errored(err error, terminal bool) StepResponse {
	return StepResponse{Status: StatusErrored, Message: err.Error(), Terminal: terminal}
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) startedAt(req StepRequest) time.Time {
	if req.StartedAt.IsZero() {
		return e.now()
	}
	return req.StartedAt
}

func (e *Engine) stepContext(req StepRequest) *Context {
	p := req.Promotion
	c := e.Creds
	if c == nil {
		c = creds.None{}
	}
	return &Context{
		WorkDir: p.WorkDir, Project: p.Project, Stage: p.Stage, Promotion: p.Name,
		TargetFreight: p.TargetFreight, Collection: p.Collection, Warehouses: p.Warehouses,
		Creds: c, Records: e.Records, Alias: req.Alias, Actor: p.Actor, Requested: p.Requested,
		StartedAt: e.startedAt(req),
	}
}
