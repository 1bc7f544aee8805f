package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

func newFreight(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "freight", Short: "Assemble Freight by hand, or rename it"}
	cmd.AddCommand(newFreightCreate(a), newFreightAlias(a))
	return cmd
}

type freightFlags struct {
	project, warehouse, file, alias string
	commits, images, charts         []string
}

func newFreightCreate(a *app) *cobra.Command {
	f := &freightFlags{}
	cmd := &cobra.Command{
		Use:   "create --project P --warehouse W (--commit URL@SHA | --image REPO:TAG | --image REPO@DIGEST | --chart REPO/NAME:VERSION)... | -f FREIGHT.yaml",
		Short: "Assemble Freight from chosen artifacts, one per subscription",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := a.warehouse(cmd.Context(), f.project, f.warehouse)
			if err != nil {
				return err
			}
			fr, err := f.freight(w)
			if err != nil {
				return err
			}
			var out railyard.Freight
			id := railyard.PipelineWorkflowID(f.project, w.Name)
			if err := a.update(cmd.Context(), id, workflows.UpdateCreateFreight, fr, &out); err != nil {
				return err
			}
			fmt.Printf("freight %s (%s) created in warehouse %s\n", out.Alias, out.ID, w.Name)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.project, "project", "", "project name")
	fl.StringVar(&f.warehouse, "warehouse", "", "warehouse the Freight belongs to")
	fl.StringArrayVar(&f.commits, "commit", nil, "a commit: REPO_URL@SHA")
	fl.StringArrayVar(&f.images, "image", nil, "an image: REPO:TAG or REPO@sha256:DIGEST")
	fl.StringArrayVar(&f.charts, "chart", nil, "a chart: REPO_URL/NAME:VERSION (oci://HOST/PATH:VERSION)")
	fl.StringVarP(&f.file, "filename", "f", "", "a Kargo Freight manifest instead of the flags")
	fl.StringVar(&f.alias, "alias", "", "alias (default: generated)")
	_ = cmd.MarkFlagRequired("project")
	_ = cmd.MarkFlagRequired("warehouse")
	return cmd
}

// freight builds the Freight from the flags or the manifest file.
func (f *freightFlags) freight(w railyard.Warehouse) (railyard.Freight, error) {
	if f.file != "" {
		return readFreight(f.file)
	}
	fr := railyard.Freight{Origin: railyard.WarehouseOrigin(w.Name), Alias: f.alias}
	for _, c := range f.commits {
		url, sha, ok := cutLast(c, "@")
		if !ok {
			return fr, fmt.Errorf("--commit %q: want REPO_URL@SHA", c)
		}
		fr.Commits = append(fr.Commits, railyard.GitCommit{RepoURL: url, ID: sha})
	}
	for _, i := range f.images {
		fr.Images = append(fr.Images, parseImage(i))
	}
	for _, c := range f.charts {
		ch, err := parseChart(c, w.Spec)
		if err != nil {
			return fr, err
		}
		fr.Charts = append(fr.Charts, ch)
	}
	return fr, nil
}

func parseImage(s string) railyard.Image {
	if repo, digest, ok := strings.Cut(s, "@"); ok {
		return railyard.Image{RepoURL: repo, Digest: digest}
	}
	slash := strings.LastIndex(s, "/")
	if colon := strings.LastIndex(s, ":"); colon > slash {
		return railyard.Image{RepoURL: s[:colon], Tag: s[colon+1:]}
	}
	return railyard.Image{RepoURL: s}
}

// parseChart splits REPO/NAME:VERSION, matching the warehouse's chart
// subscriptions to tell a classic repository's chart name from an OCI path.
func parseChart(s string, w railyard.WarehouseSpec) (railyard.Chart, error) {
	ref, version, ok := cutLast(s, ":")
	if !ok || strings.HasSuffix(ref, "/") || strings.Contains(version, "/") {
		return railyard.Chart{}, fmt.Errorf("--chart %q: want REPO_URL/NAME:VERSION", s)
	}
	for _, sub := range w.Subscriptions {
		c := sub.Chart
		if c == nil {
			continue
		}
		if c.Name == "" && ref == c.RepoURL {
			return railyard.Chart{RepoURL: c.RepoURL, Version: version}, nil
		}
		if c.Name != "" && ref == strings.TrimSuffix(c.RepoURL, "/")+"/"+c.Name {
			return railyard.Chart{RepoURL: c.RepoURL, Name: c.Name, Version: version}, nil
		}
	}
	return railyard.Chart{}, fmt.Errorf("--chart %q: the warehouse has no chart subscription for %s", s, ref)
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// readFreight reads a Kargo Freight manifest strictly.
func readFreight(path string) (railyard.Freight, error) {
	var m struct {
		APIVersion string         `json:"apiVersion"`
		Kind       string         `json:"kind"`
		Metadata   map[string]any `json:"metadata"`
		Alias      string         `json:"alias"`
		Origin     railyard.FreightOrigin
		Commits    []railyard.GitCommit `json:"commits"`
		Images     []railyard.Image     `json:"images"`
		Charts     []railyard.Chart     `json:"charts"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return railyard.Freight{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := yaml.UnmarshalStrict(b, &m); err != nil {
		return railyard.Freight{}, fmt.Errorf("%s: %w", path, err)
	}
	if m.Kind != "Freight" {
		return railyard.Freight{}, fmt.Errorf("%s: kind is %q, want Freight", path, m.Kind)
	}
	return railyard.Freight{Alias: m.Alias, Origin: m.Origin, Commits: m.Commits, Images: m.Images, Charts: m.Charts}, nil
}

func newFreightAlias(a *app) *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "alias FREIGHT NEW_ALIAS --project P",
		Short: "Give Freight a new alias, unique in the project",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			pipeline, f, err := a.findFreight(cmd.Context(), project, args[0])
			if err != nil {
				return err
			}
			if _, other, err := a.findFreight(cmd.Context(), project, args[1]); err == nil && other.ID != f.ID {
				return fmt.Errorf("alias %q is taken by Freight %s", args[1], other.ShortID())
			}
			var out railyard.Freight
			req := workflows.AliasRequest{Freight: f.ID, Alias: args[1]}
			if err := a.update(cmd.Context(), pipeline, workflows.UpdateAlias, req, &out); err != nil {
				return err
			}
			fmt.Printf("freight %s is now %s\n", out.ShortID(), out.Alias)
			return nil
		},
	}
	projectFlag(cmd, &project)
	return cmd
}

// warehouse returns one applied Warehouse of the project.
func (a *app) warehouse(ctx context.Context, project, name string) (railyard.Warehouse, error) {
	whs, err := a.warehouses(ctx, project)
	if err != nil {
		return railyard.Warehouse{}, err
	}
	for _, w := range whs {
		if w.Name == name {
			return w, nil
		}
	}
	return railyard.Warehouse{}, fmt.Errorf("warehouse %q not found in project %s", name, project)
}
