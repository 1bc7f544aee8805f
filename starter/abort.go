package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
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
			req := workflows.AbortRequest{Promotion: name, Actor: actor()}
			if err := a.update(cmd.Context(), railyard.StageWorkflowID(project, stage), workflows.UpdateAbort, req, nil); err != nil {
				return fmt.Errorf("aborting %s: %w", name, err)
			}
			fmt.Printf("promotion %s: abort requested\n", name)
			return nil
		},
	}
	projectFlag(cmd, &project)
	return cmd
}
