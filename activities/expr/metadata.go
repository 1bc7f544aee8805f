package expr

import (
	"context"
	"fmt"

	"github.com/expr-lang/expr"

	"github.com/railyard/railyard"
)

// RecordSource reads, on the worker, what the workflows owning them hold:
// a Freight (with its status and metadata) from its Pipeline, a Stage's
// metadata from its Stage workflow.
type RecordSource interface {
	// Freight finds a Freight by ID or alias among the given Warehouses'
	// Freight (all of the project's when none are given); nil when there
	// is none.
	Freight(ctx context.Context, project string, warehouses []string, name string) (*railyard.Freight, error)
	// StageMetadata is a stage's metadata; nil when it has none.
	StageMetadata(ctx context.Context, project, stage string) (railyard.Metadata, error)
}

// Records is what the metadata functions of one step read.
type Records struct {
	Source  RecordSource
	Project string
	Stage   string
	// Pending are the updates of this promotion's earlier set-metadata
	// steps: applied to the Stage and the Freight when the promotion
	// succeeds, and seen by the promotion's later steps already.
	Pending []railyard.MetadataUpdate
}

// MetadataFunctions returns freightMetadata(name[, key]),
// freightStatus(name) and stageMetadata(name). A Freight that does not
// exist is nil, as in Kargo; one without metadata has an empty map.
func MetadataFunctions(ctx context.Context, r Records) []expr.Option {
	freight := func(fn string, a []any) (*railyard.Freight, error) {
		name := a[0].(string)
		if name == "" {
			return nil, fmt.Errorf("%s(): freight name must not be empty", fn)
		}
		if r.Source == nil {
			return nil, nil
		}
		f, err := r.Source.Freight(ctx, r.Project, nil, name)
		if err != nil {
			return nil, fmt.Errorf("%s(%q): %w", fn, name, err)
		}
		if f != nil {
			f.Status.Metadata = f.Status.Metadata.WithUpdates(railyard.MetadataKindFreight, f.ID, r.Pending)
		}
		return f, nil
	}
	return []expr.Option{
		expr.Function("freightMetadata", func(a ...any) (any, error) {
			f, err := freight("freightMetadata", a)
			if err != nil || f == nil {
				return nil, err
			}
			md := map[string]any(f.Status.Metadata)
			if md == nil {
				md = map[string]any{}
			}
			if len(a) == 2 {
				return md[a[1].(string)], nil
			}
			return md, nil
		}, new(func(string) map[string]any), new(func(string, string) any)),
		expr.Function("freightStatus", func(a ...any) (any, error) {
			f, err := freight("freightStatus", a)
			if err != nil || f == nil {
				return nil, err
			}
			return f.Status.KargoView(), nil
		}, new(func(string) map[string]any)),
		expr.Function("stageMetadata", func(a ...any) (any, error) {
			stage := a[0].(string)
			if stage == "" {
				return nil, fmt.Errorf("stageMetadata(): stage name must not be empty")
			}
			var md railyard.Metadata
			if r.Source != nil {
				var err error
				if md, err = r.Source.StageMetadata(ctx, r.Project, stage); err != nil {
					return nil, fmt.Errorf("stageMetadata(%q): %w", stage, err)
				}
			}
			md = md.WithUpdates(railyard.MetadataKindStage, stage, r.Pending)
			if md == nil {
				md = railyard.Metadata{}
			}
			return map[string]any(md), nil
		}, new(func(string) map[string]any)),
	}
}

// StaticRecords is a RecordSource over fixed Freight and stage metadata,
// of one project.
type StaticRecords struct {
	Timeline []railyard.Freight
	Stages   map[string]railyard.Metadata
}

// Freight implements RecordSource; it ignores warehouses.
func (s StaticRecords) Freight(_ context.Context, _ string, _ []string, name string) (*railyard.Freight, error) {
	for _, f := range s.Timeline {
		if f.Matches(name) {
			return &f, nil
		}
	}
	return nil, nil
}

// StageMetadata implements RecordSource.
func (s StaticRecords) StageMetadata(_ context.Context, _, stage string) (railyard.Metadata, error) {
	return s.Stages[stage], nil
}
