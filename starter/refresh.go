package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

func newRefresh(a *app) *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "refresh warehouse NAME --project P",
		Short: "Make a Warehouse discover now",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "warehouse" {
				return fmt.Errorf("can refresh a warehouse, not %q", args[0])
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			id := railyard.PipelineWorkflowID(project, args[1])
			if err := c.SignalWorkflow(cmd.Context(), id, "", workflows.SignalRefresh, nil); err != nil {
				return fmt.Errorf("refreshing warehouse %s: %w", args[1], explain(err))
			}
			fmt.Printf("warehouse %s: refresh requested\n", args[1])
			return nil
		},
	}
	projectFlag(cmd, &project)
	return cmd
}

func projectFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "project", "", "project name")
	_ = cmd.MarkFlagRequired("project")
}
