package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// verify runs the verification of the current collection when it is
// pending. A stage without verification passes at once.
func (s *stage) verify(ctx workflow.Context) {
	if len(s.History) == 0 || s.History[0].Verification.Phase != VerifyPending {
		return
	}
	rec := &s.History[0]
	now := workflow.Now(ctx)
	rec.Verification.StartedAt = now
	v := s.Config.Stage.Spec.Verification
	if v == nil || len(v.AnalysisTemplates) == 0 {
		rec.Verification = VerificationRecord{Phase: VerifySuccessful, StartedAt: now, FinishedAt: now,
			Message: "no verification configured"}
		s.notify(ctx, true)
		return
	}
	rec.Verification = VerificationRecord{Phase: VerifyError, StartedAt: now, FinishedAt: now,
		Message: "analysis templates are not run by this version of Railyard"}
	s.notify(ctx, false)
}
