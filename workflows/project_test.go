package workflows

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// TestProjectApplyConfiguresChangedOnly: an apply sends a configuration
// only to the Pipelines and Stages whose configuration changed since the
// last apply, stages first; a workflow added is configured, one removed is
// retired.
func TestProjectApplyConfiguresChangedOnly(t *testing.T) {
	base := applyResources("p", "images", "config")
	tests := []struct {
		name    string
		edit    func(*railyard.Resources)
		want    []string // workflow IDs configured, sorted
		retired []string
	}{
		{name: "first apply", edit: func(*railyard.Resources) {},
			want: []string{"p/pipeline/config", "p/pipeline/images", "p/stage/dev", "p/stage/uat"}},
		{name: "the same again", edit: func(*railyard.Resources) {}},
		{name: "a stage's vars", edit: func(r *railyard.Resources) {
			r.Stages[1].Spec.Vars = []railyard.ExpressionVar{{Name: "env", Value: "uat"}}
		}, want: []string{"p/stage/uat"}},
		{name: "a warehouse's interval, seen by the stage requesting it", edit: func(r *railyard.Resources) {
			r.Stages[1].Spec.Vars = []railyard.ExpressionVar{{Name: "env", Value: "uat"}}
			r.Warehouses[1].Spec.Interval = "1h"
		}, want: []string{"p/pipeline/config", "p/stage/dev"}},
		{name: "a warehouse removed", edit: func(r *railyard.Resources) {
			*r = applyResources("p", "images")
		}, want: []string{"p/stage/dev", "p/stage/uat"}, retired: []string{"warehouse/config"}},
	}
	env := quietEnv()
	var got []string
	env.OnActivity(acts.EnsureEntity, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.EnsureInput) error {
		got = append(got, in.WorkflowID)
		return nil
	})
	for i, tt := range tests {
		env.RegisterDelayedCallback(func() {
			r := base
			r.Stages, r.Warehouses = slices.Clone(base.Stages), slices.Clone(base.Warehouses)
			tt.edit(&r)
			got = nil
			env.UpdateWorkflow(UpdateApply, tt.name, &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Errorf("%s: rejected: %v", tt.name, err) },
				OnComplete: func(v any, err error) {
					res, _ := v.(ApplyResult)
					if !stagesFirst(got) {
						t.Errorf("%s: configured %v: a Pipeline before a Stage", tt.name, got)
					}
					slices.Sort(got)
					if err != nil || !slices.Equal(got, tt.want) || res.Configured != len(tt.want) || !slices.Equal(res.Retired, tt.retired) {
						t.Errorf("%s: configured %v (result %d), retired %v, %v; want %v, retired %v",
							tt.name, got, res.Configured, res.Retired, err, tt.want, tt.retired)
					}
				},
			}, r)
		}, time.Duration(i+1)*time.Minute)
	}
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		var st ProjectState
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil || st.Sent != nil || st.Resources != nil || st.Generation != 4 {
			t.Errorf("status query = generation %d, %d digests, resources %v, %v; want generation 4 and neither",
				st.Generation, len(st.Sent), st.Resources != nil, err)
		}
		env.CancelWorkflow()
	}, time.Duration(len(tests)+1)*time.Minute)
	env.ExecuteWorkflow(Project, ProjectState{Project: "p"})
}

// applyResources is a project of the given warehouses, a dev stage
// requesting each directly and a uat stage requesting the first from dev.
func applyResources(project string, warehouses ...string) railyard.Resources {
	r := railyard.Resources{Project: project}
	dev := railyard.Stage{Name: "dev"}
	for _, w := range warehouses {
		r.Warehouses = append(r.Warehouses, railyard.Warehouse{Name: w, Spec: railyard.WarehouseSpec{Interval: "1m"}})
		dev.Spec.RequestedFreight = append(dev.Spec.RequestedFreight, railyard.FreightRequest{
			Origin: railyard.WarehouseOrigin(w), Sources: railyard.FreightSources{Direct: true}})
	}
	uat := railyard.Stage{Name: "uat", Spec: railyard.StageSpec{RequestedFreight: []railyard.FreightRequest{{
		Origin: railyard.WarehouseOrigin(warehouses[0]), Sources: railyard.FreightSources{Stages: []string{"dev"}}}}}}
	r.Stages = []railyard.Stage{dev, uat}
	return r
}

// stagesFirst says whether no Stage comes after a Pipeline in ids.
func stagesFirst(ids []string) bool {
	pipeline := false
	for _, id := range ids {
		isStage := strings.Contains(id, "/stage/")
		if isStage && pipeline {
			return false
		}
		pipeline = pipeline || !isStage
	}
	return true
}
