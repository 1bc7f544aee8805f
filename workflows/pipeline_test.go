package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

var acts *activities.Activities

func testConfig() PipelineConfig {
	return PipelineConfig{Project: "p", Generation: 1,
		Warehouse: railyard.Warehouse{Name: "app", Spec: railyard.WarehouseSpec{Interval: "1m",
			Subscriptions: []railyard.Subscription{{Git: &railyard.GitSubscription{RepoURL: "http://git/app.git"}}}}},
		Route: railyard.Route{{Stage: "dev", AutoPromote: false,
			Request: railyard.FreightRequest{Origin: railyard.WarehouseOrigin("app"), Sources: railyard.FreightSources{Direct: true}}},
			{Stage: "uat", Request: railyard.FreightRequest{Origin: railyard.WarehouseOrigin("app"),
				Sources: railyard.FreightSources{Stages: []string{"dev"}}}}}}
}

func commits(ids ...string) activities.DiscoverOutput {
	r := railyard.SubscriptionResult{Kind: "git", RepoURL: "http://git/app.git"}
	for _, id := range ids {
		r.Commits = append(r.Commits, railyard.GitCommit{RepoURL: "http://git/app.git", ID: id})
	}
	return activities.DiscoverOutput{CriteriaSatisfied: true,
		Artifacts: railyard.DiscoveredArtifacts{Results: []railyard.SubscriptionResult{r}}}
}

func queryFreight(t *testing.T, env *testsuite.TestWorkflowEnvironment) []railyard.Freight {
	t.Helper()
	v, err := env.QueryWorkflow(QueryFreight)
	require.NoError(t, err)
	var fs []railyard.Freight
	require.NoError(t, v.Get(&fs))
	return fs
}

func TestPipelineMintsFreightOncePerArtifacts(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	calls := 0
	env.OnActivity(acts.Discover, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DiscoverInput) (activities.DiscoverOutput, error) {
			calls++
			switch calls {
			case 1, 2:
				return commits("aaa"), nil
			case 3, 4, 5, 6: // the third cycle fails, retries included
				return activities.DiscoverOutput{}, errors.New("git server unreachable")
			}
			return commits("bbb", "aaa"), nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, testConfig()) }, 0)
	env.RegisterDelayedCallback(func() {
		fs := queryFreight(t, env)
		require.Len(t, fs, 1, "first cycle mints one Freight")
		require.NotEmpty(t, fs[0].Alias)
	}, 30*time.Second)
	env.RegisterDelayedCallback(func() {
		require.Len(t, queryFreight(t, env), 1, "same artifacts do not mint twice")
	}, 90*time.Second)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		var st PipelineState
		require.NoError(t, v.Get(&st))
		require.Contains(t, st.Discovery.Error, "unreachable")
		require.Len(t, queryFreight(t, env), 1, "an error keeps the Freight")
	}, 150*time.Second)
	env.RegisterDelayedCallback(func() {
		fs := queryFreight(t, env)
		require.Len(t, fs, 2)
		require.Equal(t, "bbb", fs[0].Commits[0].ID, "newest first")
		env.CancelWorkflow()
	}, 260*time.Second)
	env.ExecuteWorkflow(Pipeline, PipelineState{Project: "p", Warehouse: "app"})
	require.GreaterOrEqual(t, calls, 7)
}

func TestPipelineRejectsBadRequests(t *testing.T) {
	cases := []struct {
		name string
		req  PromoteRequest
		want string
	}{
		{"unknown stage", PromoteRequest{Stage: "prod", Freight: "x"}, `stage "prod" does not request Freight from warehouse "app"`},
		{"unknown freight", PromoteRequest{Stage: "dev", Freight: "nope"}, `freight "nope" not found`},
		{"not available", PromoteRequest{Stage: "uat", Freight: "FIRST"}, "not available to stage uat"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			RegisterWorkflows(env)
			env.OnActivity(acts.Discover, mock.Anything, mock.Anything).Return(commits("aaa"), nil)
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, testConfig()) }, 0)
			env.RegisterDelayedCallback(func() {
				req := tc.req
				if req.Freight == "FIRST" {
					req.Freight = queryFreight(t, env)[0].ID
				}
				env.UpdateWorkflow(UpdatePromote, "u1", &testsuite.TestUpdateCallback{
					OnReject:   func(err error) { require.ErrorContains(t, err, tc.want) },
					OnAccept:   func() { t.Fatal("accepted") },
					OnComplete: func(any, error) {},
				}, req)
				env.SignalWorkflow(SignalPromote, json.RawMessage(`{"stage": 5}`))
			}, 10*time.Second)
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(QueryStatus)
				require.NoError(t, err)
				var st PipelineState
				require.NoError(t, v.Get(&st))
				require.Len(t, st.Rejected, 1, "the malformed signal is recorded, not fatal")
				require.Contains(t, st.Rejected[0].Reason, "malformed payload")
				env.CancelWorkflow()
			}, 20*time.Second)
			env.ExecuteWorkflow(Pipeline, PipelineState{Project: "p", Warehouse: "app"})
		})
	}
}

// TestPipelineContinuesAsNewWithItsState: when the server suggests it, the
// Pipeline continues as new carrying its Freight and discovery state.
func TestPipelineContinuesAsNewWithItsState(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	env.OnActivity(acts.Discover, mock.Anything, mock.Anything).Return(commits("aaa"), nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, testConfig()) }, 0)
	env.RegisterDelayedCallback(func() {
		env.SetContinueAsNewSuggested(true)
		env.SignalWorkflow(SignalRefresh, nil)
	}, 10*time.Second)
	env.ExecuteWorkflow(Pipeline, PipelineState{Project: "p", Warehouse: "app"})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next PipelineState
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.Len(t, next.Freight, 1)
	require.Equal(t, "aaa", next.Freight[0].Commits[0].ID)
	require.NotNil(t, next.Config)
	require.Equal(t, 2, next.Discovery.Cycles)
}
