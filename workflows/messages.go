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
	Route      railyard.Route     `json:"route"`
	Generation int                `json:"generation"`
	Freight    []railyard.Freight `json:"freight,omitempty"` // manually assembled
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

// PromoteResult names the promotion a request queued at the stage.
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

// StageEvent tells a Pipeline, once per change, what a stage now holds and
// whether that collection is verified; after a promotion it also carries
// the aliases and the Freight metadata the promotion set.
type StageEvent struct {
	Stage      string              `json:"stage"`
	Collection railyard.Collection `json:"collection"`
	Verified   bool                `json:"verified"`
	Promotion  string              `json:"promotion,omitempty"`
	Aliases    map[string]string   `json:"aliases,omitempty"` // freight ID → new alias
	// Metadata are the promotion's updates of Freight metadata (by ID);
	// each Pipeline applies those of its own Freight.
	Metadata []railyard.MetadataUpdate `json:"metadata,omitempty"`
	At       time.Time                 `json:"at"`
}

// AbortRequest aborts a stage's queued or running promotion.
type AbortRequest struct {
	Promotion string `json:"promotion"`
	Actor     string `json:"actor,omitempty"`
}

// PromotionRecord is a promotion as its Stage lists it.
type PromotionRecord struct {
	Name       string                  `json:"name"`
	WorkflowID string                  `json:"workflowID"`
	Stage      string                  `json:"stage"`
	Freight    []string                `json:"freight"`
	Actor      string                  `json:"actor,omitempty"`
	Auto       bool                    `json:"auto,omitempty"`
	Phase      railyard.PromotionPhase `json:"phase"`
	Message    string                  `json:"message,omitempty"`
	StartedAt  time.Time               `json:"startedAt"`
	FinishedAt time.Time               `json:"finishedAt,omitzero"`
}

// Rejection records a signal that could not be acted on, for `get`.
type Rejection struct {
	At     time.Time `json:"at"`
	Signal string    `json:"signal"`
	Reason string    `json:"reason"`
}
