package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// PromotionInput starts a Promotion: everything it needs, so that it
// asks nobody for anything and reports only to its parent Stage.
type PromotionInput struct {
	Project    string                   `json:"project"`
	Stage      string                   `json:"stage"`
	Name       string                   `json:"name"`
	Targets    []railyard.FreightRef    `json:"targets"`
	Actor      string                   `json:"actor,omitempty"`
	Collection railyard.Collection      `json:"collection"`
	Requested  []railyard.FreightOrigin `json:"requested,omitempty"` // every slot, held or empty
	Steps      []railyard.PromotionStep `json:"steps"`
	Vars       []railyard.ExpressionVar `json:"vars,omitempty"`
	Warehouses []railyard.Warehouse     `json:"warehouses,omitempty"`
}

// PromotionStatus is a Promotion's progress and, at the end, its result.
type PromotionStatus struct {
	Project    string                  `json:"project"`
	Stage      string                  `json:"stage"`
	Name       string                  `json:"name"`
	Targets    []railyard.FreightRef   `json:"targets"`
	Actor      string                  `json:"actor,omitempty"`
	Phase      railyard.PromotionPhase `json:"phase"`
	Message    string                  `json:"message,omitempty"`
	Collection railyard.Collection     `json:"collection"`
	Steps      []railyard.StepRecord   `json:"steps,omitempty"`
	// WaitingFor names the origins whose empty slot made a step fail.
	WaitingFor []string `json:"waitingFor,omitempty"`
	// WaitingOn names what the running step waits for (a pull request's
	// railyard.PullRequestKey) while it waits, so that a webhook event
	// about it can wake the promotion with a poll signal.
	WaitingOn string            `json:"waitingOn,omitempty"`
	Aliases   map[string]string `json:"aliases,omitempty"` // freight ID → alias set by set-freight-alias
	// Metadata are the updates of the set-metadata steps that succeeded,
	// for the Stage to apply (to itself, and through the Pipelines to
	// Freight) when the promotion succeeded.
	Metadata   []railyard.MetadataUpdate `json:"metadata,omitempty"`
	Workspaces int                       `json:"workspaces"` // > 1 after a lost worker
	// HealthChecks are the Argo CD Applications the promotion updated,
	// whose health the Stage tracks once it succeeded.
	HealthChecks []railyard.AppRef `json:"healthChecks,omitempty"`
	StartedAt    time.Time         `json:"startedAt"`
	FinishedAt   time.Time         `json:"finishedAt,omitzero"`
}

const maxWorkspaces = 5

// Error types a Promotion ends with, so that the Web UI lists a promotion
// that did not succeed as Failed.
const (
	ErrTypePromotionFailed  = "PromotionFailed"
	ErrTypePromotionErrored = "PromotionErrored"
)

var errWorkerLost = errors.New("worker lost")

// Promotion runs one promotion's steps on one worker in a shared
// workspace. It succeeds with its status; a promotion that failed ends
// with an application error naming the step, and an aborted one as
// canceled, both carrying the status as details for the parent Stage.
func Promotion(ctx workflow.Context, in PromotionInput) (PromotionStatus, error) {
	st := &PromotionStatus{Project: in.Project, Stage: in.Stage, Name: in.Name, Targets: in.Targets,
		Actor: in.Actor, Phase: railyard.PhaseRunning, Collection: in.Collection, StartedAt: workflow.Now(ctx)}
	if err := setQuery(ctx, QueryStatus, "Phase and step outcomes", func() (PromotionStatus, error) {
		return *st, nil
	}); err != nil {
		return *st, err
	}
	st.run(ctx, in)
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: %s", in.Stage, st.Phase, st.Message))
	switch st.Phase {
	case railyard.PhaseSucceeded:
		return *st, nil
	case railyard.PhaseAborted:
		return *st, temporal.NewCanceledError(*st)
	case railyard.PhaseFailed:
		return *st, temporal.NewNonRetryableApplicationError(st.Message, ErrTypePromotionFailed, nil, *st)
	default:
		return *st, temporal.NewNonRetryableApplicationError(st.Message, ErrTypePromotionErrored, nil, *st)
	}
}

// run runs the steps, starting over on another worker when the one holding
// the workspace is lost, and records the outcome. The workspace is removed
// at the end; a lost worker's workspace is left to that worker's next start,
// rather than waiting on a queue nobody polls.
func (st *PromotionStatus) run(ctx workflow.Context, in PromotionInput) {
	for {
		st.Workspaces++
		ws, err := st.runSteps(ctx, in)
		lost := errors.Is(err, errWorkerLost)
		if !lost && ws.Dir != "" {
			defer st.removeWorkspace(ctx, ws)
		}
		switch {
		case lost && st.Workspaces < maxWorkspaces:
			workflow.GetLogger(ctx).Warn("worker lost; starting the promotion over", "workspaces", st.Workspaces)
			continue
		case temporal.IsCanceledError(err) || ctx.Err() != nil:
			st.finish(ctx, railyard.PhaseAborted, strings.TrimSuffix("aborted ("+st.Message+")", " ()"))
		case err != nil:
			st.finish(ctx, railyard.PhaseErrored, err.Error())
		default:
			phase, msg := railyard.FinalPhase(railyard.StepStates(st.Steps, in.Steps))
			st.finish(ctx, phase, msg)
		}
		return
	}
}

func (st *PromotionStatus) runSteps(ctx workflow.Context, in PromotionInput) (activities.Workspace, error) {
	var ws activities.Workspace
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 5},
		Summary: "workspace for " + st.Name})
	if err := workflow.ExecuteLocalActivity(lctx, activities.CreateWorkspaceName, st.Name).Get(ctx, &ws); err != nil {
		return activities.Workspace{}, fmt.Errorf("creating workspace: %w", err)
	}
	st.Steps, st.WaitingFor, st.Message, st.HealthChecks = st.Steps[:0], nil, "", nil
	info := railyard.PromotionInfo{Project: st.Project, Stage: st.Stage, Name: st.Name,
		Actor: st.Actor, WorkDir: ws.Dir, TargetFreight: in.Targets[0],
		Collection: in.Collection, Warehouses: in.Warehouses}
	info.Requested = in.Requested
	if len(info.Requested) == 0 {
		for _, ref := range in.Collection.Refs() {
			info.Requested = append(info.Requested, ref.Origin)
		}
	}
	outputs := map[string]map[string]any{}
	request := func(i int) railyard.StepRequest {
		return railyard.StepRequest{Step: in.Steps[i], Index: i, Alias: railyard.AliasOf(in.Steps[i], i), Vars: in.Vars,
			Statuses: railyard.StepStates(st.Steps, in.Steps), Outputs: outputs, Promotion: info,
			Metadata: railyard.MetadataSet(st.Steps)}
	}
	record := func(rec railyard.StepRecord, resp railyard.StepResponse) {
		st.Message = ""
		st.Steps = append(st.Steps, rec)
		st.WaitingFor = appendNew(st.WaitingFor, resp.EmptySlots...)
		st.HealthChecks = append(st.HealthChecks, resp.HealthChecks...)
		outputs = resp.Apply(outputs)
	}
	env := summaryEnv{Project: info.Project, Stage: info.Stage, Promotion: info.Name, Vars: in.Vars, Collection: in.Collection}
	batches := workflow.GetVersion(ctx, "step-batches", workflow.DefaultVersion, 1) == 1
	for len(st.Steps) < len(in.Steps) {
		var pending *batchedRun
		if batches {
			var err error
			if pending, err = st.runBatch(ctx, ws, in.Steps, request(len(st.Steps)), env, record); err != nil {
				return ws, err
			}
			if pending == nil {
				continue
			}
		}
		i := len(st.Steps)
		step := in.Steps[i]
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** step %d/%d: %s", st.Stage, i+1, len(in.Steps), step.Uses))
		rec, resp, err := runStep(ctx, ws, request(i), stepSummary(step, env), pending, func(resp railyard.StepResponse) {
			st.Message, st.WaitingOn = resp.Message, resp.WaitingOn
		})
		st.WaitingOn = ""
		if err != nil {
			return ws, err
		}
		record(rec, resp)
	}
	return ws, nil
}

func appendNew(list []string, items ...string) []string {
	for _, s := range items {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// runStep runs one step, polling a Running step and retrying an Errored one
// up to its error threshold. first, when set, is the step's first run, in
// the batch that stopped at it (runBatch): the step started that long ago. A
// Running step's response goes to running and its message ("waiting for
// PR #12 (url)") to the workflow's current details.
func runStep(ctx workflow.Context, ws activities.Workspace, req railyard.StepRequest, summary string, first *batchedRun, running func(railyard.StepResponse)) (railyard.StepRecord, railyard.StepResponse, error) {
	rec := railyard.StepRecord{Alias: req.Alias, Uses: req.Step.Uses}
	start := workflow.Now(ctx)
	if first != nil {
		start = start.Add(-first.took)
	}
	req.StartedAt = start
	for {
		var resp railyard.StepResponse
		var err error
		if first != nil {
			resp, first = first.resp, nil
		} else {
			err = runOnce(ctx, ws, req, summary, &resp)
		}
		switch {
		case workerLost(err):
			return rec, resp, errWorkerLost
		case err != nil && ctx.Err() != nil:
			return rec, resp, ctx.Err()
		case err != nil:
			resp = railyard.StepResponse{Alias: req.Alias, Status: railyard.StepErrored, Message: errorMessage(err)}
		}
		if resp.Status == railyard.StepRunning {
			running(resp)
			workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: %s", req.Promotion.Stage, req.Alias, resp.Message))
			if err := pollAfter(ctx, req.Alias, resp); err != nil {
				return rec, resp, err
			}
			continue
		}
		if resp.Status == railyard.StepErrored && !resp.Terminal {
			rec.Errors++
			if rec.Errors < railyard.ErrorThreshold(req.Step) {
				continue
			}
		}
		rec.Status, rec.Message, rec.Output = resp.Status, resp.Message, resp.Output
		rec.Duration = workflow.Now(ctx).Sub(start)
		return rec, resp, nil
	}
}

// runOnce runs the step on the workflow's own task queue first, so that the
// server can hand it to this worker at once (eager dispatch) when the worker
// holds the workspace, as it usually does; elsewhere, the step is refused
// and sent to the queue of the worker that holds it.
func runOnce(ctx workflow.Context, ws activities.Workspace, req railyard.StepRequest, summary string, resp *railyard.StepResponse) error {
	var a *activities.Activities
	timeout := railyard.StepTimeout(req.Step)
	err := workflow.ExecuteActivity(stepOptions(ctx, workflow.GetInfo(ctx).TaskQueueName, summary, timeout), a.RunStep, req).Get(ctx, resp)
	if elsewhere(err) {
		err = workflow.ExecuteActivity(stepOptions(ctx, ws.TaskQueue, summary, timeout), a.RunStep, req).Get(ctx, resp)
	}
	return err
}

// elsewhere reports a step refused by a worker that does not hold its
// workspace.
func elsewhere(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == activities.ErrTypeWorkspaceElsewhere
}

// workerLost tells a dead worker (nobody took the step from its queue, or
// it stopped heartbeating) from a step that failed.
func workerLost(err error) bool {
	var t *temporal.TimeoutError
	if !errors.As(err, &t) {
		return false
	}
	return t.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START || t.TimeoutType() == enumspb.TIMEOUT_TYPE_HEARTBEAT
}

// removeWorkspace removes the workspace with a local activity, on the worker
// running this workflow task: usually the one holding the workspace. On
// another worker it fails harmlessly and the holder's next start clears it.
func (st *PromotionStatus) removeWorkspace(ctx workflow.Context, ws activities.Workspace) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if workflow.GetVersion(dctx, "local-remove-workspace", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		var a *activities.Activities
		actx := stepOptions(dctx, ws.TaskQueue, "remove workspace "+ws.Dir, time.Minute)
		if err := workflow.ExecuteActivity(actx, a.RemoveWorkspace, ws).Get(dctx, nil); err != nil {
			workflow.GetLogger(ctx).Info("workspace not removed", "dir", ws.Dir, "error", err)
		}
		return
	}
	lctx := workflow.WithLocalActivityOptions(dctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1},
		Summary: "remove workspace " + ws.Dir})
	if err := workflow.ExecuteLocalActivity(lctx, activities.RemoveWorkspaceName, ws).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Info("workspace not removed", "dir", ws.Dir, "error", err)
	}
}

// finish records the outcome; a promotion that failed for want of Freight
// in a slot says which.
func (st *PromotionStatus) finish(ctx workflow.Context, phase railyard.PromotionPhase, msg string) {
	st.Phase, st.Message, st.FinishedAt = phase, msg, workflow.Now(ctx)
	if phase != railyard.PhaseFailed && phase != railyard.PhaseErrored {
		st.WaitingFor = nil
	}
	st.Aliases = railyard.AliasesSet(st.Steps, st.Collection)
	st.Metadata = railyard.MetadataSet(st.Steps)
}
