package main

import (
	"context"
	"fmt"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

func newPromote(a *app) *cobra.Command {
	var project, stage, freight, from string
	cmd := &cobra.Command{
		Use:   "promote --project P --stage S (--freight ID|ALIAS | --from-stage UPSTREAM)",
		Short: "Promote Freight, or an upstream stage's whole collection, to a stage",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (freight == "") == (from == "") {
				return fmt.Errorf("give exactly one of --freight or --from-stage")
			}
			if from != "" {
				return a.promoteCollection(cmd.Context(), project, stage, from)
			}
			pipeline, f, err := a.findFreight(cmd.Context(), project, freight)
			if err != nil {
				return err
			}
			req := workflows.PromoteRequest{Stage: stage, Freight: f.ID, Actor: actor()}
			var res workflows.PromoteResult
			if err := a.update(cmd.Context(), pipeline, workflows.UpdatePromote, req, &res); err != nil {
				return err
			}
			fmt.Printf("promotion %s started: %s to %s\n", res.Promotion, f.DisplayName(), stage)
			return nil
		},
	}
	projectFlag(cmd, &project)
	cmd.Flags().StringVar(&stage, "stage", "", "target stage")
	cmd.Flags().StringVar(&freight, "freight", "", "Freight ID, short ID or alias")
	cmd.Flags().StringVar(&from, "from-stage", "", "promote every slot of this upstream stage in one promotion")
	_ = cmd.MarkFlagRequired("stage")
	return cmd
}

// promoteCollection moves an upstream stage's whole collection into stage.
// Stages learn of their upstream's verification by signal, so right after
// the upstream verified, the target may not have heard yet: when the
// upstream itself reports its collection verified, retry for a few seconds.
func (a *app) promoteCollection(ctx context.Context, project, stage, from string) error {
	req := workflows.PromoteCollectionRequest{From: from, Actor: actor()}
	var res workflows.PromoteResult
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		err = a.update(ctx, railyard.StageWorkflowID(project, stage), workflows.UpdatePromoteFrom, req, &res)
		if err == nil || !strings.Contains(err.Error(), "is not verified") || !a.verified(ctx, project, from) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	fmt.Printf("promotion %s started: the collection of %s to %s\n", res.Promotion, from, stage)
	return nil
}

// verified reports whether a stage's current collection is verified.
func (a *app) verified(ctx context.Context, project, stage string) bool {
	var st workflows.StageState
	if err := a.query(ctx, railyard.StageWorkflowID(project, stage), workflows.QueryStatus, &st); err != nil {
		return false
	}
	return len(st.History) > 0 && st.History[0].Verification.Phase == railyard.AnalysisSuccessful
}

func newApprove(a *app) *cobra.Command {
	var project, stage, freight string
	cmd := &cobra.Command{
		Use:   "approve --project P --freight ID|ALIAS --stage S",
		Short: "Make Freight available to a stage regardless of verification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pipeline, f, err := a.findFreight(cmd.Context(), project, freight)
			if err != nil {
				return err
			}
			req := workflows.ApproveRequest{Stage: stage, Freight: f.ID, Actor: actor()}
			if err := a.update(cmd.Context(), pipeline, workflows.UpdateApprove, req, nil); err != nil {
				return err
			}
			fmt.Printf("freight %s approved for %s\n", f.DisplayName(), stage)
			return nil
		},
	}
	projectFlag(cmd, &project)
	cmd.Flags().StringVar(&stage, "stage", "", "stage to approve for")
	cmd.Flags().StringVar(&freight, "freight", "", "Freight ID, short ID or alias")
	_ = cmd.MarkFlagRequired("stage")
	_ = cmd.MarkFlagRequired("freight")
	return cmd
}

// findFreight finds which pipeline of the project holds the Freight. An
// alias or short ID that names Freight of two warehouses is refused rather
// than guessed.
func (a *app) findFreight(ctx context.Context, project, s string) (string, railyard.Freight, error) {
	var pipelines []string
	var found []railyard.Freight
	err := a.eachFreight(ctx, project, func(id string, f railyard.Freight) bool {
		if f.Matches(s) {
			pipelines, found = append(pipelines, id), append(found, f)
		}
		return true
	})
	switch {
	case err != nil:
		return "", railyard.Freight{}, err
	case len(found) == 0:
		return "", railyard.Freight{}, fmt.Errorf("freight %q not found in project %s", s, project)
	case len(found) > 1:
		var names []string
		for _, f := range found {
			names = append(names, f.ID+" ("+f.Origin.Name+")")
		}
		return "", railyard.Freight{}, fmt.Errorf("%q names several Freight: %s; give the full ID", s, strings.Join(names, ", "))
	}
	return pipelines[0], found[0], nil
}

// eachFreight calls fn with every Freight of the project and the ID of the
// pipeline holding it, until fn returns false.
func (a *app) eachFreight(ctx context.Context, project string, fn func(pipeline string, f railyard.Freight) bool) error {
	whs, err := a.warehouses(ctx, project)
	if err != nil {
		return err
	}
	for _, w := range whs {
		id := railyard.PipelineWorkflowID(project, w.Name)
		var fs []railyard.Freight
		if err := a.query(ctx, id, workflows.QueryFreight, &fs); err != nil {
			return err
		}
		for _, f := range fs {
			if !fn(id, f) {
				return nil
			}
		}
	}
	return nil
}

// warehouses lists the project's applied Warehouses.
func (a *app) warehouses(ctx context.Context, project string) ([]railyard.Warehouse, error) {
	r, err := a.resources(ctx, project)
	if err != nil {
		return nil, err
	}
	return r.Warehouses, nil
}

func (a *app) resources(ctx context.Context, project string) (*railyard.Resources, error) {
	var r *railyard.Resources
	if err := a.query(ctx, railyard.ProjectWorkflowID(project), workflows.QueryConfig, &r); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("project %s has no applied configuration", project)
	}
	return r, nil
}

func actor() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "unknown"
}
