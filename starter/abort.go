package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
)

func newAbort(a *app) *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "abort promotion NAME --project P",
		Short: "Abort a running or queued promotion",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "promotion" {
				return fmt.Errorf("can abort a promotion, not %q", args[0])
			}
			name := args[1]
			stage, _, ok := strings.Cut(name, ".")
			if !ok {
				return fmt.Errorf("%q is not a promotion name (<stage>.<id>.<freight>)", name)
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			id := railyard.PromotionWorkflowID(project, stage, name)
			if err := c.CancelWorkflow(cmd.Context(), id, ""); err != nil {
				return fmt.Errorf("aborting %s: %w", name, explain(err))
			}
			fmt.Printf("promotion %s: abort requested\n", name)
			return nil
		},
	}
	projectFlag(cmd, &project)
	return cmd
}
