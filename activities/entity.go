package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// EnsureInput starts an entity workflow if it is not running and delivers a
// signal to it either way (Temporal's signal-with-start).
type EnsureInput struct {
	WorkflowID   string            `json:"workflowID"`
	WorkflowType string            `json:"workflowType"`
	TaskQueue    string            `json:"taskQueue"`
	Signal       string            `json:"signal"`
	SignalArg    any               `json:"signalArg"`
	StartArg     any               `json:"startArg"`
	Summary      string            `json:"summary,omitempty"`
	Search       map[string]string `json:"search,omitempty"` // Keyword search attributes
}

// EnsureEntity signals an entity workflow, starting it first when needed.
func (a *Activities) EnsureEntity(ctx context.Context, in EnsureInput) error {
	var sa []temporal.SearchAttributeUpdate
	for k, v := range in.Search {
		sa = append(sa, temporal.NewSearchAttributeKeyKeyword(k).ValueSet(v))
	}
	opts := client.StartWorkflowOptions{
		ID:                    in.WorkflowID,
		TaskQueue:             in.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(sa...),
		StaticSummary:         in.Summary,
	}
	_, err := a.Client.SignalWithStartWorkflow(ctx, in.WorkflowID, in.Signal, in.SignalArg, opts, in.WorkflowType, in.StartArg)
	if err != nil {
		return fmt.Errorf("signalling %s to %s: %w", in.Signal, in.WorkflowID, err)
	}
	return nil
}
