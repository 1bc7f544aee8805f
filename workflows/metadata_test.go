package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/steps"
)

// TestStageMetadata: a promotion's set-metadata updates are seen by its
// later steps, then applied when it succeeds: the stage's to the Stage,
// the Freight's sent to the Pipelines in the stage event.
func TestStageMetadata(t *testing.T) {
	r := newStageEnv(t)
	withWorkspace(r.env)
	var seen [][]railyard.MetadataUpdate
	onSteps(r.env, time.Second,
		func(_ context.Context, req steps.StepRequest) (steps.StepResponse, error) {
			seen = append(seen, req.Metadata)
			if req.Step.Uses != "set-metadata" {
				return ok(), nil
			}
			return steps.StepResponse{Status: steps.StatusSucceeded, Output: map[string]any{"updates": []any{
				map[string]any{"kind": "Stage", "name": "uat", "values": map[string]any{"n": req.Index}},
				map[string]any{"kind": "Freight", "name": "i1", "values": map[string]any{"ticket": "OPS-1"}},
			}}}, nil
		})
	r.at(time.Second, func() { r.signal(SignalRequest, req(false, "p1", ref("i1", "images"))) })
	var st StageState
	r.at(time.Hour, func() { st = r.state() })
	cfg := testStageConfig(false)
	cfg.Steps = []railyard.PromotionStep{{Uses: "set-metadata"}, {Uses: "set-metadata"}, {Uses: "file-write"}}
	r.run(cfg, 2*time.Hour)

	require.Len(t, seen, 3)
	require.Empty(t, seen[0])
	require.Len(t, seen[2], 4, "the last step sees both earlier steps' updates")
	require.Equal(t, railyard.Metadata{"n": float64(1)}, st.Metadata, "the later update wins")
	require.Len(t, r.events, 1, "promoted and verified at once (none configured)")
	require.Equal(t, []railyard.MetadataUpdate{
		{Kind: "Freight", Name: "i1", Values: map[string]any{"ticket": "OPS-1"}},
		{Kind: "Freight", Name: "i1", Values: map[string]any{"ticket": "OPS-1"}},
	}, r.events[0].Metadata, "only Freight updates go to the Pipelines")
}

// TestPipelineTakesFreightMetadata: a Pipeline applies the updates of its
// own Freight from a stage event and ignores others.
func TestPipelineTakesFreightMetadata(t *testing.T) {
	p := &pipeline{PipelineState: PipelineState{Freight: []railyard.Freight{
		{ID: "i1", Status: railyard.FreightStatus{Metadata: railyard.Metadata{"keep": true, "ticket": "old"}}},
		{ID: "i2"},
	}}}
	p.stageEvent(StageEvent{Stage: "uat", Collection: railyard.NewCollection(ref("i1", "images")), Metadata: []railyard.MetadataUpdate{
		{Kind: "Freight", Name: "i1", Values: map[string]any{"ticket": "OPS-1"}},
		{Kind: "Freight", Name: "other-pipelines", Values: map[string]any{"x": 1}},
	}})
	require.Equal(t, railyard.Metadata{"keep": true, "ticket": "OPS-1"}, p.Freight[0].Status.Metadata)
	require.Nil(t, p.Freight[1].Status.Metadata)
}
