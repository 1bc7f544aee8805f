package config

import (
	"fmt"
	"regexp"
	"strings"

	railyard "github.com/railyard/railyard"
)

var (
	varNameRE       = regexp.MustCompile(`^[a-zA-Z_]\w*$`)
	reservedAliasRE = regexp.MustCompile(`^(step|task)-\d+$`)
)

// validateTask checks a PromotionTask or ClusterPromotionTask on its own.
func validateTask(t *railyard.PromotionTask, src source, r *report) {
	checkVars(r, src, "spec.vars", railyard.ScopeSteps, t.Spec.Vars)
	if len(t.Spec.Steps) == 0 {
		r.add(src, "spec.steps", "at least one step is required")
	}
	validateSteps(r, src, "spec.steps", t.Spec.Steps, false)
}

// validateSteps checks a list of promotion steps; task references are
// allowed only in a Stage's promotion template.
func validateSteps(r *report, src source, field string, steps []railyard.PromotionStep, tasksAllowed bool) {
	aliases := map[string]int{}
	for i, st := range steps {
		f := fmt.Sprintf("%s[%d]", field, i)
		validateStep(r, src, f, st, tasksAllowed)
		alias := strings.TrimSpace(st.As)
		if alias == "" {
			continue
		}
		if j, ok := aliases[alias]; ok {
			r.add(src, f+".as", "alias %q is already used by %s[%d]", alias, field, j)
		}
		aliases[alias] = i
		if reservedAliasRE.MatchString(alias) {
			r.add(src, f+".as", "alias %q is reserved (step-N and task-N name steps without an alias)", alias)
		}
	}
}

func validateStep(r *report, src source, f string, st railyard.PromotionStep, tasksAllowed bool) {
	switch {
	case st.Uses != "" && st.Task != nil:
		r.add(src, f, "set either uses or task, not both")
	case st.Uses == "" && st.Task == nil:
		r.add(src, f, "either uses or task is required")
	case st.Task != nil:
		validateTaskStep(r, src, f, st, tasksAllowed)
	default:
		if validateUses(r, src, f+".uses", st.Uses) {
			checkStepConfig(r, src, f+".config", st.Uses, st.Config)
		}
	}
	checkVars(r, src, f+".vars", railyard.ScopeSteps, st.Vars)
	checkTemplate(r, src, f+".if", railyard.ScopeSteps, st.If)
	checkConfigTemplates(r, src, f+".config", st.Config)
	if st.Retry != nil && st.Retry.Timeout != "" && !validDuration(string(st.Retry.Timeout)) {
		r.add(src, f+".retry.timeout", "%q is not a valid duration (like 30s or 5m)", st.Retry.Timeout)
	}
	if st.Retry != nil && st.Retry.ErrorThreshold < 0 {
		r.add(src, f+".retry.errorThreshold", "must not be negative")
	}
}

// validateUses reports a step kind Railyard does not run and says whether
// it runs this one.
func validateUses(r *report, src source, f, uses string) bool {
	switch railyard.StepKind(uses) {
	case "supported":
		return true
	case "unsupported":
		r.add(src, f, "step %q is not supported yet", uses)
	default:
		r.add(src, f, "unknown step kind %q", uses)
	}
	return false
}

func validateTaskStep(r *report, src source, f string, st railyard.PromotionStep, tasksAllowed bool) {
	if !tasksAllowed {
		r.add(src, f+".task", "a task cannot use another task; only a Stage's promotion template may")
		return
	}
	if st.Task.Name == "" {
		r.add(src, f+".task.name", "is required")
	}
	checkEnum(r, src, f+".task.kind", st.Task.Kind, kindPromotionTask, kindClusterPromotionTask)
	if st.If != "" {
		r.add(src, f+".if", "a step that references a task cannot set if")
	}
	if len(st.Config) > 0 {
		r.add(src, f+".config", "a step that references a task cannot set config; pass inputs with vars")
	}
	if st.ContinueOnError {
		r.add(src, f+".continueOnError", "a step that references a task cannot set continueOnError")
	}
	if st.Retry != nil {
		r.add(src, f+".retry", "a step that references a task cannot set retry")
	}
}

// checkVars checks variable names (required, identifiers, unique) and the
// expressions in their values.
func checkVars(r *report, src source, field, scope string, vars []railyard.ExpressionVar) {
	seen := map[string]int{}
	for i, v := range vars {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case v.Name == "":
			r.add(src, f+".name", "is required")
		case !varNameRE.MatchString(v.Name):
			r.add(src, f+".name", "%q is not a valid variable name (letters, digits and _, not starting with a digit)", v.Name)
		}
		if j, ok := seen[v.Name]; ok && v.Name != "" {
			r.add(src, f+".name", "variable %q is already defined by %s[%d]", v.Name, field, j)
		}
		seen[v.Name] = i
		checkTemplate(r, src, f+".value", scope, v.Value)
	}
}
