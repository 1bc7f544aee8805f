package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

func newVerify(a *app) *cobra.Command {
	var project string
	var abort bool
	cmd := &cobra.Command{
		Use:   "verify stage NAME --project P [--abort]",
		Short: "Verify a stage's current collection again, or abort its verification",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "stage" {
				return fmt.Errorf("can verify a stage, not %q", args[0])
			}
			req := workflows.VerifyRequest{Abort: abort, Actor: actor()}
			if err := a.update(cmd.Context(), railyard.StageWorkflowID(project, args[1]), workflows.UpdateVerify, req, nil); err != nil {
				return err
			}
			what := "re-verification requested"
			if abort {
				what = "verification aborted"
			}
			fmt.Printf("stage %s: %s\n", args[1], what)
			return nil
		},
	}
	projectFlag(cmd, &project)
	cmd.Flags().BoolVar(&abort, "abort", false, "abort the running verification")
	return cmd
}
