package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/railyard/railyard"
)

// TestStageConfigLeavesClusterTemplatesShared: a stage's configuration
// carries the project's AnalysisTemplates it names, never a copy of a
// ClusterAnalysisTemplate of the same name, which stays in the Shared
// workflow.
func TestStageConfigLeavesClusterTemplatesShared(t *testing.T) {
	s := railyard.Stage{Name: "dev", Spec: railyard.StageSpec{Verification: &railyard.Verification{
		AnalysisTemplates: []railyard.AnalysisTemplateRef{{Name: "smoke", Kind: railyard.KindClusterAnalysisTemplate}, {Name: "own"}}}}}
	r := railyard.Resources{Project: "p", Stages: []railyard.Stage{s},
		AnalysisTemplates: []railyard.AnalysisTemplate{{Name: "smoke"}, {Name: "own"}}}
	cfg, err := stageConfig(r, s)
	require.NoError(t, err)
	require.Equal(t, []railyard.AnalysisTemplate{{Name: "own"}}, cfg.AnalysisTemplates)
}
