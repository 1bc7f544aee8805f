package main

import (
	"context"
	"fmt"
	"os"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/config"
	"github.com/railyard/railyard/workflows"
)

func newValidate(a *app) *cobra.Command {
	var src manifestSources
	var queue string
	cmd := &cobra.Command{
		Use:   "validate -f PATH...",
		Short: "Check manifests without applying them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := load(src)
			if err != nil {
				return err
			}
			for _, p := range set.Projects {
				fmt.Printf("project %s: %d warehouses, %d stages, %d tasks, %d analysis templates: valid\n",
					p.Project, len(p.Warehouses), len(p.Stages), len(p.Tasks), len(p.AnalysisTemplates))
				if p.UsesArgoCD() {
					a.warnArgoCD(cmd.Context(), p.Project, queue)
				}
			}
			return nil
		},
	}
	filesFlag(cmd, &src)
	cmd.Flags().StringVar(&queue, "task-queue", workflows.TaskQueue, "task queue of the workers, asked whether they reach Argo CD")
	return cmd
}

// warnArgoCD warns when no worker polling queue reaches a cluster with
// Argo CD: the workers say so in the identity they poll with.
func (a *app) warnArgoCD(ctx context.Context, project, queue string) {
	c, err := a.client()
	if err != nil {
		fmt.Fprintf(os.Stderr, "warning: project %s uses argocd-* steps; could not ask the workers whether they reach a cluster: %v\n", project, err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := c.DescribeTaskQueue(ctx, queue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil {
		fmt.Fprintf(os.Stderr, "warning: project %s uses argocd-* steps; could not ask the workers of task queue %s: %v\n", project, queue, err)
		return
	}
	var workers []railyard.WorkerCapabilities
	for _, p := range resp.GetPollers() {
		if caps, ok := railyard.ParseIdentity(p.GetIdentity()); ok {
			workers = append(workers, caps)
		}
	}
	if w := railyard.ArgoCDWarning(project, workers); w != "" {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
}

// manifestSources are the -f and -n flags of validate and apply.
type manifestSources struct {
	files     []string
	namespace string
}

func filesFlag(cmd *cobra.Command, src *manifestSources) {
	cmd.Flags().StringArrayVarP(&src.files, "filename", "f", nil, "manifest file or directory (repeatable)")
	cmd.Flags().StringVarP(&src.namespace, "namespace", "n", "",
		"project (namespace) of namespaced resources that name none, as kubectl apply -n does")
	_ = cmd.MarkFlagRequired("filename")
}

// load loads manifests, printing warnings and, on failure, every problem.
func load(src manifestSources) (*config.Set, error) {
	set, err := config.LoadInNamespace(src.namespace, src.files...)
	if set != nil {
		for _, w := range set.Warnings {
			fmt.Fprintln(os.Stderr, "warning:", w.String())
		}
	}
	if ps, ok := config.AsProblems(err); ok {
		for _, p := range ps {
			fmt.Fprintln(os.Stderr, p.String())
		}
		return nil, fmt.Errorf("%d problems in the manifests", len(ps))
	}
	return set, err
}
