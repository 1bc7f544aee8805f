package config

import (
	"fmt"

	railyard "github.com/railyard/railyard"
)

// aliasLabel is the label Kargo keeps in sync with a Freight's alias.
const aliasLabel = "kargo.akuity.io/alias"

var freightSpecials = []special{
	{pattern: "artifacts", message: "generic artifacts are not supported yet (Railyard Freight carries commits, images and charts)"},
}

// decodeFreight reads a manually assembled Freight. Its name is ignored: the
// ID is computed from its content once its Warehouse is known.
func decodeFreight(tree map[string]any, src source, r *report) any {
	takeSpecials(tree, freightSpecials, r, src)
	m := decodeManifest[freightManifest](tree, src, r)
	f := &railyard.Freight{Alias: m.Alias, Origin: m.Origin, Commits: m.Commits, Images: m.Images, Charts: m.Charts}
	if label := m.Metadata.Labels[aliasLabel]; label != "" {
		if f.Alias != "" && f.Alias != label {
			r.add(src, "alias", "%q differs from the %s label %q", f.Alias, aliasLabel, label)
		}
		f.Alias = label
	}
	if m.DiscoveredAt != nil {
		f.DiscoveredAt = *m.DiscoveredAt
	}
	validateOrigin(r, src, "origin", f.Origin)
	if len(f.Commits)+len(f.Images)+len(f.Charts) == 0 {
		r.add(src, "", "Freight must carry at least one commit, image or chart")
	}
	validateArtifacts(f, src, r)
	return f
}

func validateArtifacts(f *railyard.Freight, src source, r *report) {
	for i, c := range f.Commits {
		field := fmt.Sprintf("commits[%d]", i)
		checkRequired(r, src, field+".repoURL", c.RepoURL)
		checkRequired(r, src, field+".id", c.ID)
	}
	for i, img := range f.Images {
		field := fmt.Sprintf("images[%d]", i)
		checkRequired(r, src, field+".repoURL", img.RepoURL)
		if img.Tag == "" && img.Digest == "" {
			r.add(src, field, "tag or digest is required")
		}
	}
	for i, c := range f.Charts {
		field := fmt.Sprintf("charts[%d]", i)
		checkRequired(r, src, field+".repoURL", c.RepoURL)
		checkRequired(r, src, field+".version", c.Version)
	}
}

func checkRequired(r *report, src source, field, v string) {
	if v == "" {
		r.add(src, field, "is required")
	}
}

// checkFreight matches each manually assembled Freight against its
// Warehouse, computes its ID and returns the project's Freight.
func checkFreight(p *projectEntries, res *railyard.Resources, r *report) []railyard.Freight {
	var out []railyard.Freight
	ids := map[string]source{}
	aliases := map[string]source{}
	for _, e := range p.freight {
		f := *e.val
		w, ok := res.Warehouse(f.Origin.Name)
		if !ok {
			if f.Origin.Name != "" {
				r.add(e.src, "origin.name", "Warehouse %q does not exist in project %q", f.Origin.Name, p.name)
			}
			continue
		}
		if len(f.Commits)+len(f.Images)+len(f.Charts) > 0 {
			matchArtifacts(&f, w, e.src, r)
		}
		f.ID = f.ComputeID()
		if first, dup := ids[f.ID]; dup {
			r.add(e.src, "", "carries the same artifacts as the Freight in %s", first.where())
			continue
		}
		ids[f.ID] = e.src
		if first, dup := aliases[f.Alias]; dup && f.Alias != "" {
			r.add(e.src, "alias", "alias %q is already used by the Freight in %s", f.Alias, first.where())
		}
		aliases[f.Alias] = e.src
		out = append(out, f)
	}
	return out
}

// artifact is one artifact of a Freight, seen uniformly for matching.
type artifact struct {
	field string
	kind  string
	url   string
	name  string // chart name
	sub   *string
}

func artifactsOf(f *railyard.Freight) []artifact {
	var out []artifact
	for i := range f.Commits {
		c := &f.Commits[i]
		out = append(out, artifact{fmt.Sprintf("commits[%d]", i), "git", c.RepoURL, "", &c.SubscriptionName})
	}
	for i := range f.Images {
		img := &f.Images[i]
		out = append(out, artifact{fmt.Sprintf("images[%d]", i), "image", img.RepoURL, "", &img.SubscriptionName})
	}
	for i := range f.Charts {
		c := &f.Charts[i]
		out = append(out, artifact{fmt.Sprintf("charts[%d]", i), "chart", c.RepoURL, c.Name, &c.SubscriptionName})
	}
	return out
}

// matchArtifacts checks that f carries exactly one artifact per
// subscription of w and nothing else, and fills in subscription names.
func matchArtifacts(f *railyard.Freight, w railyard.Warehouse, src source, r *report) {
	used := make([]bool, len(w.Spec.Subscriptions))
	for _, a := range artifactsOf(f) {
		i := w.Spec.SubscriptionFor(a.kind, a.url, a.name, *a.sub)
		switch {
		case i < 0:
			r.add(src, a.field, "Warehouse %q has no %s subscription for %s", w.Name, a.kind, describeArtifact(a))
		case used[i]:
			r.add(src, a.field, "a second artifact for spec.subscriptions[%d] of Warehouse %q; Freight carries one per subscription", i, w.Name)
		default:
			used[i] = true
			if *a.sub == "" {
				*a.sub = w.Spec.Subscriptions[i].Name
			}
		}
	}
	for i, sub := range w.Spec.Subscriptions {
		if !used[i] && sub.Kind() != "" {
			r.add(src, "", "no artifact for spec.subscriptions[%d] of Warehouse %q (%s %s)", i, w.Name, sub.Kind(), sub.RepoURL())
		}
	}
}

func describeArtifact(a artifact) string {
	if a.name != "" {
		return fmt.Sprintf("%s (chart %s)", a.url, a.name)
	}
	return a.url
}
