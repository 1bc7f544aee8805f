package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

type getOpts struct {
	project string
	output  string
	name    string
}

func newGet(a *app) *cobra.Command {
	o := &getOpts{}
	cmd := &cobra.Command{
		Use:       "get projects|warehouses|freight|stages|promotions [NAME] --project P [-o table|json|yaml]",
		Short:     "Show projects, warehouses, Freight, stages or promotions",
		Args:      cobra.RangeArgs(1, 2),
		ValidArgs: []string{"projects", "warehouses", "freight", "stages", "promotions"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.name = args[1]
			}
			kind := strings.TrimSuffix(args[0], "s")
			if kind != "project" && o.project == "" {
				return fmt.Errorf("--project is required for %s", args[0])
			}
			switch kind {
			case "project":
				return a.getProjects(cmd.Context(), o)
			case "warehouse":
				return a.getWarehouses(cmd.Context(), o)
			case "freight":
				return a.getFreight(cmd.Context(), o)
			case "stage":
				return a.getStages(cmd.Context(), o)
			case "promotion":
				return a.getPromotions(cmd.Context(), o)
			}
			return fmt.Errorf("unknown resource %q (projects, warehouses, freight, stages, promotions)", args[0])
		},
	}
	cmd.Flags().StringVar(&o.project, "project", "", "project name")
	cmd.Flags().StringVarP(&o.output, "output", "o", "table", "table, json or yaml")
	return cmd
}

// projectView is a project as `get projects` shows it.
type projectView struct {
	Name   string                 `json:"name"`
	Status workflows.ProjectState `json:"status"`
}

func (a *app) getProjects(ctx context.Context, o *getOpts) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.ProjectWorkflowType)
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q})
	if err != nil {
		return fmt.Errorf("listing projects: %w", explain(err))
	}
	var views []projectView
	for _, e := range resp.Executions {
		id := e.GetExecution().GetWorkflowId()
		if o.name != "" && id != o.name {
			continue
		}
		v := projectView{Name: id}
		if err := a.query(ctx, id, workflows.QueryStatus, &v.Status); err != nil {
			return err
		}
		views = append(views, v)
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Name < views[j].Name })
	var rows [][]string
	for _, v := range views {
		rows = append(rows, []string{v.Name, fmt.Sprint(v.Status.Generation),
			strings.Join(v.Status.Warehouses, ","), strings.Join(v.Status.Stages, ","),
			fmt.Sprint(len(v.Status.Receivers)), age(v.Status.AppliedAt)})
	}
	return emit(o.output, views, []string{"NAME", "GENERATION", "WAREHOUSES", "STAGES", "RECEIVERS", "APPLIED"}, rows)
}

// warehouseView is a Warehouse with its Pipeline's status.
type warehouseView struct {
	Name   string                  `json:"name"`
	Spec   railyard.WarehouseSpec  `json:"spec"`
	Status workflows.PipelineState `json:"status"`
}

func (a *app) getWarehouses(ctx context.Context, o *getOpts) error {
	whs, err := a.warehouses(ctx, o.project)
	if err != nil {
		return err
	}
	var views []warehouseView
	var rows [][]string
	for _, w := range whs {
		if o.name != "" && w.Name != o.name {
			continue
		}
		v := warehouseView{Name: w.Name, Spec: w.Spec}
		if err := a.query(ctx, railyard.PipelineWorkflowID(o.project, w.Name), workflows.QueryStatus, &v.Status); err != nil {
			return err
		}
		v.Status.Config = nil
		views = append(views, v)
		d := v.Status.Discovery
		rows = append(rows, []string{w.Name, fmt.Sprint(len(w.Spec.Subscriptions)), w.Spec.PollInterval().String(),
			age(d.LastAttempt), orDash(d.Error), orDash(d.Message)})
	}
	if o.name != "" && len(views) == 0 {
		return fmt.Errorf("warehouse %q not found in project %s", o.name, o.project)
	}
	return emit(o.output, views, []string{"NAME", "SUBSCRIPTIONS", "INTERVAL", "DISCOVERED", "ERROR", "MESSAGE"}, rows)
}
