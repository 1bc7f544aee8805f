package workflows

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard/activities"
)

// Registry is what a worker (or a replayer) registers workflows and
// activities with.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// RegisterWorkflows registers every workflow under its type name. The
// worker and the replay tests both use it.
func RegisterWorkflows(r interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}) {
	r.RegisterWorkflowWithOptions(Project, workflow.RegisterOptions{Name: ProjectWorkflowType})
	r.RegisterWorkflowWithOptions(Pipeline, workflow.RegisterOptions{Name: PipelineWorkflowType})
	r.RegisterWorkflowWithOptions(Stage, workflow.RegisterOptions{Name: StageWorkflowType})
	r.RegisterWorkflowWithOptions(Promotion, workflow.RegisterOptions{Name: PromotionWorkflowType})
	r.RegisterWorkflowWithOptions(Shared, workflow.RegisterOptions{Name: SharedWorkflowType})
}

// Register registers workflows and the activities of the shared task queue.
func Register(r Registry, a *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivityWithOptions(a, activity.RegisterOptions{})
}

// RegisterHost registers the activities of a worker's own task queue: the
// promotion steps that must run where the workspace is.
func RegisterHost(r interface {
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}, a *activities.Activities) {
	r.RegisterActivityWithOptions(a.RunStep, activity.RegisterOptions{Name: "RunStep"})
	r.RegisterActivityWithOptions(a.RunSteps, activity.RegisterOptions{Name: "RunSteps"})
	r.RegisterActivityWithOptions(a.RemoveWorkspace, activity.RegisterOptions{Name: "RemoveWorkspace"})
}

// RegisterHealth registers the activity of the health task queue
// (railyard.HealthQueue): the Stages' watches of their Argo CD Applications.
func RegisterHealth(r interface {
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}, a *activities.Activities) {
	r.RegisterActivityWithOptions(a.WatchHealth, activity.RegisterOptions{Name: "WatchHealth"})
}
