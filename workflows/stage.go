package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// StageState is a Stage's whole state, carried across continue-as-new.
type StageState struct {
	Project  string              `json:"project"`
	Stage    string              `json:"stage"`
	Config   *StageConfig        `json:"config,omitempty"`
	History  []CollectionRecord  `json:"history,omitempty"` // newest first; [0] is current
	Queue    railyard.StageQueue `json:"queue"`
	Current  *PromotionRecord    `json:"current,omitempty"` // the running promotion
	Rejected []Rejection         `json:"rejected,omitempty"`
	Retired  bool                `json:"retired,omitempty"`
	// Upstream is what each upstream stage holds and has verified.
	Upstream railyard.Upstream `json:"upstream,omitempty"`
	// Promotions are this stage's promotions, newest first.
	Promotions []PromotionRecord `json:"promotions,omitempty"`
	Seq        int               `json:"seq"`
	// Metadata is set by set-metadata steps of this stage's promotions.
	Metadata railyard.Metadata `json:"metadata,omitempty"`
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
	// Apps are the Argo CD Applications the promotion updated; Health is
	// what they say, kept up to date while this collection is current.
	Apps   []railyard.AppRef     `json:"apps,omitempty"`
	Health *railyard.StageHealth `json:"health,omitempty"`
}

// VerificationRecord is the outcome of verifying one collection.
type VerificationRecord struct {
	Phase      railyard.AnalysisPhase `json:"phase"`
	Message    string                 `json:"message,omitempty"`
	StartedAt  time.Time              `json:"startedAt,omitzero"`
	FinishedAt time.Time              `json:"finishedAt,omitzero"`
}

// Terminal reports whether verification has ended.
func (v VerificationRecord) Terminal() bool {
	return v.Phase.Terminal()
}

const maxHistory = 10

type stage struct {
	StageState
	dirty         bool
	in            inbox
	cancelVerify  workflow.CancelFunc
	cancelCurrent workflow.CancelFunc
	healthOf      string // the promotion whose Applications are watched
	cancelHealth  workflow.CancelFunc
	wakeIn        time.Duration // when set, look at the queue again after it
}

// Stage owns a stage's slots and its promotions: it queues the Pipelines'
// requests, starts one Promotion child at a time in FIFO order (merging the
// origins that should fill together), records each new collection,
// verifies it, and tells the Pipelines whose Freight it holds.
func Stage(ctx workflow.Context, st StageState) error {
	s := &stage{StageState: st, dirty: true}
	if err := s.register(ctx); err != nil {
		return err
	}
	for !s.Retired || s.Current != nil {
		if s.Config != nil {
			s.watchHealth(ctx)
			s.verify(ctx)
			s.startNext(ctx)
		}
		s.details(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && s.Current == nil {
			break
		}
		s.dirty = false
		if err := s.sleep(ctx); err != nil {
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

// sleep waits for a message, or for wakeIn when it is set.
func (s *stage) sleep(ctx workflow.Context) error {
	if s.wakeIn <= 0 {
		return workflow.Await(ctx, func() bool { return s.dirty })
	}
	d := s.wakeIn
	s.wakeIn = 0
	_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: d,
		TimerOptions: workflow.TimerOptions{Summary: fmt.Sprintf("gather other origins' first Freight for %s", d)}},
		func() bool { return s.dirty })
	return err
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
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAbort, s.abort, workflow.UpdateHandlerOptions{
		Validator: s.validateAbort, Description: `Abort a queued or running promotion: {"promotion":"<name>"}`}); err != nil {
		return err
	}
	if err := setQuery(ctx, QueryPromotion, "This stage's promotions, newest first", func() ([]PromotionRecord, error) {
		return s.Promotions, nil
	}); err != nil {
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
	s.in.listen(ctx, SignalRequest, "A Pipeline asks to promote Freight", func(ctx workflow.Context, raw json.RawMessage) error {
		r, err := decode[railyard.PromotionRequest](raw)
		if err == nil {
			err = s.request(ctx, r)
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
	return nil
}

// current is the collection the stage holds now.
func (s *stage) current() railyard.Collection {
	if len(s.History) == 0 {
		return railyard.NewCollection()
	}
	return s.History[0].Collection
}

// notify tells the Pipeline of every requested origin what the stage holds,
// once per change, and downstream stages likewise. After a promotion (done)
// the event names it and carries the aliases and Freight metadata it set.
func (s *stage) notify(ctx workflow.Context, verified bool, done *PromotionStatus) {
	// Sent from the goroutines that see a promotion or a verification
	// end: continue-as-new waits for the signals (inbox.drain).
	s.in.hold(func() { s.send(ctx, verified, done) })
}

// send signals the notification of notify.
func (s *stage) send(ctx workflow.Context, verified bool, done *PromotionStatus) {
	ev := StageEvent{Stage: s.Stage, Collection: s.current(), Verified: verified, At: workflow.Now(ctx)}
	if done != nil {
		ev.Promotion, ev.Aliases, ev.Metadata = done.Name, done.Aliases, railyard.OfKind(done.Metadata, railyard.MetadataKindFreight)
	}
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
		if h := s.History[0].Health; h != nil {
			msg += "; health " + h.Phase
			if h.Phase != railyard.HealthHealthy && h.Message != "" {
				msg += " (" + h.Message + ")"
			}
		}
		msg += "; verification " + string(s.History[0].Verification.Phase)
	}
	if s.Current != nil {
		msg += "; promoting " + s.Current.Name
	}
	if n := s.Queue.Len(); n > 0 {
		msg += fmt.Sprintf("; %d queued", n)
	}
	for _, w := range s.Queue.Waiting() {
		msg += "; " + w
	}
	workflow.SetCurrentDetails(ctx, msg)
}
