package steps

import (
	"fmt"
	"path/filepath"

	"helm.sh/helm/v3/pkg/chart"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// values computes a chart's values as kustomize's Helm plugin does: the
// valuesFile (the chart's values.yaml by default) combined with
// valuesInline per valuesMerge (override: inline wins, the default; merge:
// the file wins; replace: inline only), then the additionalValuesFiles in
// order, later ones winning.
func (k *kustomizeInflater) values(dir string, ch *chart.Chart, c kustypes.HelmChart) (map[string]any, error) {
	base := ch.Values
	if c.ValuesFile != "" {
		m, err := k.readValues(dir, c.ValuesFile)
		if err != nil {
			return nil, err
		}
		base = m
	}
	var vals map[string]any
	switch c.ValuesMerge {
	case "", "override":
		vals = kustomizeMergeValues(base, c.ValuesInline)
	case "merge":
		vals = kustomizeMergeValues(c.ValuesInline, base)
	case "replace":
		vals = kustomizeMergeValues(nil, c.ValuesInline)
		if len(c.ValuesInline) == 0 {
			vals = kustomizeMergeValues(nil, base)
		}
	default:
		return nil, fmt.Errorf("valuesMerge %q is not one of merge, override, replace", c.ValuesMerge)
	}
	for _, f := range c.AdditionalValuesFiles {
		m, err := k.readValues(dir, f)
		if err != nil {
			return nil, err
		}
		vals = kustomizeMergeValues(vals, m)
	}
	return vals, nil
}

func (k *kustomizeInflater) readValues(dir, file string) (map[string]any, error) {
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	b, err := k.fs.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("values file: %w", err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("values file %s: %w", filepath.Base(file), err)
	}
	return m, nil
}

// kustomizeMergeValues returns a deep copy of base with over merged on top:
// maps merge key by key, anything else in over replaces.
func kustomizeMergeValues(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if vm, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = kustomizeMergeValues(bm, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}
