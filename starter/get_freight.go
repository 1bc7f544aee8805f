package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/railyard/railyard"
)

func (a *app) getFreight(ctx context.Context, o *getOpts) error {
	var all []railyard.Freight
	err := a.eachFreight(ctx, o.project, func(_ string, f railyard.Freight) bool {
		if o.name == "" || f.Matches(o.name) {
			all = append(all, f)
		}
		return true
	})
	if err != nil {
		return err
	}
	if o.name != "" && len(all) == 0 {
		return fmt.Errorf("freight %q not found in project %s", o.name, o.project)
	}
	railyard.NewestFirst(all)
	var links []railyard.DeepLink
	if r, err := a.resources(ctx, o.project); err == nil {
		links = r.Config.FreightLinks
	}
	var rows [][]string
	views := make([]freightView, 0, len(all))
	for _, f := range all {
		rows = append(rows, []string{f.Alias, f.ShortID(), f.Origin.Name, strings.Join(f.ArtifactNames("-"), " "),
			stages(f.Status.CurrentlyIn), verified(f.Status), stages(f.Status.ApprovedFor), age(f.DiscoveredAt)})
		v := freightView{Freight: f}
		v.Links, v.LinkErrors = railyard.ResolveLinks(links, railyard.FreightLinkContext(o.project, f))
		views = append(views, v)
	}
	return emit(o.output, views, []string{"ALIAS", "ID", "WAREHOUSE", "ARTIFACTS", "IN", "VERIFIED", "APPROVED", "AGE"}, rows)
}

// freightView is a Freight with the ProjectConfig's freightLinks resolved.
type freightView struct {
	railyard.Freight
	Links      []railyard.ResolvedLink `json:"links,omitempty"`
	LinkErrors []string                `json:"linkErrors,omitempty"`
}

func stages[T any](m map[string]T) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return orDash(strings.Join(keys, ","))
}

func verified(s railyard.FreightStatus) string {
	return stages(s.VerifiedIn)
}
