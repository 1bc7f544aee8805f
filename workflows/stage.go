package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// StageState is a Stage's whole state, carried across continue-as-new.
type StageState struct {
	Project  string             `json:"project"`
	Stage    string             `json:"stage"`
	Config   *StageConfig       `json:"config,omitempty"`
	History  []CollectionRecord `json:"history,omitempty"` // newest first; [0] is current
	Queue    []Enqueue          `json:"queue,omitempty"`
	Current  *Enqueue           `json:"current,omitempty"`
	Rejected []Rejection        `json:"rejected,omitempty"`
	Retired  bool               `json:"retired,omitempty"`
	// Upstream is what each upstream stage holds and has verified.
	Upstream map[string]UpstreamView `json:"upstream,omitempty"`
	// Promotions are the whole-collection promotions this stage started.
	Promotions []PromotionRecord `json:"promotions,omitempty"`
	Seq        int               `json:"seq"`
}

// CollectionRecord is one collection the stage held, and its verification.
type CollectionRecord struct {
	Collection   railyard.Collection `json:"collection"`
	Promotion    string              `json:"promotion"`
	PromotedAt   time.Time           `json:"promotedAt"`
	Verification VerificationRecord  `json:"verification"`
	// VerifiedUpstream lists the upstream stages where exactly this
	// combination of Freight was verified together; Provenance says it.
	VerifiedUpstream []string `json:"verifiedUpstream,omitempty"`
	Provenance       string   `json:"provenance,omitempty"`
}

// Verification phases (Argo Rollouts' analysis phases).
const (
	VerifyPending      = "Pending"
	VerifyRunning      = "Running"
	VerifySuccessful   = "Successful"
	VerifyFailed       = "Failed"
	VerifyError        = "Error"
	VerifyAborted      = "Aborted"
	VerifyInconclusive = "Inconclusive"
)

// VerificationRecord is the outcome of verifying one collection.
type VerificationRecord struct {
	Phase      string    `json:"phase"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitzero"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// Terminal reports whether verification has ended.
func (v VerificationRecord) Terminal() bool {
	return v.Phase != "" && v.Phase != VerifyPending && v.Phase != VerifyRunning
}

const maxHistory = 10

type stage struct {
	StageState
	dirty        bool
	in           inbox
	cancelVerify workflow.CancelFunc
}

// Stage owns a stage's slots: it runs one promotion at a time in FIFO order,
// records each new collection, verifies it, and tells the Pipelines whose
// Freight it holds.
func Stage(ctx workflow.Context, st StageState) error {
	s := &stage{StageState: st, dirty: true}
	if err := s.register(ctx); err != nil {
		return err
	}
	for !s.Retired || s.Current != nil {
		if s.Config != nil {
			s.verify(ctx)
			s.grantNext(ctx)
		}
		s.details(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && s.Current == nil {
			break
		}
		s.dirty = false
		if err := workflow.Await(ctx, func() bool { return s.dirty }); err != nil {
			return err
		}
	}
	if err := s.in.drain(ctx); err != nil {
		return err
	}
	if s.Retired {
		return nil
	}
	return workflow.NewContinueAsNewError(ctx, Stage, s.StageState)
}

func (s *stage) register(ctx workflow.Context) error {
	if err := setQuery(ctx, QueryStatus, "Slots, verification, queue and history", func() (StageState, error) {
		return s.StageState, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateVerify, s.reverify, workflow.UpdateHandlerOptions{
		Validator: s.validateVerify, Description: `Re-verify the current collection, or abort: {"abort":true}`}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePromoteFrom, s.promoteCollection, workflow.UpdateHandlerOptions{
		Validator:   s.validatePromoteCollection,
		Description: `Promote every slot of an upstream stage at once: {"from":"uat"}`}); err != nil {
		return err
	}
	reject := func(ctx workflow.Context, name, reason string) {
		s.Rejected = rejected(ctx, s.Rejected, name, reason)
	}
	s.in.listen(ctx, SignalConfigure, "New configuration from the Project", func(ctx workflow.Context, raw json.RawMessage) error {
		cfg, err := decode[StageConfig](raw)
		if err == nil && (s.Config == nil || cfg.Generation >= s.Config.Generation) {
			s.Config, s.dirty = &cfg, true
		}
		return err
	}, reject)
	s.in.listen(ctx, SignalRetire, "The Stage was removed", func(workflow.Context, json.RawMessage) error {
		s.Retired, s.dirty = true, true
		return nil
	}, reject)
	s.in.listen(ctx, SignalEnqueue, "A promotion waits for its turn", func(ctx workflow.Context, raw json.RawMessage) error {
		e, err := decode[Enqueue](raw)
		if err == nil {
			e.QueuedAt = workflow.Now(ctx)
			s.Queue, s.dirty = append(s.Queue, e), true
		}
		return err
	}, reject)
	s.in.listen(ctx, SignalUpstream, "An upstream stage's collection changed", func(ctx workflow.Context, raw json.RawMessage) error {
		ev, err := decode[UpstreamEvent](raw)
		if err == nil {
			s.upstreamEvent(ev)
		}
		return err
	}, reject)
	s.in.listen(ctx, SignalPromotionDone, "The current promotion finished", func(ctx workflow.Context, raw json.RawMessage) error {
		d, err := decode[PromotionDone](raw)
		if err == nil {
			s.promotionDone(ctx, d)
		}
		return err
	}, reject)
	return nil
}

// current is the collection the stage holds now.
func (s *stage) current() railyard.Collection {
	if len(s.History) == 0 {
		return railyard.NewCollection()
	}
	return s.History[0].Collection
}

// grantNext gives the first promotion in the queue that may run its turn,
// once the previous collection's verification has ended. An
// auto-promotion waiting for a verified combination lets the ones behind it
// pass, and is denied once upstream has moved past its Freight.
func (s *stage) grantNext(ctx workflow.Context) {
	if s.Current != nil || s.Retired || (len(s.History) > 0 && !s.History[0].Verification.Terminal()) {
		return
	}
	for i := 0; i < len(s.Queue); i++ {
		next := s.Queue[i]
		c := s.current().Keep(s.requested()).With(next.Targets...)
		if s.needsVerifiedCombination(next, c) {
			if s.supersededUpstream(next) {
				s.Queue = slices.Delete(s.Queue, i, i+1)
				i--
				s.deny(ctx, next, "superseded: upstream no longer holds this Freight")
				continue
			}
			s.Queue[i].Waiting = "waiting until " + c.Summary() + " is verified upstream"
			continue
		}
		s.Queue = slices.Delete(s.Queue, i, i+1)
		g := Grant{Collection: c, Steps: s.Config.Steps, Warehouses: s.Config.Warehouses, Vars: s.vars()}
		if err := workflow.SignalExternalWorkflow(ctx, next.WorkflowID, "", SignalGrant, g).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("promotion gone before its turn", "promotion", next.Promotion, "error", err)
			i--
			continue
		}
		next.Waiting = ""
		s.Current = &next
		return
	}
}

func (s *stage) deny(ctx workflow.Context, e Enqueue, reason string) {
	signalQuietly(ctx, e.WorkflowID, SignalGrant, Grant{Denied: reason})
}

func (s *stage) vars() []railyard.ExpressionVar {
	v := append([]railyard.ExpressionVar(nil), s.Config.Stage.Spec.Vars...)
	if t := s.Config.Stage.Spec.PromotionTemplate; t != nil {
		v = append(v, t.Spec.Vars...)
	}
	return v
}

func (s *stage) promotionDone(ctx workflow.Context, d PromotionDone) {
	if s.Current == nil || s.Current.Promotion != d.Promotion {
		s.dropQueued(d.Promotion) // aborted while waiting
		return
	}
	s.Current, s.dirty = nil, true
	for i := range s.Promotions {
		if s.Promotions[i].Name == d.Promotion {
			s.Promotions[i].Phase, s.Promotions[i].Message, s.Promotions[i].FinishedAt = d.Phase, d.Message, d.FinishedAt
		}
	}
	if d.Phase != PhaseSucceeded {
		return
	}
	rec := CollectionRecord{Collection: d.Collection, Promotion: d.Promotion, PromotedAt: d.FinishedAt,
		Verification: VerificationRecord{Phase: VerifyPending}}
	rec.VerifiedUpstream, rec.Provenance = s.provenance(d.Collection)
	if v := s.Config.Stage.Spec.Verification; v == nil || len(v.AnalysisTemplates) == 0 {
		// Nothing to verify: verified at once, one notification instead of two.
		rec.Verification = VerificationRecord{Phase: VerifySuccessful, StartedAt: d.FinishedAt,
			FinishedAt: d.FinishedAt, Message: "no verification configured"}
	}
	s.History = append([]CollectionRecord{rec}, s.History...)
	if len(s.History) > maxHistory {
		s.History = s.History[:maxHistory]
	}
	s.notify(ctx, rec.Verification.Phase == VerifySuccessful)
}

func (s *stage) dropQueued(promotion string) {
	for i, q := range s.Queue {
		if q.Promotion == promotion {
			s.Queue = append(s.Queue[:i], s.Queue[i+1:]...)
			s.dirty = true
			return
		}
	}
}

// notify tells the Pipeline of every requested origin what the stage holds.
func (s *stage) notify(ctx workflow.Context, verified bool) {
	ev := StageEvent{Stage: s.Stage, Collection: s.current(), Verified: verified, At: workflow.Now(ctx)}
	for _, r := range s.Config.Stage.Spec.RequestedFreight {
		signalQuietly(ctx, railyard.PipelineWorkflowID(s.Project, r.Origin.Name), SignalStageEvent, ev)
	}
	up := UpstreamEvent{Stage: s.Stage, Collection: ev.Collection, Verified: verified, At: ev.At}
	for _, d := range s.Config.Downstream {
		signalQuietly(ctx, railyard.StageWorkflowID(s.Project, d), SignalUpstream, up)
	}
}

func (s *stage) details(ctx workflow.Context) {
	msg := fmt.Sprintf("**%s**: %s", s.Stage, s.current().Summary())
	if len(s.History) > 0 {
		msg += "; verification " + s.History[0].Verification.Phase
	}
	if s.Current != nil {
		msg += "; promoting " + s.Current.Promotion
	}
	if len(s.Queue) > 0 {
		msg += fmt.Sprintf("; %d queued", len(s.Queue))
	}
	workflow.SetCurrentDetails(ctx, msg)
}
