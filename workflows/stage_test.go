package workflows

import (
	"context"
	"testing"
	"time"

	"strings"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

func testStageConfig(verified bool) StageConfig {
	st := railyard.Stage{Name: "uat", Spec: railyard.StageSpec{
		RequestedFreight: []railyard.FreightRequest{
			{Origin: railyard.WarehouseOrigin("images"), Sources: railyard.FreightSources{Stages: []string{"dev"}}},
			{Origin: railyard.WarehouseOrigin("config"), Sources: railyard.FreightSources{Stages: []string{"dev"}}}},
		PromotionTemplate: &railyard.PromotionTemplate{Spec: railyard.PromotionTemplateSpec{
			Steps: []railyard.PromotionStep{{Uses: "fail"}}}}}}
	cfg := StageConfig{Project: "p", Stage: st, Steps: st.Spec.PromotionTemplate.Spec.Steps, Generation: 1}
	if verified {
		cfg.Stage.Spec.Verification = &railyard.Verification{AnalysisTemplates: []railyard.AnalysisTemplateRef{{Name: "t"}}}
		cfg.AnalysisTemplates = []railyard.AnalysisTemplate{{Name: "t"}}
	}
	return cfg
}

func ref(id, origin string) railyard.FreightRef {
	return railyard.FreightRef{ID: id, Origin: railyard.WarehouseOrigin(origin)}
}

// stageRun drives a Stage workflow whose Promotion children are played by
// promote: it sees each child's input and returns its outcome.
type stageRun struct {
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	start     time.Time
	children  []string        // each child's target collection, in start order
	startedAt []time.Duration // when each started
	events    []StageEvent    // told to pipelines
}

func newStageRun(t *testing.T, promote func(ctx workflow.Context, in PromotionInput) (PromotionStatus, error)) *stageRun {
	r := newStageEnv(t)
	r.env.OnWorkflow(Promotion, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in PromotionInput) (PromotionStatus, error) {
			r.children = append(r.children, in.Collection.Summary())
			r.startedAt = append(r.startedAt, workflow.Now(ctx).Sub(r.start))
			return promote(ctx, in)
		})
	return r
}

// newStageEnv runs the real Promotion children, whose activities the test
// mocks.
func newStageEnv(t *testing.T) *stageRun {
	var s testsuite.WorkflowTestSuite
	r := &stageRun{t: t, env: s.NewTestWorkflowEnvironment()}
	RegisterWorkflows(r.env)
	r.start = r.env.Now()
	r.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).Return(
		func(_, id, _, name string, arg any) error {
			if ev, ok := arg.(StageEvent); ok && strings.HasSuffix(id, "/pipeline/images") {
				r.events = append(r.events, ev)
			}
			return nil
		})
	return r
}

func (r *stageRun) at(d time.Duration, f func()) { r.env.RegisterDelayedCallback(f, d) }

func (r *stageRun) signal(name string, arg any) { r.env.SignalWorkflow(name, arg) }

func (r *stageRun) state() StageState {
	v, err := r.env.QueryWorkflow(QueryStatus)
	require.NoError(r.t, err)
	var st StageState
	require.NoError(r.t, v.Get(&st))
	return st
}

func (r *stageRun) run(cfg StageConfig, end time.Duration) {
	r.at(0, func() { r.signal(SignalConfigure, cfg) })
	r.at(end, r.env.CancelWorkflow)
	r.env.ExecuteWorkflow(Stage, StageState{Project: "p", Stage: "uat"})
}

// succeed plays a promotion that takes d and succeeds.
func succeed(d time.Duration) func(workflow.Context, PromotionInput) (PromotionStatus, error) {
	return func(ctx workflow.Context, in PromotionInput) (PromotionStatus, error) {
		if err := workflow.Sleep(ctx, d); err != nil {
			st := PromotionStatus{Name: in.Name, Phase: railyard.PhaseAborted, Message: "aborted"}
			return st, temporal.NewCanceledError(st)
		}
		return PromotionStatus{Name: in.Name, Phase: railyard.PhaseSucceeded, Collection: in.Collection,
			FinishedAt: workflow.Now(ctx)}, nil
	}
}

func req(auto bool, name string, refs ...railyard.FreightRef) railyard.PromotionRequest {
	return railyard.PromotionRequest{Name: name, Targets: refs, Auto: auto}
}

// TestStageQueue: one promotion at a time in FIFO order; the next starts
// only once the collection the first produced has been verified; it
// carries the other slot along; provenance is recorded.
func TestStageQueue(t *testing.T) {
	r := newStageRun(t, succeed(5*time.Second))
	plan := []railyard.PlannedMetric{{Template: "t", Metric: railyard.Metric{Name: "m"}}}
	r.env.OnActivity(acts.PlanVerification, mock.Anything, mock.Anything).Return(plan, nil)
	r.env.OnActivity(acts.Measure, mock.Anything, mock.Anything).After(time.Minute).Return(
		func(context.Context, railyard.MeasureInput) (railyard.Measurement, error) {
			return railyard.Measurement{Phase: railyard.AnalysisSuccessful}, nil
		})
	dev := railyard.NewCollection(ref("i1", "images"), ref("c1", "config"))
	r.at(time.Second, func() {
		r.signal(SignalUpstream, UpstreamEvent{Stage: "dev", Collection: dev, Verified: true})
		r.signal(SignalRequest, req(false, "p1", ref("i1", "images")))
		r.signal(SignalRequest, req(false, "p2", ref("c1", "config")))
	})
	r.at(4*time.Minute, func() {
		st := r.state()
		require.Len(t, st.History, 2)
		require.Equal(t, railyard.AnalysisSuccessful, st.History[0].Verification.Phase)
		require.Equal(t, []string{"dev"}, st.History[0].VerifiedUpstream, "(i1, c1) was verified together in dev")
		require.Len(t, st.Promotions, 2)
	})
	r.run(testStageConfig(true), 5*time.Minute)
	require.Equal(t, []string{"images=i1", "config=c1, images=i1"}, r.children, "FIFO, and the second carries the first's slot")
	require.GreaterOrEqual(t, r.startedAt[1], 65*time.Second, "the second waits for the first collection's verification (1m measurement)")
	require.Len(t, r.events, 4, "the pipeline hears each promotion and each verification once")
}

// TestStageProtocol: the Stage owns its promotions end to end.
func TestStageProtocol(t *testing.T) {
	emptySlot := func(ctx workflow.Context, in PromotionInput) (PromotionStatus, error) {
		for _, o := range []string{"images", "config"} {
			if _, ok := in.Collection.Get(railyard.WarehouseOrigin(o)); !ok {
				st := PromotionStatus{Name: in.Name, Phase: railyard.PhaseErrored, WaitingFor: []string{o},
					Message: "needs Freight from " + o, FinishedAt: workflow.Now(ctx)}
				return st, temporal.NewNonRetryableApplicationError(st.Message, ErrTypePromotionErrored, nil, st)
			}
		}
		return succeed(time.Second)(ctx, in)
	}
	cases := []struct {
		name     string
		promote  func(workflow.Context, PromotionInput) (PromotionStatus, error)
		script   func(r *stageRun)
		children []string
		holds    string
		phases   []railyard.PromotionPhase // newest first
	}{
		{name: "two origins arriving together fill in one promotion", promote: succeed(time.Second),
			script: func(r *stageRun) {
				r.at(time.Second, func() {
					r.signal(SignalRequest, req(true, "", ref("i1", "images")))
					r.signal(SignalRequest, req(true, "", ref("c1", "config")))
				})
			},
			children: []string{"config=c1, images=i1"}, holds: "config=c1, images=i1",
			phases: []railyard.PromotionPhase{railyard.PhaseSucceeded}},
		{name: "one origin missing waits for it, then both fill together", promote: emptySlot,
			script: func(r *stageRun) {
				r.at(time.Second, func() { r.signal(SignalRequest, req(true, "", ref("i1", "images"))) })
				r.at(time.Minute, func() {
					require.Contains(t, r.state().Queue.Parked[0].Waiting, "waiting for config")
					r.signal(SignalRequest, req(true, "", ref("c1", "config")))
				})
			},
			children: []string{"images=i1", "config=c1, images=i1"}, holds: "config=c1, images=i1",
			phases: []railyard.PromotionPhase{railyard.PhaseSucceeded, railyard.PhaseErrored}},
		{name: "abort while queued", promote: succeed(time.Minute),
			script: func(r *stageRun) {
				r.at(time.Second, func() {
					r.signal(SignalRequest, req(false, "p1", ref("i1", "images")))
					r.signal(SignalRequest, req(false, "p2", ref("i2", "images")))
				})
				r.at(10*time.Second, func() {
					r.env.UpdateWorkflow(UpdateAbort, "a", &testUpdate{t: r.t}, AbortRequest{Promotion: "p2"})
				})
			},
			children: []string{"images=i1"}, holds: "images=i1",
			phases: []railyard.PromotionPhase{railyard.PhaseAborted, railyard.PhaseSucceeded}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newStageRun(t, tc.promote)
			tc.script(r)
			var st StageState
			r.at(10*time.Minute, func() { st = r.state() })
			r.run(testStageConfig(false), 11*time.Minute)
			require.Equal(t, tc.children, r.children, "%+v", st)
			held := ""
			if len(st.History) > 0 {
				held = st.History[0].Collection.Summary()
			}
			require.Equal(t, tc.holds, held)
			var phases []railyard.PromotionPhase
			for _, p := range st.Promotions {
				phases = append(phases, p.Phase)
			}
			require.Equal(t, tc.phases, phases)
		})
	}
}

// TestStageAbortWhileRunning: aborting the running promotion cancels the
// child, which ends Aborted (its workflow Canceled), and the stage moves on
// to the next in its queue.
func TestStageAbortWhileRunning(t *testing.T) {
	r := newStageEnv(t)
	withWorkspace(r.env)
	var ran []string
	onSteps(r.env, 10*time.Minute, func(_ context.Context, req railyard.StepRequest) (railyard.StepResponse, error) {
		ran = append(ran, req.Promotion.Name)
		return ok(), nil
	})
	r.at(time.Second, func() {
		r.signal(SignalRequest, req(false, "p1", ref("i1", "images")))
		r.signal(SignalRequest, req(false, "p2", ref("i2", "images")))
	})
	r.at(time.Minute, func() {
		r.env.UpdateWorkflow(UpdateAbort, "a", &testUpdate{t: r.t}, AbortRequest{Promotion: "p1", Actor: "me"})
	})
	var st StageState
	r.at(time.Hour, func() { st = r.state() })
	cfg := testStageConfig(false)
	cfg.Steps = []railyard.PromotionStep{{Uses: "git-clone"}}
	r.run(cfg, 2*time.Hour)
	require.Equal(t, "images=i2", st.History[0].Collection.Summary(), "%+v", st)
	require.Equal(t, railyard.PhaseAborted, st.Promotions[1].Phase)
	require.Equal(t, railyard.PhaseSucceeded, st.Promotions[0].Phase)
	require.Equal(t, []string{"p1", "p2"}, ran)
}

// testUpdate fails the test when an update is rejected.
type testUpdate struct{ t *testing.T }

func (u *testUpdate) Accept()             {}
func (u *testUpdate) Reject(err error)    { u.t.Errorf("update rejected: %v", err) }
func (u *testUpdate) Complete(any, error) {}
