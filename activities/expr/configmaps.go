package expr

import (
	"context"
	"fmt"
	"sync"

	"github.com/expr-lang/expr"
)

// ConfigMapSource reads ConfigMaps on the worker: a project's
// (configMap()) and the shared namespace's (sharedConfigMap()). A missing
// ConfigMap is a nil map and no error.
type ConfigMapSource interface {
	ConfigMap(ctx context.Context, project, name string) (map[string]string, error)
	SharedConfigMap(ctx context.Context, name string) (map[string]string, error)
}

// ConfigMapFunctions returns configMap(name) and sharedConfigMap(name) over
// src. As in Kargo, a ConfigMap that does not exist is an empty map. Each
// ConfigMap is read once per evaluator, so one step sees one version of it.
// With a nil src every ConfigMap is empty.
func ConfigMapFunctions(ctx context.Context, src ConfigMapSource, project string) []expr.Option {
	var mu sync.Mutex
	seen := map[string]map[string]string{}
	read := func(fn string, get func(name string) (map[string]string, error)) func(a ...any) (any, error) {
		return func(a ...any) (any, error) {
			name := a[0].(string)
			if name == "" {
				return nil, fmt.Errorf("%s(): name must not be empty", fn)
			}
			mu.Lock()
			defer mu.Unlock()
			if m, ok := seen[fn+"/"+name]; ok {
				return m, nil
			}
			m := map[string]string{}
			if src != nil {
				data, err := get(name)
				if err != nil {
					return nil, fmt.Errorf("%s(%q): %w", fn, name, err)
				}
				if data != nil {
					m = data
				}
			}
			seen[fn+"/"+name] = m
			return m, nil
		}
	}
	return []expr.Option{
		expr.Function("configMap", read("configMap", func(name string) (map[string]string, error) {
			return src.ConfigMap(ctx, project, name)
		}), new(func(string) map[string]string)),
		expr.Function("sharedConfigMap", read("sharedConfigMap", func(name string) (map[string]string, error) {
			return src.SharedConfigMap(ctx, name)
		}), new(func(string) map[string]string)),
	}
}

// StaticConfigMaps is a ConfigMapSource over fixed data: project → name →
// data, with the shared ConfigMaps under the project "".
type StaticConfigMaps map[string]map[string]map[string]string

// ConfigMap implements ConfigMapSource.
func (s StaticConfigMaps) ConfigMap(_ context.Context, project, name string) (map[string]string, error) {
	return s[project][name], nil
}

// SharedConfigMap implements ConfigMapSource.
func (s StaticConfigMaps) SharedConfigMap(_ context.Context, name string) (map[string]string, error) {
	return s[""][name], nil
}
