package activities

import (
	"fmt"
	"strconv"

	"github.com/expr-lang/expr"

	"github.com/railyard/railyard"
)

// evalCriteria evaluates a Warehouse's freightCreationCriteria over the
// newest discovered item of each subscription, as Kargo does. No expression
// means always satisfied.
func evalCriteria(spec railyard.WarehouseSpec, found railyard.DiscoveredArtifacts) (bool, string, error) {
	if spec.FreightCreationCriteria == nil || spec.FreightCreationCriteria.Expression == "" {
		return true, "", nil
	}
	src := spec.FreightCreationCriteria.Expression
	env := map[string]any{
		"commitFrom": func(url string) *railyard.GitCommit { return newestCommit(found, url) },
		"imageFrom":  func(url string) *railyard.Image { return newestImage(found, url) },
		"chartFrom": func(url string, name ...string) *railyard.Chart {
			return newestChart(found, url, name...)
		},
	}
	prog, err := expr.Compile(src, expr.Env(env))
	if err != nil {
		return false, "", fmt.Errorf("compiling %q: %w", src, err)
	}
	v, err := expr.Run(prog, env)
	if err != nil {
		return false, "", fmt.Errorf("evaluating %q: %w", src, err)
	}
	ok, err := truthy(v)
	if err != nil {
		return false, "", fmt.Errorf("evaluating %q: %w", src, err)
	}
	if !ok {
		return false, fmt.Sprintf("criteria %q not satisfied by the newest artifacts", src), nil
	}
	return true, "", nil
}

func truthy(v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		return strconv.ParseBool(t)
	case nil:
		return false, nil
	}
	return strconv.ParseBool(fmt.Sprint(v))
}

func newestCommit(d railyard.DiscoveredArtifacts, url string) *railyard.GitCommit {
	for _, r := range d.Results {
		if len(r.Commits) > 0 && railyard.NormalizeGitURL(r.RepoURL) == railyard.NormalizeGitURL(url) {
			c := r.Commits[0]
			return &c
		}
	}
	return nil
}

func newestImage(d railyard.DiscoveredArtifacts, url string) *railyard.Image {
	for _, r := range d.Results {
		if len(r.Images) > 0 && r.RepoURL == url {
			i := r.Images[0]
			return &i
		}
	}
	return nil
}

func newestChart(d railyard.DiscoveredArtifacts, url string, name ...string) *railyard.Chart {
	for _, r := range d.Results {
		if len(r.Charts) == 0 || railyard.NormalizeChartURL(r.RepoURL) != railyard.NormalizeChartURL(url) {
			continue
		}
		if len(name) > 0 && name[0] != "" && r.Charts[0].Name != name[0] {
			continue
		}
		c := r.Charts[0]
		return &c
	}
	return nil
}
