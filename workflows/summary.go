package workflows

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/railyard/railyard"
)

// summaryKeys are the config keys that tell, per step kind, what the step
// works on; the first ones present make the activity's Summary.
var summaryKeys = map[string][]string{
	"git-clone":           {"repoURL"},
	"git-push":            {"targetBranch", "tag", "path"},
	"git-commit":          {"path"},
	"git-clear":           {"path"},
	"git-tag":             {"tag"},
	"copy":                {"inPath", "outPath"},
	"kustomize-set-image": {"path", "images"},
	"kustomize-build":     {"path", "outPath"},
	"helm-template":       {"path", "outPath"},
	"helm-update-chart":   {"path"},
	"http":                {"method", "url"},
}

// stepSummary names a step and its target for the Web UI, e.g.
// "git-push env/dev" or "kustomize-set-image stages/uat nginx:1.2.3". It
// uses the configuration as written, before expressions are evaluated.
func stepSummary(step railyard.PromotionStep) string {
	var cfg map[string]any
	_ = json.Unmarshal(step.Config, &cfg)
	keys, ok := summaryKeys[step.Uses]
	if !ok {
		keys = []string{"path"}
	}
	parts := []string{step.Uses}
	for _, k := range keys {
		if v, ok := cfg[k]; ok {
			parts = append(parts, summaryValue(v))
		}
	}
	return truncate(strings.Join(parts, " "), 120)
}

func summaryValue(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		var out []string
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				out = append(out, fmt.Sprint(m["image"])+tagOf(m))
				continue
			}
			out = append(out, fmt.Sprint(x))
		}
		return strings.Join(out, ",")
	}
	return fmt.Sprint(v)
}

func tagOf(m map[string]any) string {
	if t, ok := m["tag"].(string); ok && t != "" {
		return ":" + t
	}
	return ""
}
