package workflows

import (
	"time"

	"github.com/railyard/railyard"
)

// PipelineConfig is what the Project tells a Pipeline: its Warehouse and the
// route its Freight takes (every stage that requests the Warehouse).
type PipelineConfig struct {
	Project    string             `json:"project"`
	Warehouse  railyard.Warehouse `json:"warehouse"`
	Route      []RouteStage       `json:"route"`
	Generation int                `json:"generation"`
	Freight    []railyard.Freight `json:"freight,omitempty"` // manually assembled
}

// RouteStage is one stage that requests the Pipeline's origin.
type RouteStage struct {
	Stage       string                  `json:"stage"`
	Request     railyard.FreightRequest `json:"request"`
	AutoPromote bool                    `json:"autoPromote"`
	ControlFlow bool                    `json:"controlFlow,omitempty"`
}

// StageConfig is what the Project tells a Stage.
type StageConfig struct {
	Project           string                      `json:"project"`
	Stage             railyard.Stage              `json:"stage"`
	Steps             []railyard.PromotionStep    `json:"steps,omitempty"` // tasks inflated
	Warehouses        []railyard.Warehouse        `json:"warehouses,omitempty"`
	AnalysisTemplates []railyard.AnalysisTemplate `json:"analysisTemplates,omitempty"`
	Downstream        []string                    `json:"downstream,omitempty"` // stages taking Freight from this one
	Generation        int                         `json:"generation"`
}

// PromoteRequest asks a Pipeline to promote one of its Freight to a stage.
type PromoteRequest struct {
	Stage   string `json:"stage"`
	Freight string `json:"freight"` // ID, short ID or alias
	Actor   string `json:"actor,omitempty"`
}

// PromoteResult names the promotion a request started.
type PromoteResult struct {
	Promotion  string `json:"promotion"`
	WorkflowID string `json:"workflowID"`
	Freight    string `json:"freight"`
}

// ApproveRequest approves Freight for a stage.
type ApproveRequest struct {
	Stage   string `json:"stage"`
	Freight string `json:"freight"`
	Actor   string `json:"actor,omitempty"`
}

// StageEvent tells a Pipeline what a stage now holds.
type StageEvent struct {
	Stage      string              `json:"stage"`
	Collection railyard.Collection `json:"collection"`
	Verified   bool                `json:"verified"`
	At         time.Time           `json:"at"`
}

// Enqueue asks a Stage for its turn to promote.
type Enqueue struct {
	WorkflowID string                `json:"workflowID"`
	Promotion  string                `json:"promotion"`
	Targets    []railyard.FreightRef `json:"targets"`
	Parent     string                `json:"parent,omitempty"`
	Actor      string                `json:"actor,omitempty"`
	QueuedAt   time.Time             `json:"queuedAt,omitzero"`
	Waiting    string                `json:"waiting,omitempty"` // why it is not granted yet
}

// Grant gives a Promotion its turn: the collection it produces and the steps
// that produce it.
type Grant struct {
	Collection railyard.Collection      `json:"collection"`
	Steps      []railyard.PromotionStep `json:"steps"`
	Vars       []railyard.ExpressionVar `json:"vars,omitempty"`
	Warehouses []railyard.Warehouse     `json:"warehouses,omitempty"`
	// Denied, when set, ends the promotion without running it.
	Denied string `json:"denied,omitempty"`
}

// Promotion phases.
const (
	PhasePending   = "Pending"
	PhaseRunning   = "Running"
	PhaseSucceeded = "Succeeded"
	PhaseFailed    = "Failed"
	PhaseErrored   = "Errored"
	PhaseAborted   = "Aborted"
)

// PromotionDone reports a finished promotion to its stage and its parent.
type PromotionDone struct {
	Promotion  string              `json:"promotion"`
	WorkflowID string              `json:"workflowID"`
	Stage      string              `json:"stage"`
	Phase      string              `json:"phase"`
	Message    string              `json:"message,omitempty"`
	Collection railyard.Collection `json:"collection"`
	Aliases    map[string]string   `json:"aliases,omitempty"` // freight ID → new alias
	FinishedAt time.Time           `json:"finishedAt"`
}

// PromotionRecord is a promotion as Pipelines and Stages list it.
type PromotionRecord struct {
	Name       string    `json:"name"`
	WorkflowID string    `json:"workflowID"`
	Stage      string    `json:"stage"`
	Freight    []string  `json:"freight"`
	Actor      string    `json:"actor,omitempty"`
	Phase      string    `json:"phase"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	// Recorded is set once the stage reported the collection this
	// promotion produced.
	Recorded bool `json:"recorded,omitempty"`
}

// Rejection records a signal that could not be acted on, for `get`.
type Rejection struct {
	At     time.Time `json:"at"`
	Signal string    `json:"signal"`
	Reason string    `json:"reason"`
}
