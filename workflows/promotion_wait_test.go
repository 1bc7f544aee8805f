package workflows

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/forge"
	"github.com/railyard/railyard/activities/steps"
)

// reviewForge is a forge whose one pull request is merged at mergeAt.
type reviewForge struct {
	now     func() time.Time
	mergeAt time.Time
}

func (f reviewForge) Open(context.Context, forge.OpenOptions) (forge.PullRequest, error) {
	return forge.PullRequest{}, nil
}

func (f reviewForge) FindOpen(context.Context, string, string) (forge.PullRequest, bool, error) {
	return forge.PullRequest{}, false, nil
}

func (f reviewForge) Get(_ context.Context, n int64) (forge.PullRequest, error) {
	pr := forge.PullRequest{Number: n, URL: "http://forge/pulls/12", Open: true}
	if !f.now().Before(f.mergeAt) {
		pr.Open, pr.Merged, pr.MergeCommit = false, true, "abc"
	}
	return pr, nil
}

func (f reviewForge) Merge(context.Context, int64, string) (forge.PullRequest, error) {
	return forge.PullRequest{}, nil
}

// TestPromotionWaitingADayForReview runs git-wait-for-pr (the real runner,
// on the test environment's virtual clock) in a Promotion whose pull request
// is merged after 24 h, and reports what the wait costs: polls (one short
// activity and one durable timer each).
func TestPromotionWaitingADayForReview(t *testing.T) {
	env := newPromotionEnv()
	start := env.Now()
	f := reviewForge{now: env.Now, mergeAt: start.Add(24 * time.Hour)}
	wait := steps.GitWaitForPR{PullRequests: steps.PullRequests{Now: env.Now,
		NewClient: func(context.Context, forge.Options) (forge.Client, error) { return f, nil }}}
	eng := &steps.Engine{Registry: steps.Registry{}.Add(wait), Now: env.Now}
	polls := 0
	var waiting string
	onSteps(env, 0,
		func(ctx context.Context, req railyard.StepRequest) (railyard.StepResponse, error) {
			polls++
			resp, err := eng.Run(ctx, req)
			if polls == 1 {
				waiting = resp.Message
			}
			return resp, err
		})
	in := promotionInput()
	in.Steps = []railyard.PromotionStep{{Uses: "git-wait-for-pr", As: "wait",
		Config: json.RawMessage(`{"repoURL":"http://forge/acme/gitops.git","provider":"gitea","prNumber":12}`)}}
	env.ExecuteWorkflow(Promotion, in)
	require.NoError(t, env.GetWorkflowError())
	var st PromotionStatus
	require.NoError(t, env.GetWorkflowResult(&st))
	require.Equal(t, railyard.PhaseSucceeded, st.Phase)
	require.Equal(t, "abc", st.Steps[0].Output["commit"])
	require.Contains(t, waiting, "waiting for PR #12 (http://forge/pulls/12) to be merged")
	// 10 s, 10 s, 20 s, 40 s … doubling to the 5 min ceiling, then every
	// 5 min: about 24 h / 5 min polls.
	require.Less(t, polls, 300)
	t.Logf("a 24 h wait: %d polls (each one short activity and one durable timer; no worker slot held between them)", polls)
}

// TestPromotionWokenByPoll: a pull request merged after one hour is seen at
// once when a poll signal names it; poll signals about another pull request
// or with a broken payload change nothing.
func TestPromotionWokenByPoll(t *testing.T) {
	const key = "http://forge/acme/gitops#12"
	tests := []struct {
		name    string
		signals []any // sent one minute apart, from one hour in
		woken   bool  // else the merge is seen at the next poll, 85 min in
	}{
		{"poll wakes it", []any{PollRequest{WaitingOn: key, Reason: "pull_request closed"}}, true},
		{"other pull request ignored", []any{PollRequest{WaitingOn: "http://forge/acme/gitops#13"}}, false},
		{"malformed ignored, then woken", []any{"not a poll request", PollRequest{WaitingOn: key}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newPromotionEnv()
			start := env.Now()
			f := reviewForge{now: env.Now, mergeAt: start.Add(time.Hour)}
			wait := steps.GitWaitForPR{PullRequests: steps.PullRequests{Now: env.Now,
				NewClient: func(context.Context, forge.Options) (forge.Client, error) { return f, nil }}}
			eng := &steps.Engine{Registry: steps.Registry{}.Add(wait), Now: env.Now}
			onSteps(env, 0, eng.Run)
			for i, sig := range tt.signals {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPoll, sig) }, time.Hour+time.Duration(i+1)*time.Minute)
			}
			in := promotionInput()
			in.Steps = []railyard.PromotionStep{{Uses: "git-wait-for-pr", As: "wait",
				Config: json.RawMessage(`{"repoURL":"http://forge/acme/gitops.git","provider":"gitea","prNumber":12,"pollInterval":"1h"}`)}}
			env.ExecuteWorkflow(Promotion, in)
			require.NoError(t, env.GetWorkflowError())
			var st PromotionStatus
			require.NoError(t, env.GetWorkflowResult(&st))
			require.Equal(t, railyard.PhaseSucceeded, st.Phase)
			require.Empty(t, st.WaitingOn)
			took := st.FinishedAt.Sub(start)
			require.Greater(t, took, time.Hour)
			if tt.woken {
				require.LessOrEqual(t, took, time.Hour+time.Duration(len(tt.signals))*time.Minute, "succeeded after %s", took)
			} else {
				require.GreaterOrEqual(t, took, 85*time.Minute, "succeeded after %s", took)
			}
		})
	}
}
