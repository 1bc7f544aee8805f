package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// SharedState is the Shared workflow's whole state: the cluster-wide
// resources every project reads (shared ConfigMaps,
// ClusterAnalysisTemplates), kept here once.
type SharedState struct {
	Resources  railyard.SharedResources `json:"resources"`
	Hash       string                   `json:"hash,omitempty"`
	Generation int                      `json:"generation"`
	AppliedAt  time.Time                `json:"appliedAt,omitzero"`
}

// SharedApplyResult says what an apply of shared resources changed.
type SharedApplyResult struct {
	Generation       int  `json:"generation"`
	Changed          bool `json:"changed"`
	ConfigMaps       int  `json:"configMaps"`
	ClusterTemplates int  `json:"clusterAnalysisTemplates"`
}

// Shared keeps the cluster-wide resources. An apply adds or replaces them
// by name; the workers read them with the config query where they are
// used (sharedConfigMap() in a step, a ClusterAnalysisTemplate when a
// stage plans its verification), so no project holds a copy.
func Shared(ctx workflow.Context, st SharedState) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApply, st.apply,
		workflow.UpdateHandlerOptions{Validator: validateShared,
			Description: "Add or replace shared resources by name (JSON railyard.SharedResources)"})
	if err != nil {
		return err
	}
	if err := setQuery(ctx, QueryConfig, "The shared resources", func() (railyard.SharedResources, error) {
		return st.Resources, nil
	}); err != nil {
		return err
	}
	st.details(ctx)
	return awaitContinueAsNew(ctx, func() error { return workflow.NewContinueAsNewError(ctx, Shared, st) })
}

func validateShared(_ workflow.Context, r railyard.SharedResources) error {
	for i, m := range r.ConfigMaps {
		if m.Name == "" {
			return fmt.Errorf("configMaps[%d]: name is required", i)
		}
	}
	for i, t := range r.ClusterTemplates {
		if t.Name == "" {
			return fmt.Errorf("clusterAnalysisTemplates[%d]: name is required", i)
		}
	}
	return nil
}

func (st *SharedState) apply(ctx workflow.Context, r railyard.SharedResources) (SharedApplyResult, error) {
	next := st.Resources.Merge(r)
	res := SharedApplyResult{Generation: st.Generation, ConfigMaps: len(next.ConfigMaps), ClusterTemplates: len(next.ClusterTemplates)}
	if hash := next.Hash(); hash != st.Hash {
		st.Generation++
		st.Resources, st.Hash, st.AppliedAt = next, hash, workflow.Now(ctx)
		res.Generation, res.Changed = st.Generation, true
	}
	st.details(ctx)
	return res, nil
}

func (st *SharedState) details(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**shared resources** generation %d: %d ConfigMaps, %d ClusterAnalysisTemplates",
		st.Generation, len(st.Resources.ConfigMaps), len(st.Resources.ClusterTemplates)))
}
