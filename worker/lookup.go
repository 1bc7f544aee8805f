package main

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// temporalLookup reads what steps and verification need from the
// workflows that own it, by query, on the worker: a project's ConfigMaps
// from its Project workflow, the shared ones from the Shared workflow.
// Nothing read this way enters a workflow's history.
type temporalLookup struct{ c client.Client }

// ConfigMap implements expr.ConfigMapSource.
func (l temporalLookup) ConfigMap(ctx context.Context, project, name string) (map[string]string, error) {
	var r *railyard.Resources
	if err := l.query(ctx, railyard.ProjectWorkflowID(project), workflows.QueryConfig, &r); err != nil || r == nil {
		return nil, err
	}
	m, _ := r.ConfigMap(name)
	return m.Data, nil
}

// SharedConfigMap implements expr.ConfigMapSource.
func (l temporalLookup) SharedConfigMap(ctx context.Context, name string) (map[string]string, error) {
	s, err := l.Shared(ctx)
	m, _ := s.ConfigMap(name)
	return m.Data, err
}

// Shared implements activities.SharedSource: none were applied when the
// Shared workflow does not exist.
func (l temporalLookup) Shared(ctx context.Context) (railyard.SharedResources, error) {
	var s railyard.SharedResources
	err := l.query(ctx, railyard.SharedWorkflowID, workflows.QueryConfig, &s)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return railyard.SharedResources{}, nil
	}
	return s, err
}

func (l temporalLookup) query(ctx context.Context, id, name string, into any) error {
	v, err := l.c.QueryWorkflow(ctx, id, "", name)
	if err != nil {
		return fmt.Errorf("querying %s of %s: %w", name, id, err)
	}
	if err := v.Get(into); err != nil {
		return fmt.Errorf("reading %s of %s: %w", name, id, err)
	}
	return nil
}

// Freight implements expr.RecordSource: it asks each Warehouse's Pipeline
// (every Warehouse of the project when none are given).
func (l temporalLookup) Freight(ctx context.Context, project string, warehouses []string, name string) (*railyard.Freight, error) {
	if len(warehouses) == 0 {
		var st workflows.ProjectState
		if err := l.query(ctx, railyard.ProjectWorkflowID(project), workflows.QueryStatus, &st); err != nil {
			return nil, err
		}
		warehouses = st.Warehouses
	}
	for _, w := range warehouses {
		var timeline []railyard.Freight
		err := l.query(ctx, railyard.PipelineWorkflowID(project, w), workflows.QueryFreight, &timeline)
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			continue
		case err != nil:
			return nil, err
		}
		for _, f := range timeline {
			if f.Matches(name) {
				return &f, nil
			}
		}
	}
	return nil, nil
}

// StageMetadata implements expr.RecordSource.
func (l temporalLookup) StageMetadata(ctx context.Context, project, stage string) (railyard.Metadata, error) {
	var st workflows.StageState
	err := l.query(ctx, railyard.StageWorkflowID(project, stage), workflows.QueryStatus, &st)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, nil
	}
	return st.Metadata, err
}
