package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/expr"
)

// The messages between the Promotion workflow and the engine are the root
// package's.
type (
	StepState     = railyard.StepState
	PromotionInfo = railyard.PromotionInfo
	StepRequest   = railyard.StepRequest
	StepResponse  = railyard.StepResponse
)

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

// Run executes one step: `if`, vars, config, then the runner. Problems are
// reported in the response, never as an error, so that they land in history
// as the step's outcome; the returned error is always nil.
func (e *Engine) Run(ctx context.Context, req StepRequest) (StepResponse, error) {
	if req.Alias == "" {
		req.Alias = railyard.AliasOf(req.Step, req.Index)
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
	if req.Step.If == "" && railyard.HasFailures(req.Statuses) {
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
	timeout := railyard.StepTimeout(req.Step)
	if d, ok := r.(interface{ DefaultTimeout() time.Duration }); ok && timeout == 0 {
		timeout = d.DefaultTimeout()
	}
	if timeout > 0 {
		left := timeout - e.now().Sub(e.startedAt(req))
		if left <= 0 {
			return errored(fmt.Errorf("step %q timed out after %s", req.Alias, timeout), true)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, left)
		defer cancel()
	}
	sc := e.stepContext(req)
	sc.Timeout = timeout
	res, err := r.Run(ctx, sc, config)
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
	return errored(err, railyard.IsTerminal(err))
}

func (e *Engine) fromResult(req StepRequest, r Runner, res Result) StepResponse {
	out := StepResponse{Status: res.Status, Message: res.Message, Output: res.Output}
	if res.Status == StatusSucceeded {
		out.HealthChecks = res.HealthChecks
	}
	switch res.Status {
	case "":
		out.Status = StatusSucceeded
	case StatusSucceeded, StatusSkipped:
	case StatusRunning:
		out.RetryAfter, out.WaitingOn = res.RetryAfter, res.WaitingOn
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
