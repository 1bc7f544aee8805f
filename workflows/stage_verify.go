package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// VerifyRequest re-runs the current collection's verification, or aborts a
// running one.
type VerifyRequest struct {
	Abort bool   `json:"abort,omitempty"`
	Actor string `json:"actor,omitempty"`
}

// verify runs the verification of the current collection when it is
// pending. A stage without verification passes at once.
func (s *stage) verify(ctx workflow.Context) {
	if len(s.History) == 0 || s.History[0].Verification.Phase != railyard.AnalysisPending || s.awaitingHealth() {
		return
	}
	now := workflow.Now(ctx)
	if !s.Config.Stage.Spec.Verification.Configured() {
		s.History[0].Verification = VerificationRecord{Phase: railyard.AnalysisSuccessful, StartedAt: now, FinishedAt: now,
			Message: "no verification configured"}
		s.notify(ctx, true, nil)
		return
	}
	vctx, cancel := workflow.WithCancel(ctx)
	s.cancelVerify = cancel
	s.History[0].Verification = VerificationRecord{Phase: railyard.AnalysisRunning, StartedAt: now}
	s.details(ctx)
	phase, msg := s.analyse(vctx)
	if vctx.Err() != nil {
		phase, msg = railyard.AnalysisAborted, "verification aborted"
	}
	s.cancelVerify = nil
	rec := &s.History[0].Verification
	rec.Phase, rec.Message, rec.FinishedAt = phase, msg, workflow.Now(ctx)
	s.notify(ctx, phase == railyard.AnalysisSuccessful, nil)
}

// analyse plans the metrics and measures them side by side until each is
// decided, as an Argo Rollouts AnalysisRun does; one metric ending in
// anything but success stops the others.
func (s *stage) analyse(ctx workflow.Context) (railyard.AnalysisPhase, string) {
	var a *activities.Activities
	var plan []railyard.PlannedMetric
	cur := s.current()
	in := activities.PlanInput{Project: s.Project, Stage: s.Stage, Templates: s.Config.AnalysisTemplates,
		Refs: s.Config.Stage.Spec.Verification.AnalysisTemplates,
		Args: s.Config.Stage.Spec.Verification.Args, Vars: s.Config.Stage.Spec.Vars, Collection: cur,
		Requested: s.requested(), Warehouses: s.Config.Warehouses}
	if err := workflow.ExecuteActivity(entityOptions(ctx, "plan verification of "+s.Stage), a.PlanVerification, in).Get(ctx, &plan); err != nil {
		return railyard.AnalysisError, errorMessage(err)
	}
	phases := make([]railyard.AnalysisPhase, len(plan))
	msgs := make([]string, len(plan))
	stop := false
	wg := workflow.NewWaitGroup(ctx)
	for i, pm := range plan {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			phases[i], msgs[i] = measureMetric(ctx, pm, &stop)
			if phases[i] != railyard.AnalysisSuccessful {
				stop = true
			}
		})
	}
	wg.Wait(ctx)
	return railyard.Conclude(plan, phases, msgs)
}

// measureMetric measures one metric until it is decided or stop is set.
func measureMetric(ctx workflow.Context, pm railyard.PlannedMetric, stop *bool) (railyard.AnalysisPhase, string) {
	var a *activities.Activities
	run := railyard.NewMetricRun(pm.Metric)
	name := pm.Template + "/" + pm.Metric.Name
	for !*stop {
		if d := run.NextDelay(pm.Metric); d > 0 {
			_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: d,
				TimerOptions: workflow.TimerOptions{Summary: fmt.Sprintf("measure %s in %s", name, d)}},
				func() bool { return *stop })
			if err != nil || *stop {
				break
			}
		}
		var m railyard.Measurement
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 2 * time.Minute, Summary: "measure " + name,
			RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3}})
		if err := workflow.ExecuteActivity(actx, a.Measure, railyard.MeasureInput{Metric: pm.Metric, Template: pm.Template}).Get(ctx, &m); err != nil {
			if ctx.Err() != nil {
				break
			}
			m = railyard.Measurement{Phase: railyard.AnalysisError, Message: errorMessage(err)}
		}
		run.Record(m)
		if done, phase, msg := run.Decide(pm.Metric); done {
			return phase, msg
		}
	}
	return railyard.AnalysisSuccessful, "stopped before it was decided"
}

func (s *stage) validateVerify(_ workflow.Context, req VerifyRequest) error {
	switch {
	case s.Config == nil || len(s.History) == 0:
		return fmt.Errorf("stage %s holds no Freight to verify", s.Stage)
	case !req.Abort && s.Current != nil:
		return fmt.Errorf("stage %s is promoting (%s); verify after it finishes", s.Stage, s.Current.Name)
	case req.Abort && s.cancelVerify == nil:
		return fmt.Errorf("stage %s has no verification running", s.Stage)
	case !req.Abort && !s.History[0].Verification.Terminal():
		return fmt.Errorf("stage %s is verifying already; abort it first", s.Stage)
	}
	return nil
}

func (s *stage) reverify(_ workflow.Context, req VerifyRequest) error {
	if req.Abort {
		s.cancelVerify()
		return nil
	}
	s.History[0].Verification = VerificationRecord{Phase: railyard.AnalysisPending}
	s.dirty = true
	return nil
}
