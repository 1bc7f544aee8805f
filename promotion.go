package railyard

import "encoding/json"

// Promotion task kinds.
const (
	KindPromotionTask        = "PromotionTask"
	KindClusterPromotionTask = "ClusterPromotionTask"
)

// PromotionTemplate holds the steps a Stage runs to promote.
type PromotionTemplate struct {
	Spec PromotionTemplateSpec `json:"spec"`
}

// PromotionTemplateSpec is a promotion template's vars and steps.
type PromotionTemplateSpec struct {
	Vars  []ExpressionVar `json:"vars,omitempty"`
	Steps []PromotionStep `json:"steps,omitempty"`
}

// PromotionStep is one directive of a promotion, or a reference to a task.
type PromotionStep struct {
	Uses            string          `json:"uses,omitempty"`
	Task            *TaskRef        `json:"task,omitempty"`
	As              string          `json:"as,omitempty"`
	If              string          `json:"if,omitempty"`
	ContinueOnError bool            `json:"continueOnError,omitempty"`
	Retry           *StepRetry      `json:"retry,omitempty"`
	Vars            []ExpressionVar `json:"vars,omitempty"`
	Config          json.RawMessage `json:"config,omitempty"`
}

// TaskRef references a PromotionTask or ClusterPromotionTask.
type TaskRef struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// StepRetry bounds a step's retries.
type StepRetry struct {
	Timeout        Duration `json:"timeout,omitempty"`
	ErrorThreshold int      `json:"errorThreshold,omitempty"`
}

// PromotionTask is a reusable list of steps with inputs.
type PromotionTask struct {
	Name string            `json:"name"`
	Kind string            `json:"kind"`
	Spec PromotionTaskSpec `json:"spec"`
}

// PromotionTaskSpec is a task's inputs and steps.
type PromotionTaskSpec struct {
	Vars  []ExpressionVar `json:"vars,omitempty"`
	Steps []PromotionStep `json:"steps"`
}
