package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/registry"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
)

// HelmUpdateChart is the helm-update-chart step: it sets dependency
// versions in Chart.yaml and runs `helm dependency update`, which downloads
// the archives into charts/ and writes Chart.lock.
type HelmUpdateChart struct{}

// HelmUpdateChartConfig is the step's configuration (Kargo's keys).
type HelmUpdateChartConfig struct {
	Path   string            `json:"path"`
	Charts []HelmChartUpdate `json:"charts,omitempty"`
}

// HelmChartUpdate names one dependency, as Chart.yaml spells it, and its
// new version.
type HelmChartUpdate struct {
	Repository string `json:"repository"`
	Name       string `json:"name"`
	Version    string `json:"version"`
}

// Name implements Runner.
func (HelmUpdateChart) Name() string { return "helm-update-chart" }

// Run implements Runner.
func (s HelmUpdateChart) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var cfg HelmUpdateChartConfig
	if err := DecodeConfig(s.Name(), raw, &cfg); err != nil {
		return Result{}, err
	}
	dir, err := renderPath(sc.WorkDir, "path", cfg.Path)
	if err != nil {
		return Result{}, err
	}
	deps, err := helmChartDependencies(sc.WorkDir, dir)
	if err != nil {
		return Result{}, err
	}
	updates := cfg.Charts
	if len(updates) == 0 {
		if updates, err = helmFreightUpdates(sc.Collection, deps); err != nil {
			return Result{}, Terminal(fmt.Errorf("helm-update-chart: %w", err))
		}
	}
	changes, err := helmUpdate(ctx, sc, dir, deps, updates)
	if err != nil {
		return Result{}, fmt.Errorf("helm-update-chart %s: %w", cfg.Path, err)
	}
	out := map[string]any{}
	if msg := helmCommitMessage(cfg.Path, changes); msg != "" {
		out["commitMessage"] = msg
	}
	return Succeeded(out), nil
}

// helmUpdate applies the updates to Chart.yaml and updates the
// dependencies; on failure Chart.yaml is put back as it was.
func helmUpdate(ctx context.Context, sc *Context, dir string, deps []*chart.Dependency, updates []HelmChartUpdate) (map[string]string, error) {
	chartfile := filepath.Join(dir, "Chart.yaml")
	orig, err := os.ReadFile(chartfile)
	if err != nil {
		return nil, err
	}
	if err := helmApplyUpdates(chartfile, deps, updates); err != nil {
		return nil, err
	}
	changes, err := helmUpdateDependencies(ctx, sc, dir)
	if err != nil {
		if restore := os.WriteFile(chartfile, orig, 0o644); restore != nil {
			return nil, errors.Join(err, restore)
		}
		return nil, err
	}
	return changes, nil
}

// helmFreightUpdates sets each dependency that a Freight of the collection
// carries to that Freight's version. Others keep their Chart.yaml range.
func helmFreightUpdates(c railyard.Collection, deps []*chart.Dependency) ([]HelmChartUpdate, error) {
	var out []HelmChartUpdate
	for _, d := range deps {
		var versions []string
		for _, ref := range c.Refs() {
			for _, ch := range ref.Charts {
				if helmChartMatches(d, ch) && !slices.Contains(versions, ch.Version) {
					versions = append(versions, ch.Version)
				}
			}
		}
		switch len(versions) {
		case 0:
			continue
		case 1:
			out = append(out, HelmChartUpdate{Repository: d.Repository, Name: d.Name, Version: versions[0]})
		default:
			return nil, fmt.Errorf("Freight carry versions %s of chart %s from %s; configure charts explicitly: %w",
				strings.Join(versions, ", "), d.Name, d.Repository, railyard.ErrAmbiguous)
		}
	}
	return out, nil
}

// helmChartMatches reports whether a Freight's chart is a dependency: for
// OCI the dependency's registry URL plus name is the Freight's repository.
func helmChartMatches(d *chart.Dependency, ch railyard.Chart) bool {
	if registry.IsOCI(d.Repository) {
		want := railyard.NormalizeChartURL(strings.TrimSuffix(d.Repository, "/") + "/" + d.Name)
		got := ch.RepoURL
		if ch.Name != "" {
			got = strings.TrimSuffix(got, "/") + "/" + ch.Name
		}
		return railyard.NormalizeChartURL(got) == want
	}
	norm := func(s string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "/") }
	return norm(d.Repository) == norm(ch.RepoURL) && d.Name == ch.Name
}

// helmApplyUpdates writes the new versions into Chart.yaml, keeping the
// rest of the file as it was. An update matching no dependency is an error.
func helmApplyUpdates(path string, deps []*chart.Dependency, updates []HelmChartUpdate) error {
	index := map[int]string{}
	for i, u := range updates {
		if u.Repository == "" || u.Name == "" || u.Version == "" {
			return Terminal(fmt.Errorf("charts[%d]: repository, name and version are required: %w", i, railyard.ErrInvalid))
		}
		j := slices.IndexFunc(deps, func(d *chart.Dependency) bool { return d.Name == u.Name && d.Repository == u.Repository })
		if j < 0 {
			return Terminal(fmt.Errorf("no dependency in Chart.yaml has repository %q and name %q: %w",
				u.Repository, u.Name, railyard.ErrNotFound))
		}
		if deps[j].Version != u.Version {
			index[j] = u.Version
		}
	}
	if len(index) == 0 {
		return nil
	}
	return helmEditChartfile(path, index)
}

func helmEditChartfile(path string, versions map[int]string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc, err := kyaml.Parse(string(b))
	if err != nil {
		return fmt.Errorf("parse Chart.yaml: %w", err)
	}
	list, err := doc.Pipe(kyaml.Lookup("dependencies"))
	if err != nil || list == nil {
		return fmt.Errorf("Chart.yaml dependencies: %w", railyard.ErrNotFound)
	}
	elems, err := list.Elements()
	if err != nil {
		return fmt.Errorf("Chart.yaml dependencies: %w", err)
	}
	for i, v := range versions {
		if err := helmSetVersion(elems[i], v); err != nil {
			return err
		}
	}
	out, err := doc.String()
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

// helmSetVersion sets a dependency's version, keeping the comments of the
// line it replaces.
func helmSetVersion(dep *kyaml.RNode, version string) error {
	if f := dep.Field("version"); f != nil && f.Value != nil {
		n := f.Value.YNode()
		n.Kind, n.Tag, n.Value, n.Style = kyaml.ScalarNode, kyaml.NodeTagString, version, 0
		return nil
	}
	value := kyaml.NewScalarRNode(version)
	value.YNode().Tag = kyaml.NodeTagString
	if err := dep.PipeE(kyaml.SetField("version", value)); err != nil {
		return fmt.Errorf("set dependency version: %w", err)
	}
	return nil
}

// helmUpdateDependencies runs `helm dependency update` and returns the
// changes to Chart.lock by dependency name ("1.0.0 -> 1.1.0", a version for
// an added one, "" for a removed one). With no change the old Chart.lock
// is kept byte for byte.
func helmUpdateDependencies(ctx context.Context, sc *Context, dir string) (map[string]string, error) {
	deps, err := helmChartDependencies(sc.WorkDir, dir)
	if err != nil {
		return nil, err
	}
	lockPath := filepath.Join(dir, "Chart.lock")
	oldLock, err := os.ReadFile(lockPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	env, err := newHelmDepEnv(ctx, sc, deps)
	if err != nil {
		return nil, err
	}
	defer env.close()
	if err := helmManagerError(env.manager(dir).Update()); err != nil {
		return nil, fmt.Errorf("dependency update: %w", err)
	}
	newLock, err := os.ReadFile(lockPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	changes := helmLockChanges(oldLock, newLock)
	if len(changes) == 0 && oldLock != nil {
		return nil, os.WriteFile(lockPath, oldLock, 0o644)
	}
	return changes, nil
}

func helmLockChanges(before, after []byte) map[string]string {
	old, cur := helmLockVersions(before), helmLockVersions(after)
	changes := map[string]string{}
	for name, v := range cur {
		switch prev, ok := old[name]; {
		case !ok:
			changes[name] = v
		case prev != v:
			changes[name] = prev + " -> " + v
		}
	}
	for name := range old {
		if _, ok := cur[name]; !ok {
			changes[name] = ""
		}
	}
	return changes
}

func helmLockVersions(b []byte) map[string]string {
	var lock chart.Lock
	out := map[string]string{}
	if len(b) == 0 || yaml.Unmarshal(b, &lock) != nil {
		return out
	}
	for _, d := range lock.Dependencies {
		out[d.Name] = d.Version
	}
	return out
}

// helmCommitMessage describes the change as Kargo does.
func helmCommitMessage(path string, changes map[string]string) string {
	if len(changes) == 0 {
		return ""
	}
	names := make([]string, 0, len(changes))
	for n := range changes {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("Updated chart dependencies for " + path + "\n")
	for _, n := range names {
		change := changes[n]
		if change == "" {
			change = "removed"
		}
		fmt.Fprintf(&b, "\n- %s: %s", n, change)
	}
	return b.String()
}
