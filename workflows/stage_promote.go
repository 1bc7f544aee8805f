package workflows

import (
	"errors"
	"fmt"
	"slices"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// request queues a Pipeline's request, naming it when the Pipeline did not.
func (s *stage) request(ctx workflow.Context, r railyard.PromotionRequest) error {
	if len(r.Targets) == 0 {
		return errors.New("request names no Freight")
	}
	if s.Config != nil {
		for _, t := range r.Targets {
			if _, ok := s.Config.Stage.Spec.Request(t.Origin); !ok {
				return fmt.Errorf("stage %s does not request Freight from %s", s.Stage, t.Origin)
			}
		}
	}
	r.QueuedAt = workflow.Now(ctx)
	if r.Name == "" {
		s.Seq++
		r.Name = railyard.PromotionName(s.Stage, r.QueuedAt, s.Seq, r.Targets[0].ID)
	}
	if s.Queue.Add(r, s.current()) {
		s.dirty = true
	}
	return nil
}

// target is the collection a request produces: the current slots the
// stage still requests, with the request's Freight in theirs.
func (s *stage) target(r railyard.PromotionRequest) railyard.Collection {
	return s.current().Keep(s.requested()).With(r.Targets...)
}

// startNext starts the next promotion once none runs and the current
// collection's verification has ended.
func (s *stage) startNext(ctx workflow.Context) {
	if s.Current != nil || s.Retired || (len(s.History) > 0 && !s.History[0].Verification.Terminal() && !s.awaitingHealth()) {
		return
	}
	if d := s.Queue.GatherWait(s.requested(), s.current(), workflow.Now(ctx)); d > 0 {
		s.wakeIn = d
		return
	}
	next, ok, dropped := s.Queue.Next(s.gate)
	for _, d := range dropped {
		s.record(PromotionRecord{Name: d.Name, Stage: s.Stage, Freight: freightIDs(d.Targets), Actor: d.Actor,
			Auto: d.Auto, Phase: railyard.PhaseAborted, Message: d.Waiting, StartedAt: d.QueuedAt,
			FinishedAt: workflow.Now(ctx)})
	}
	if ok {
		s.start(ctx, next)
	}
}

// gate holds an auto-promotion that needs a combination verified upstream,
// and drops it once upstream has moved past its Freight.
func (s *stage) gate(r railyard.PromotionRequest) (waiting, drop string) {
	return s.Upstream.Gate(s.Config.Stage.Spec, r, s.target(r))
}

// start starts the Promotion child with everything it needs and waits for
// its outcome in a coroutine of its own.
func (s *stage) start(ctx workflow.Context, r railyard.PromotionRequest) {
	now := workflow.Now(ctx)
	c := s.target(r)
	rec := PromotionRecord{Name: r.Name, WorkflowID: railyard.PromotionWorkflowID(s.Project, s.Stage, r.Name),
		Stage: s.Stage, Freight: freightIDs(r.Targets), Actor: r.Actor, Auto: r.Auto,
		Phase: railyard.PhaseRunning, StartedAt: now}
	s.Current = &rec
	s.record(rec)
	in := PromotionInput{Project: s.Project, Stage: s.Stage, Name: r.Name, Targets: r.Targets, Actor: r.Actor,
		Collection: c, Requested: s.requested(), Steps: s.Config.Steps, Vars: s.vars(), Warehouses: s.Config.Warehouses}
	cctx, cancel := workflow.WithCancel(ctx)
	s.cancelCurrent = cancel
	attrs := []temporal.SearchAttributeUpdate{
		temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrProject).ValueSet(s.Project),
		temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrStage).ValueSet(s.Stage)}
	if len(r.Targets) == 1 {
		attrs = append(attrs,
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrWarehouse).ValueSet(r.Targets[0].Origin.Name),
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrFreight).ValueSet(r.Targets[0].ID))
	}
	opts := workflow.ChildWorkflowOptions{WorkflowID: rec.WorkflowID, WaitForCancellation: true,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:         fmt.Sprintf("promote %s to %s (%s)", c.Summary(), s.Stage, r.Actor),
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...)}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(cctx, opts), Promotion, in)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var st PromotionStatus
		err := child.Get(ctx, &st)
		s.finished(ctx, r, outcome(ctx, err, st, in))
	})
}

// outcome reads a Promotion's status from its result, or from the details
// of the error it ended with.
func outcome(ctx workflow.Context, err error, st PromotionStatus, in PromotionInput) PromotionStatus {
	if err == nil {
		return st
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.HasDetails() && app.Details(&st) == nil {
		return st
	}
	st = PromotionStatus{Project: in.Project, Stage: in.Stage, Name: in.Name, Targets: in.Targets,
		Actor: in.Actor, Collection: in.Collection, Phase: railyard.PhaseErrored, Message: errorMessage(err),
		FinishedAt: workflow.Now(ctx)}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		if canceled.HasDetails() && canceled.Details(&st) == nil {
			return st
		}
		st.Phase, st.Message = railyard.PhaseAborted, "aborted"
	}
	return st
}

// finished records a promotion's outcome. A success becomes the current
// collection and is told to the Pipelines once; a failed auto-promotion is
// parked, to be retried when the collection changes or the empty slot it
// needs is filled.
func (s *stage) finished(ctx workflow.Context, r railyard.PromotionRequest, st PromotionStatus) {
	rec := *s.Current
	rec.Phase, rec.Message, rec.FinishedAt = st.Phase, st.Message, st.FinishedAt
	s.record(rec)
	s.Current, s.cancelCurrent, s.dirty = nil, nil, true
	if st.Phase != railyard.PhaseSucceeded {
		if st.Phase != railyard.PhaseAborted {
			s.Queue.Park(r, fmt.Sprintf("%s: %s", st.Phase, st.Message), st.WaitingFor)
		}
		return
	}
	c := CollectionRecord{Collection: st.Collection, Promotion: st.Name, PromotedAt: st.FinishedAt,
		Verification: VerificationRecord{Phase: railyard.AnalysisPending}}
	c.VerifiedUpstream, c.Provenance = s.provenance(st.Collection)
	if len(st.HealthChecks) > 0 {
		// Verified once the Applications are Healthy (see verify).
		c.Apps = st.HealthChecks
		c.Health = &railyard.StageHealth{Phase: railyard.HealthProgressing, Message: "waiting for Argo CD"}
	} else if !s.Config.Stage.Spec.Verification.Configured() {
		// Nothing to verify: verified at once, one notification instead of two.
		c.Verification = VerificationRecord{Phase: railyard.AnalysisSuccessful, StartedAt: st.FinishedAt,
			FinishedAt: st.FinishedAt, Message: "no verification configured"}
	}
	s.History = append([]CollectionRecord{c}, s.History...)
	if len(s.History) > maxHistory {
		s.History = s.History[:maxHistory]
	}
	s.Queue.Retry(st.Collection)
	s.Metadata = s.Metadata.WithUpdates(railyard.MetadataKindStage, s.Stage, st.Metadata)
	s.notify(ctx, c.Verification.Phase == railyard.AnalysisSuccessful, &st)
}

// record adds or updates a promotion in the stage's list, newest first.
func (s *stage) record(rec PromotionRecord) {
	if rec.WorkflowID == "" && rec.Name != "" {
		rec.WorkflowID = railyard.PromotionWorkflowID(s.Project, s.Stage, rec.Name)
	}
	if i := slices.IndexFunc(s.Promotions, func(p PromotionRecord) bool { return p.Name == rec.Name }); i >= 0 {
		s.Promotions[i] = rec
		return
	}
	s.Promotions = append([]PromotionRecord{rec}, s.Promotions...)
	if len(s.Promotions) > maxPromotions {
		s.Promotions = s.Promotions[:maxPromotions]
	}
}

func freightIDs(refs []railyard.FreightRef) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.ID)
	}
	return out
}

func (s *stage) vars() []railyard.ExpressionVar {
	v := append([]railyard.ExpressionVar(nil), s.Config.Stage.Spec.Vars...)
	if t := s.Config.Stage.Spec.PromotionTemplate; t != nil {
		v = append(v, t.Spec.Vars...)
	}
	return v
}

func (s *stage) validateAbort(_ workflow.Context, req AbortRequest) error {
	if s.Current != nil && s.Current.Name == req.Promotion {
		return nil
	}
	for _, list := range [][]railyard.PromotionRequest{s.Queue.Pending, s.Queue.Parked} {
		if slices.ContainsFunc(list, func(r railyard.PromotionRequest) bool { return r.Name == req.Promotion }) {
			return nil
		}
	}
	return fmt.Errorf("stage %s has no queued or running promotion %q", s.Stage, req.Promotion)
}

// abort cancels the running promotion (it ends Aborted and releases the
// stage) or drops a queued one.
func (s *stage) abort(ctx workflow.Context, req AbortRequest) error {
	if s.Current != nil && s.Current.Name == req.Promotion {
		s.cancelCurrent()
		return nil
	}
	for _, list := range [][]railyard.PromotionRequest{s.Queue.Pending, s.Queue.Parked} {
		for _, r := range list {
			if r.Name == req.Promotion {
				s.record(PromotionRecord{Name: r.Name, Stage: s.Stage, Freight: freightIDs(r.Targets), Actor: r.Actor,
					Auto: r.Auto, Phase: railyard.PhaseAborted, Message: "aborted while queued by " + req.Actor,
					StartedAt: r.QueuedAt, FinishedAt: workflow.Now(ctx)})
			}
		}
	}
	s.Queue.Remove(req.Promotion)
	s.dirty = true
	return nil
}
