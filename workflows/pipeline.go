package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// PipelineState is a Pipeline's whole state, carried across continue-as-new.
type PipelineState struct {
	Project    string                        `json:"project"`
	Warehouse  string                        `json:"warehouse"`
	Config     *PipelineConfig               `json:"config,omitempty"`
	Freight    railyard.Timeline             `json:"freight,omitempty"` // newest first
	Discovered *railyard.DiscoveredArtifacts `json:"discovered,omitempty"`
	Discovery  railyard.DiscoveryStatus      `json:"discovery"`
	Holds      railyard.Holds                `json:"holds,omitempty"` // stage → hold
	// Requested is the Freight this pipeline last asked each stage for.
	Requested        map[string]string `json:"requested,omitempty"`
	Seq              int               `json:"seq"`
	Rejected         []Rejection       `json:"rejected,omitempty"`
	RefreshRequested bool              `json:"refreshRequested,omitempty"`
	Retired          bool              `json:"retired,omitempty"`
}

const (
	maxFreight    = 100 // timeline length kept, besides Freight in use
	maxPromotions = 50
	maxRejected   = 10
)

type pipeline struct {
	PipelineState
	dirty bool
	in    inbox
}

// Pipeline owns one Warehouse: it discovers artifacts on the Warehouse's
// interval and on refresh, mints Freight, tracks where each Freight is, and
// starts Promotions, automatically or on request.
func Pipeline(ctx workflow.Context, st PipelineState) error {
	p := &pipeline{PipelineState: st, dirty: true}
	if err := p.register(ctx); err != nil {
		return err
	}
	for !p.Retired {
		if p.Config == nil {
			if err := workflow.Await(ctx, func() bool { return p.Config != nil || p.Retired }); err != nil {
				return err
			}
			continue
		}
		if p.discoveryDue(ctx) {
			p.discover(ctx)
		}
		p.passControlFlow(ctx)
		wake := p.autoPromote(ctx)
		p.details(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			break
		}
		p.dirty = false
		wait, summary := p.nextWake(ctx, wake)
		_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: wait,
			TimerOptions: workflow.TimerOptions{Summary: summary}},
			func() bool { return p.dirty || p.RefreshRequested || p.Retired })
		if err != nil {
			return err
		}
	}
	if err := p.in.drain(ctx); err != nil {
		return err
	}
	if p.Retired {
		return nil
	}
	return workflow.NewContinueAsNewError(ctx, Pipeline, p.PipelineState)
}

func (p *pipeline) register(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePromote, p.promote,
		workflow.UpdateHandlerOptions{Validator: p.validatePromote,
			Description: `Promote Freight to a stage: {"stage":"dev","freight":"<id or alias>"}`}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprove, p.approve,
		workflow.UpdateHandlerOptions{Validator: p.validateApprove,
			Description: `Approve Freight for a stage: {"stage":"prod","freight":"<id or alias>"}`}); err != nil {
		return err
	}
	if err := p.registerManual(ctx); err != nil {
		return err
	}
	queries := []error{
		setQuery(ctx, QueryStatus, "Discovery, holds and configuration", func() (PipelineState, error) {
			s := p.PipelineState
			s.Freight = nil
			return s, nil
		}),
		setQuery(ctx, QueryFreight, "The Freight timeline, newest first", func() ([]railyard.Freight, error) {
			return p.Freight, nil
		}),
	}
	for _, err := range queries {
		if err != nil {
			return err
		}
	}
	p.listen(ctx)
	return nil
}

func (p *pipeline) listen(ctx workflow.Context) {
	reject := func(ctx workflow.Context, name, reason string) { p.reject(ctx, name, reason) }
	p.in.listen(ctx, SignalConfigure, "New configuration from the Project", func(ctx workflow.Context, raw json.RawMessage) error {
		cfg, err := decode[PipelineConfig](raw)
		if err == nil {
			p.configure(ctx, cfg)
		}
		return err
	}, reject)
	p.in.listen(ctx, SignalRetire, "The Warehouse was removed", func(workflow.Context, json.RawMessage) error {
		p.Retired = true
		return nil
	}, reject)
	p.in.listen(ctx, SignalRefresh, "Discover now", func(workflow.Context, json.RawMessage) error {
		p.RefreshRequested = true
		return nil
	}, reject)
	p.in.listen(ctx, SignalPromote, `Promote: {"stage":"dev","freight":"<id or alias>"}`, func(ctx workflow.Context, raw json.RawMessage) error {
		req, err := decode[PromoteRequest](raw)
		if err == nil {
			if err = p.validatePromote(ctx, req); err == nil {
				_, err = p.promote(ctx, req)
			}
		}
		return err
	}, reject)
	p.in.listen(ctx, SignalApprove, `Approve: {"stage":"prod","freight":"<id or alias>"}`, func(ctx workflow.Context, raw json.RawMessage) error {
		req, err := decode[ApproveRequest](raw)
		if err == nil {
			if err = p.validateApprove(ctx, req); err == nil {
				err = p.approve(ctx, req)
			}
		}
		return err
	}, reject)
	p.in.listen(ctx, SignalStageEvent, "A stage's collection changed", func(ctx workflow.Context, raw json.RawMessage) error {
		ev, err := decode[StageEvent](raw)
		if err == nil {
			p.stageEvent(ev)
		}
		return err
	}, reject)
}

func (p *pipeline) reject(ctx workflow.Context, signal, reason string) {
	p.Rejected = rejected(ctx, p.Rejected, signal, reason)
}

func (p *pipeline) configure(ctx workflow.Context, cfg PipelineConfig) {
	if p.Config != nil && cfg.Generation < p.Config.Generation {
		return // a late, older configuration
	}
	changed := p.Config == nil || p.Config.Warehouse.Spec.PollInterval() != cfg.Warehouse.Spec.PollInterval()
	p.Config, p.dirty = &cfg, true
	if changed || p.Discovery.Cycles == 0 {
		p.RefreshRequested = true
	}
	for _, f := range cfg.Freight {
		p.addFreight(ctx, f, "manual")
	}
	p.Holds.DropStale(p.Config.Route)
}

func (p *pipeline) discoveryDue(ctx workflow.Context) bool {
	return p.RefreshRequested || p.Discovery.Due(p.Config.Warehouse.Spec.PollInterval(), workflow.Now(ctx))
}

// nextWake returns how long to sleep: until the next discovery, or until a
// soak finishes, whichever comes first.
func (p *pipeline) nextWake(ctx workflow.Context, soak time.Duration) (time.Duration, string) {
	interval := p.Config.Warehouse.Spec.PollInterval()
	wait, soakFirst := p.Discovery.NextWake(interval, soak, workflow.Now(ctx))
	if soakFirst {
		return wait, fmt.Sprintf("look again in %s (a soak ends, or a stage was unreachable)", soak.Round(time.Second))
	}
	return wait, fmt.Sprintf("next discovery of %s (every %s)", p.Warehouse, interval)
}

func (p *pipeline) details(ctx workflow.Context) {
	newest := "none"
	if len(p.Freight) > 0 {
		newest = p.Freight[0].DisplayName()
	}
	msg := fmt.Sprintf("**%s**: %d freight, newest %s; discovery: %s", p.Warehouse, len(p.Freight), newest, p.Discovery.Message)
	if p.Discovery.Error != "" {
		msg += "; error: " + p.Discovery.Error
	}
	workflow.SetCurrentDetails(ctx, msg)
}
