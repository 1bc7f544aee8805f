package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard/config"
)

func newValidate() *cobra.Command {
	var src manifestSources
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
			}
			return nil
		},
	}
	filesFlag(cmd, &src)
	return cmd
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
