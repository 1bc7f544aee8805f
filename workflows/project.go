package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// ProjectState is the Project workflow's whole state, carried across
// continue-as-new.
type ProjectState struct {
	Project    string              `json:"project"`
	Resources  *railyard.Resources `json:"resources,omitempty"`
	Hash       string              `json:"hash,omitempty"`
	Generation int                 `json:"generation"`
	AppliedAt  time.Time           `json:"appliedAt,omitzero"`
	Warehouses []string            `json:"warehouses,omitempty"`
	Stages     []string            `json:"stages,omitempty"`
	// Receivers are the project's webhook receivers as the worker serving
	// them published them (SignalReceivers): URL or why it cannot serve one.
	Receivers []railyard.WebhookReceiverStatus `json:"receivers,omitempty"`
	// Sent is the digest of the configuration each Pipeline and Stage
	// workflow (by ID) last received, its generation left out: an apply
	// configures only the workflows whose configuration changed.
	Sent map[string]string `json:"sent,omitempty"`
}

// ApplyResult says what an apply changed.
type ApplyResult struct {
	Generation int      `json:"generation"`
	Changed    bool     `json:"changed"`
	Warehouses []string `json:"warehouses"`
	Stages     []string `json:"stages"`
	Retired    []string `json:"retired,omitempty"`
	// Configured counts the Pipeline and Stage workflows the apply sent a
	// configuration to; the others' was unchanged.
	Configured int `json:"configured"`
}

// Project records a project's applied configuration and configures one
// Pipeline per Warehouse and one Stage workflow per Stage.
func Project(ctx workflow.Context, st ProjectState) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApply,
		func(ctx workflow.Context, r railyard.Resources) (ApplyResult, error) { return st.apply(ctx, r) },
		workflow.UpdateHandlerOptions{Validator: st.validateApply,
			Description: "Apply a project's resources (JSON railyard.Resources)"})
	if err != nil {
		return err
	}
	if err := setQuery(ctx, QueryConfig, "The applied resources", func() (*railyard.Resources, error) {
		return st.Resources, nil
	}); err != nil {
		return err
	}
	if err := setQuery(ctx, QueryStatus, "Generation and members", func() (ProjectState, error) {
		s := st
		s.Resources, s.Sent = nil, nil
		return s, nil
	}); err != nil {
		return err
	}
	var in inbox
	in.listen(ctx, SignalReceivers, "Webhook receiver URLs published by the worker (JSON []railyard.WebhookReceiverStatus)",
		func(_ workflow.Context, raw json.RawMessage) error {
			rs, err := decode[[]railyard.WebhookReceiverStatus](raw)
			if err == nil {
				st.Receivers = rs
			}
			return err
		}, func(ctx workflow.Context, name, reason string) {
			workflow.GetLogger(ctx).Warn("signal rejected", "signal", name, "reason", reason)
		})
	st.details(ctx)
	return awaitContinueAsNew(ctx, func() error {
		if err := in.drain(ctx); err != nil {
			return err
		}
		return workflow.NewContinueAsNewError(ctx, Project, st)
	})
}

func (st *ProjectState) validateApply(_ workflow.Context, r railyard.Resources) error {
	if r.Project != st.Project {
		return fmt.Errorf("resources are for project %q, this is project %q", r.Project, st.Project)
	}
	for _, s := range r.Stages {
		if _, err := inflate(r, s); err != nil {
			return err
		}
	}
	return nil
}

func (st *ProjectState) apply(ctx workflow.Context, r railyard.Resources) (ApplyResult, error) {
	hash := r.Hash()
	res := ApplyResult{Generation: st.Generation, Warehouses: names(r.Warehouses), Stages: stageNames(r.Stages)}
	if hash == st.Hash {
		return res, nil
	}
	st.Generation++
	res.Generation, res.Changed = st.Generation, true
	calls, sent, err := st.configure(ctx, r)
	if err != nil {
		return res, err
	}
	for _, group := range calls {
		if err := inBatches(ctx, group); err != nil {
			return res, err
		}
		res.Configured += len(group)
	}
	st.Sent = sent
	res.Retired = st.retire(ctx, r)
	st.Resources, st.Hash, st.AppliedAt = &r, hash, workflow.Now(ctx)
	st.Warehouses, st.Stages = res.Warehouses, res.Stages
	st.details(ctx)
	return res, nil
}

// configure makes the calls that configure r's Stages, then its Pipelines
// (so that a Pipeline's first auto-promotion finds its stage), leaving out
// those whose configuration is the one st.Sent records. It returns the
// digests to record once the calls succeeded. The digests are of what was
// sent, not recomputed from the last Resources: a worker whose code derives
// another configuration from the same manifests still reconfigures.
func (st *ProjectState) configure(ctx workflow.Context, r railyard.Resources) ([2][]func(workflow.Context) workflow.Future, map[string]string, error) {
	var calls [2][]func(workflow.Context) workflow.Future
	// Histories from before this version configured every workflow.
	diff := workflow.GetVersion(ctx, "apply-configures-changed-only", workflow.DefaultVersion, 1) == 1
	sent := make(map[string]string, len(r.Stages)+len(r.Warehouses))
	add := func(group int, id, digest string, call func(workflow.Context) workflow.Future) {
		sent[id] = digest
		if last, ok := st.Sent[id]; !diff || !ok || last != digest {
			calls[group] = append(calls[group], call)
		}
	}
	for _, s := range r.Stages {
		cfg, err := stageConfig(r, s)
		if err != nil {
			return calls, nil, err
		}
		id, digest := railyard.StageWorkflowID(r.Project, s.Name), configDigest(cfg)
		cfg.Generation = st.Generation
		add(0, id, digest, func(ctx workflow.Context) workflow.Future {
			return ensure(ctx, r.Project, StageWorkflowType, id, cfg,
				StageState{Project: r.Project, Stage: s.Name}, map[string]string{railyard.SearchAttrStage: s.Name})
		})
	}
	for _, w := range r.Warehouses {
		cfg := pipelineConfig(r, w)
		id, digest := railyard.PipelineWorkflowID(r.Project, w.Name), configDigest(cfg)
		cfg.Generation = st.Generation
		add(1, id, digest, func(ctx workflow.Context) workflow.Future {
			return ensure(ctx, r.Project, PipelineWorkflowType, id, cfg, PipelineState{Project: r.Project, Warehouse: w.Name},
				map[string]string{railyard.SearchAttrWarehouse: w.Name})
		})
	}
	return calls, sent, nil
}

// configDigest identifies a configuration. The data converter encodes the
// same value as JSON to send it, so one it could not encode fails there.
func configDigest(cfg any) string {
	b, _ := json.Marshal(cfg)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// retire stops the Pipelines and Stages whose resources were removed.
func (st *ProjectState) retire(ctx workflow.Context, r railyard.Resources) []string {
	var gone []string
	for _, w := range st.Warehouses {
		if _, ok := r.Warehouse(w); !ok {
			signalQuietly(ctx, railyard.PipelineWorkflowID(st.Project, w), SignalRetire, nil)
			gone = append(gone, "warehouse/"+w)
		}
	}
	for _, s := range st.Stages {
		if _, ok := r.Stage(s); !ok {
			signalQuietly(ctx, railyard.StageWorkflowID(st.Project, s), SignalRetire, nil)
			gone = append(gone, "stage/"+s)
		}
	}
	return gone
}

func (st *ProjectState) details(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** generation %d: %d warehouses, %d stages",
		st.Project, st.Generation, len(st.Warehouses), len(st.Stages)))
}

// ensureBatch bounds how many entities one workflow task configures, so that
// a large project never produces an oversized task completion.
const ensureBatch = 50

// inBatches starts the calls ensureBatch at a time and waits for each batch.
func inBatches(ctx workflow.Context, calls []func(workflow.Context) workflow.Future) error {
	for len(calls) > 0 {
		n := min(ensureBatch, len(calls))
		var futures []workflow.Future
		for _, call := range calls[:n] {
			futures = append(futures, call(ctx))
		}
		for _, f := range futures {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		calls = calls[n:]
	}
	return nil
}

func ensure(ctx workflow.Context, project, wfType, id string, cfg, start any, search map[string]string) workflow.Future {
	search[railyard.SearchAttrProject] = project
	in := activities.EnsureInput{
		WorkflowID: id, WorkflowType: wfType, TaskQueue: workflow.GetInfo(ctx).TaskQueueName,
		Signal: SignalConfigure, SignalArg: cfg, StartArg: start,
		Summary: wfType + " " + id, Search: search,
	}
	var a *activities.Activities
	return workflow.ExecuteActivity(entityOptions(ctx, "configure "+id), a.EnsureEntity, in)
}

// pipelineConfig computes a Warehouse's route: every stage requesting it.
func pipelineConfig(r railyard.Resources, w railyard.Warehouse) PipelineConfig {
	cfg := PipelineConfig{Project: r.Project, Warehouse: w, Route: railyard.RouteOf(r, w.Name)}
	for _, f := range r.Freight {
		if f.Origin.Name == w.Name {
			cfg.Freight = append(cfg.Freight, f)
		}
	}
	return cfg
}

func stageConfig(r railyard.Resources, s railyard.Stage) (StageConfig, error) {
	steps, err := inflate(r, s)
	if err != nil {
		return StageConfig{}, err
	}
	cfg := StageConfig{Project: r.Project, Stage: s, Steps: steps}
	// Only the requested warehouses: they are all that commitFrom & co. need
	// to tell ambiguous repositories, and the config stays small.
	for _, req := range s.Spec.RequestedFreight {
		if w, ok := r.Warehouse(req.Origin.Name); ok {
			cfg.Warehouses = append(cfg.Warehouses, w)
		}
	}
	cfg.Downstream = railyard.Downstream(r.Stages, s.Name)
	if v := s.Spec.Verification; v != nil {
		for _, ref := range v.AnalysisTemplates {
			for _, t := range r.AnalysisTemplates {
				// ClusterAnalysisTemplates stay in the Shared workflow.
				if t.Name == ref.Name && ref.Kind != railyard.KindClusterAnalysisTemplate {
					cfg.AnalysisTemplates = append(cfg.AnalysisTemplates, t)
				}
			}
		}
	}
	return cfg, nil
}

func inflate(r railyard.Resources, s railyard.Stage) ([]railyard.PromotionStep, error) {
	if s.Spec.PromotionTemplate == nil {
		return nil, nil
	}
	// Task inputs may come from the Stage's vars as well as the template's.
	tmpl := s.Spec.PromotionTemplate.Spec
	tmpl.Vars = append(append([]railyard.ExpressionVar(nil), s.Spec.Vars...), tmpl.Vars...)
	steps, err := railyard.InflateSteps(tmpl, r.Task)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	return steps, nil
}

func names(ws []railyard.Warehouse) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.Name)
	}
	return out
}

func stageNames(ss []railyard.Stage) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}
