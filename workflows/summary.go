package workflows

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/railyard/railyard"
)

// summaryKeys are the config keys that tell, per step kind, what the step
// works on; the first ones present make the activity's Summary.
var summaryKeys = map[string][]string{
	"git-clone":           {"repoURL"},
	"git-push":            {"targetBranch", "tag"},
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

// simpleExpr matches the expressions a summary can resolve without the
// expression engine: ctx.stage, ctx.project, ctx.promotion and vars.NAME.
var simpleExpr = regexp.MustCompile(`\$\{\{\s*(ctx\.stage|ctx\.project|ctx\.promotion|vars\.[A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// summaryEnv is what stepSummary may substitute into a step's configuration.
type summaryEnv struct {
	Project, Stage, Promotion string
	Vars                      []railyard.ExpressionVar
	Collection                railyard.Collection
}

// resolve replaces simple expressions with their values; a var whose value
// is itself an expression stays as written.
func (e summaryEnv) resolve(s string) string {
	return simpleExpr.ReplaceAllStringFunc(s, func(m string) string {
		key := simpleExpr.FindStringSubmatch(m)[1]
		switch key {
		case "ctx.stage":
			return e.Stage
		case "ctx.project":
			return e.Project
		case "ctx.promotion":
			return e.Promotion
		}
		for i := len(e.Vars) - 1; i >= 0; i-- {
			if "vars."+e.Vars[i].Name == key && !strings.Contains(e.Vars[i].Value, "${") {
				return e.Vars[i].Value
			}
		}
		return m
	})
}

// stepSummary names a step and its target for the Web UI, e.g.
// "git-push stage/dev" or "kustomize-set-image ./out app:1.2.3". Simple
// expressions are resolved; anything needing the expression engine (which
// runs inside the activity, where secrets stay) is shown as written.
func stepSummary(step railyard.PromotionStep, env summaryEnv) string {
	var cfg map[string]any
	_ = json.Unmarshal([]byte(env.resolve(string(step.Config))), &cfg)
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
	if _, explicit := cfg["images"]; step.Uses == "kustomize-set-image" && !explicit {
		for _, r := range env.Collection.Refs() {
			for _, i := range r.Images {
				parts = append(parts, lastPathElem(i.RepoURL)+":"+i.Tag)
			}
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

func lastPathElem(u string) string {
	if i := strings.LastIndex(u, "/"); i >= 0 {
		return u[i+1:]
	}
	return u
}

func tagOf(m map[string]any) string {
	if t, ok := m["tag"].(string); ok && t != "" {
		return ":" + t
	}
	return ""
}
