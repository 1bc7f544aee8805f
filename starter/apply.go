package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

func newApply(a *app) *cobra.Command {
	var src manifestSources
	var queue string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "apply -f PATH...",
		Short: "Register or update projects from manifests",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return fmt.Errorf("--timeout %s: want a positive duration", timeout)
			}
			set, err := load(src)
			if err != nil {
				return err
			}
			// Shared resources first: projects read them.
			if shared := set.Shared(); !shared.Empty() {
				if err := a.applyShared(cmd.Context(), shared, queue, timeout); err != nil {
					return fmt.Errorf("applying shared resources: %w", err)
				}
			}
			for _, p := range set.Projects {
				if err := a.apply(cmd.Context(), *p, queue, timeout); err != nil {
					return fmt.Errorf("applying project %s: %w", p.Project, err)
				}
			}
			return nil
		},
	}
	filesFlag(cmd, &src)
	cmd.Flags().StringVar(&queue, "task-queue", workflows.TaskQueue, "task queue of the workers (railyard-worker --task-queue)")
	cmd.Flags().DurationVar(&timeout, "timeout", 15*time.Minute,
		"how long to wait for each project's apply; a project of thousands of Stages takes minutes on a busy cluster")
	return cmd
}

// apply sends the resources to the Project workflow, starting it if needed.
func (a *app) apply(ctx context.Context, r railyard.Resources, queue string, timeout time.Duration) error {
	var res workflows.ApplyResult
	err := a.updateWithStart(ctx, client.StartWorkflowOptions{
		ID: railyard.ProjectWorkflowID(r.Project), TaskQueue: queue, StaticSummary: "project " + r.Project,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrProject).ValueSet(r.Project)),
	}, workflows.ProjectWorkflowType, workflows.ProjectState{Project: r.Project}, r, &res, timeout)
	if err != nil {
		return err
	}
	fmt.Printf("project %s %s: warehouses [%s], stages [%s]\n", r.Project, appliedVerb(res.Changed, res.Generation),
		strings.Join(res.Warehouses, " "), strings.Join(res.Stages, " "))
	if all := len(res.Warehouses) + len(res.Stages); res.Changed && res.Configured < all {
		fmt.Printf("  configured %d of %d workflows; the others' configuration is unchanged\n", res.Configured, all)
	}
	for _, gone := range res.Retired {
		fmt.Printf("  retired %s\n", gone)
	}
	return nil
}

// applyShared adds the shared resources to the Shared workflow, starting
// it if needed.
func (a *app) applyShared(ctx context.Context, r railyard.SharedResources, queue string, timeout time.Duration) error {
	var res workflows.SharedApplyResult
	err := a.updateWithStart(ctx, client.StartWorkflowOptions{
		ID: railyard.SharedWorkflowID, TaskQueue: queue, StaticSummary: "shared resources",
	}, workflows.SharedWorkflowType, workflows.SharedState{}, r, &res, timeout)
	if err != nil {
		return err
	}
	fmt.Printf("shared resources %s: %d ConfigMaps, %d ClusterAnalysisTemplates\n",
		appliedVerb(res.Changed, res.Generation), res.ConfigMaps, res.ClusterTemplates)
	return nil
}

// updateWithStart sends the apply update with arg to the workflow opts
// names, starting it with state when it does not run, and decodes the
// answer into out, waiting at most timeout. The workflow goes on applying
// when the wait ends first.
//
// One long poll of the server lasts a minute; a busy cluster applying a
// large project may answer none within it. Such a poll is asked again with
// the same update ID, which the workflow answers once (a run continued as
// new since finds the resources applied, and says unchanged).
func (a *app) updateWithStart(ctx context.Context, opts client.StartWorkflowOptions, wfType string, state, arg, out any, timeout time.Duration) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	id, err := updateID()
	if err != nil {
		return err
	}
	for {
		h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: c.NewWithStartWorkflowOperation(opts, wfType, state),
			UpdateOptions: client.UpdateWorkflowOptions{UpdateID: id, UpdateName: workflows.UpdateApply, Args: []any{arg},
				WaitForStage: client.WorkflowUpdateStageCompleted},
		})
		if err == nil {
			err = h.Get(ctx, out)
		}
		var poll *client.WorkflowUpdateServiceTimeoutOrCanceledError
		switch {
		case err != nil && ctx.Err() == context.DeadlineExceeded:
			return fmt.Errorf("no answer within --timeout %s: workflow %s goes on applying the resources", timeout, opts.ID)
		case errors.As(err, &poll) && ctx.Err() == nil:
			continue // one long poll ran out, not the wait
		}
		return explain(err)
	}
}

// updateID names one apply, so that asking again is answered once.
func updateID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("naming the update: %w", err)
	}
	return "apply-" + hex.EncodeToString(b), nil
}

func appliedVerb(changed bool, generation int) string {
	if !changed {
		return "unchanged"
	}
	return fmt.Sprintf("applied (generation %d)", generation)
}
