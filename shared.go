package railyard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// SharedResources are the cluster-wide resources every project shares:
// the ConfigMaps of the shared namespace (sharedConfigMap()) and the
// ClusterAnalysisTemplates. They are applied once, kept once (by the
// Shared workflow) and read where they are used, never copied into
// projects.
type SharedResources struct {
	ConfigMaps       []ConfigMap        `json:"configMaps,omitempty"`
	ClusterTemplates []AnalysisTemplate `json:"clusterAnalysisTemplates,omitempty"`
}

// Empty reports whether there is nothing shared.
func (s SharedResources) Empty() bool {
	return len(s.ConfigMaps) == 0 && len(s.ClusterTemplates) == 0
}

// Merge returns s with every resource of next added, replacing those of
// the same name: an apply adds and updates shared resources, as
// `kubectl apply` does, and never removes those it does not name.
func (s SharedResources) Merge(next SharedResources) SharedResources {
	return SharedResources{
		ConfigMaps: sortedBy(mergeByName(s.ConfigMaps, next.ConfigMaps, func(m ConfigMap) string { return m.Name }),
			func(m ConfigMap) string { return m.Name }),
		ClusterTemplates: sortedBy(mergeByName(s.ClusterTemplates, next.ClusterTemplates, func(t AnalysisTemplate) string { return t.Name }),
			func(t AnalysisTemplate) string { return t.Name }),
	}
}

func mergeByName[T any](old, next []T, name func(T) string) []T {
	out := append([]T(nil), old...)
	for _, n := range next {
		replaced := false
		for i := range out {
			if name(out[i]) == name(n) {
				out[i], replaced = n, true
			}
		}
		if !replaced {
			out = append(out, n)
		}
	}
	return out
}

// ConfigMap returns the named shared ConfigMap.
func (s SharedResources) ConfigMap(name string) (ConfigMap, bool) {
	return findConfigMap(s.ConfigMaps, name)
}

// ClusterTemplate returns the named ClusterAnalysisTemplate.
func (s SharedResources) ClusterTemplate(name string) (AnalysisTemplate, bool) {
	for _, t := range s.ClusterTemplates {
		if t.Name == name {
			return t, true
		}
	}
	return AnalysisTemplate{}, false
}

// Hash is a stable digest, to tell a change from a re-apply.
func (s SharedResources) Hash() string {
	c := SharedResources{
		ConfigMaps:       sortedBy(s.ConfigMaps, func(m ConfigMap) string { return m.Name }),
		ClusterTemplates: sortedBy(s.ClusterTemplates, func(t AnalysisTemplate) string { return t.Name }),
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ConfigMap returns the project's named ConfigMap.
func (r Resources) ConfigMap(name string) (ConfigMap, bool) {
	return findConfigMap(r.ConfigMaps, name)
}

func findConfigMap(ms []ConfigMap, name string) (ConfigMap, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return ConfigMap{}, false
}

// SharedWorkflowID is the ID of the Shared workflow, which keeps the
// SharedResources. It cannot be a project's ID: project names have no ':'.
const SharedWorkflowID = "railyard:shared"
