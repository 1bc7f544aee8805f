package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
	"github.com/railyard/railyard/activities/steps"
)

// PromotionInput starts a Promotion.
type PromotionInput struct {
	Project string                `json:"project"`
	Stage   string                `json:"stage"`
	Name    string                `json:"name"`
	Targets []railyard.FreightRef `json:"targets"`
	Actor   string                `json:"actor,omitempty"`
	Parent  string                `json:"parent,omitempty"` // workflow to tell when done
}

// PromotionStatus is a Promotion's progress and, at the end, its result.
type PromotionStatus struct {
	Input      PromotionInput      `json:"input"`
	Phase      string              `json:"phase"`
	Message    string              `json:"message,omitempty"`
	Collection railyard.Collection `json:"collection"`
	Steps      []StepRecord        `json:"steps,omitempty"`
	Workspaces int                 `json:"workspaces"` // > 1 after a lost worker
	StartedAt  time.Time           `json:"startedAt"`
	FinishedAt time.Time           `json:"finishedAt,omitzero"`
}

// StepRecord is one step's outcome.
type StepRecord struct {
	Alias    string         `json:"alias"`
	Uses     string         `json:"uses"`
	Status   string         `json:"status"`
	Message  string         `json:"message,omitempty"`
	Output   map[string]any `json:"output,omitempty"`
	Errors   int            `json:"errors,omitempty"`
	Duration time.Duration  `json:"duration"`
}

const maxWorkspaces = 5

var errWorkerLost = errors.New("worker lost")

// Promotion runs one promotion: it waits for its stage's turn, runs the
// steps on one worker in a shared workspace, and reports the outcome to the
// stage and to the workflow that started it.
func Promotion(ctx workflow.Context, in PromotionInput) (PromotionStatus, error) {
	st := &PromotionStatus{Input: in, Phase: PhasePending, StartedAt: workflow.Now(ctx)}
	if err := setQuery(ctx, QueryStatus, "Phase and step outcomes", func() (PromotionStatus, error) {
		return *st, nil
	}); err != nil {
		return *st, err
	}
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("waiting for stage **%s**", in.Stage))
	g, err := awaitTurn(ctx, in)
	switch {
	case temporal.IsCanceledError(err):
		st.finish(ctx, PhaseAborted, "aborted while waiting for the stage")
	case err != nil:
		st.finish(ctx, PhaseErrored, err.Error())
	case g.Denied != "":
		st.finish(ctx, PhaseAborted, g.Denied)
	default:
		st.Phase, st.Collection = PhaseRunning, g.Collection
		st.run(ctx, g)
	}
	return *st, nil
}

// enqueueAttempts bound how long a promotion waits for its stage's workflow
// to start (a project being applied starts them concurrently): about two
// minutes in all.
const enqueueAttempts = 8

// awaitTurn queues the promotion at its stage and waits for the grant.
func awaitTurn(ctx workflow.Context, in PromotionInput) (Grant, error) {
	e := Enqueue{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Promotion: in.Name,
		Targets: in.Targets, Parent: in.Parent, Actor: in.Actor}
	stageID := railyard.StageWorkflowID(in.Project, in.Stage)
	for attempt := 1; ; attempt++ {
		err := workflow.SignalExternalWorkflow(ctx, stageID, "", SignalEnqueue, e).Get(ctx, nil)
		if err == nil {
			break
		}
		if attempt == enqueueAttempts || ctx.Err() != nil {
			return Grant{}, fmt.Errorf("stage %s is not running: %w", in.Stage, err)
		}
		wait := time.Duration(1<<attempt) * time.Second
		if err := workflow.NewTimerWithOptions(ctx, wait, workflow.TimerOptions{
			Summary: fmt.Sprintf("wait %s for stage %s to start", wait, in.Stage)}).Get(ctx, nil); err != nil {
			return Grant{}, err
		}
	}
	var g Grant
	workflow.GetSignalChannelWithOptions(ctx, SignalGrant, workflow.SignalChannelOptions{
		Description: "The stage gives this promotion its turn"}).Receive(ctx, &g)
	return g, ctx.Err()
}

// run runs the steps, starting over on another worker when the one holding
// the workspace is lost. The outcome is reported first and the workspace
// removed afterwards; a lost worker's workspace is left to that worker's
// next start, rather than waiting on a queue nobody polls.
func (st *PromotionStatus) run(ctx workflow.Context, g Grant) {
	for {
		st.Workspaces++
		ws, err := st.runSteps(ctx, g)
		lost := errors.Is(err, errWorkerLost)
		if !lost && ws.Dir != "" {
			defer st.removeWorkspace(ctx, ws)
		}
		switch {
		case lost && st.Workspaces < maxWorkspaces:
			workflow.GetLogger(ctx).Warn("worker lost; starting the promotion over", "workspaces", st.Workspaces)
			continue
		case temporal.IsCanceledError(err) || ctx.Err() != nil:
			st.finish(ctx, PhaseAborted, "aborted")
		case err != nil:
			st.finish(ctx, PhaseErrored, err.Error())
		default:
			phase, msg := steps.FinalPhase(st.states(g))
			if phase == steps.StatusSkipped {
				phase = steps.StatusSucceeded
			}
			st.finish(ctx, phase, msg)
		}
		return
	}
}

func (st *PromotionStatus) runSteps(ctx workflow.Context, g Grant) (activities.Workspace, error) {
	var ws activities.Workspace
	var a *activities.Activities
	summary := fmt.Sprintf("workspace for %s", st.Input.Name)
	if err := workflow.ExecuteActivity(workspaceOptions(ctx, summary), a.CreateWorkspace, st.Input.Name).Get(ctx, &ws); err != nil {
		return activities.Workspace{}, fmt.Errorf("creating workspace: %w", err)
	}
	st.Steps = st.Steps[:0]
	info := steps.PromotionInfo{Project: st.Input.Project, Stage: st.Input.Stage, Name: st.Input.Name,
		Actor: st.Input.Actor, WorkDir: ws.Dir, TargetFreight: st.Input.Targets[0],
		Collection: g.Collection, Warehouses: g.Warehouses}
	for _, ref := range g.Collection.Refs() {
		info.Requested = append(info.Requested, ref.Origin)
	}
	outputs := map[string]map[string]any{}
	for i, step := range g.Steps {
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** step %d/%d: %s", st.Input.Stage, i+1, len(g.Steps), step.Uses))
		req := steps.StepRequest{Step: step, Index: i, Alias: steps.AliasOf(step, i), Vars: g.Vars,
			Statuses: st.states(g), Outputs: outputs, Promotion: info}
		env := summaryEnv{Project: info.Project, Stage: info.Stage, Promotion: info.Name, Vars: g.Vars, Collection: g.Collection}
		rec, resp, err := runStep(ctx, ws, req, stepSummary(step, env))
		if err != nil {
			return ws, err
		}
		st.Steps = append(st.Steps, rec)
		outputs = resp.Apply(outputs)
	}
	return ws, nil
}

// runStep runs one step, polling a Running step and retrying an Errored one
// up to its error threshold.
func runStep(ctx workflow.Context, ws activities.Workspace, req steps.StepRequest, summary string) (StepRecord, steps.StepResponse, error) {
	rec := StepRecord{Alias: req.Alias, Uses: req.Step.Uses}
	start := workflow.Now(ctx)
	req.StartedAt = start
	var a *activities.Activities
	for {
		var resp steps.StepResponse
		actx := stepOptions(ctx, ws.TaskQueue, summary, steps.StepTimeout(req.Step))
		err := workflow.ExecuteActivity(actx, a.RunStep, req).Get(ctx, &resp)
		switch {
		case workerLost(err):
			return rec, resp, errWorkerLost
		case err != nil && ctx.Err() != nil:
			return rec, resp, ctx.Err()
		case err != nil:
			resp = steps.StepResponse{Alias: req.Alias, Status: steps.StatusErrored, Message: errorMessage(err)}
		}
		if resp.Status == steps.StatusRunning {
			if err := workflow.NewTimerWithOptions(ctx, resp.RetryAfter, workflow.TimerOptions{
				Summary: fmt.Sprintf("poll %s again in %s", req.Alias, resp.RetryAfter)}).Get(ctx, nil); err != nil {
				return rec, resp, err
			}
			continue
		}
		if resp.Status == steps.StatusErrored && !resp.Terminal {
			rec.Errors++
			if rec.Errors < steps.ErrorThreshold(req.Step) {
				continue
			}
		}
		rec.Status, rec.Message, rec.Output = resp.Status, resp.Message, resp.Output
		rec.Duration = workflow.Now(ctx).Sub(start)
		return rec, resp, nil
	}
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

func (st *PromotionStatus) removeWorkspace(ctx workflow.Context, ws activities.Workspace) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var a *activities.Activities
	actx := stepOptions(dctx, ws.TaskQueue, "remove workspace "+ws.Dir, time.Minute)
	if err := workflow.ExecuteActivity(actx, a.RemoveWorkspace, ws).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Info("workspace not removed", "dir", ws.Dir, "error", err)
	}
}

// states lists the step outcomes so far, with continueOnError from the steps.
func (st *PromotionStatus) states(g Grant) []steps.StepState {
	out := make([]steps.StepState, 0, len(st.Steps))
	for i, r := range st.Steps {
		out = append(out, steps.StepState{Alias: r.Alias, Status: r.Status, Message: r.Message,
			ContinueOnError: g.Steps[i].ContinueOnError})
	}
	return out
}

// finish records the outcome and tells the stage and the parent.
func (st *PromotionStatus) finish(ctx workflow.Context, phase, msg string) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	st.Phase, st.Message, st.FinishedAt = phase, msg, workflow.Now(dctx)
	done := PromotionDone{Promotion: st.Input.Name, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Stage: st.Input.Stage, Phase: phase, Message: msg, Collection: st.Collection,
		Aliases: st.aliases(), FinishedAt: st.FinishedAt}
	signalQuietly(dctx, railyard.StageWorkflowID(st.Input.Project, st.Input.Stage), SignalPromotionDone, done)
	if st.Input.Parent != "" {
		signalQuietly(dctx, st.Input.Parent, SignalPromotionDone, done)
	}
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: %s", st.Input.Stage, phase, msg))
}

// aliases collects the aliases set by set-freight-alias steps.
func (st *PromotionStatus) aliases() map[string]string {
	out := map[string]string{}
	for _, r := range st.Steps {
		if r.Uses != "set-freight-alias" || r.Status != steps.StatusSucceeded {
			continue
		}
		name, _ := r.Output["name"].(string)
		alias, _ := r.Output["alias"].(string)
		for _, ref := range st.Collection.Refs() {
			if name == ref.ID || name == ref.Alias {
				out[ref.ID] = alias
			}
		}
	}
	return out
}
