package config

import (
	"fmt"
	"strings"

	railyard "github.com/railyard/railyard"
)

// validateReceivers checks a ProjectConfig's webhookReceivers: unique names,
// exactly one kind each with a secretRef, and well-formed generic actions.
func validateReceivers(r *report, src source, receivers []railyard.WebhookReceiver) {
	seen := map[string]bool{}
	for i, w := range receivers {
		f := fmt.Sprintf("spec.webhookReceivers[%d]", i)
		switch {
		case w.Name == "":
			r.add(src, f+".name", "is required")
		case seen[w.Name]:
			r.add(src, f+".name", "%q is used by another receiver of this project", w.Name)
		}
		seen[w.Name] = true
		kinds := w.Kinds()
		switch len(kinds) {
		case 0:
			r.add(src, f, "one of %s is required", strings.Join(railyard.ReceiverKinds, ", "))
			continue
		case 1:
		default:
			r.add(src, f, "set exactly one receiver kind, not %s", strings.Join(kinds, " and "))
			continue
		}
		if w.SecretName() == "" {
			r.add(src, f+"."+kinds[0]+".secretRef.name", "is required")
		}
		if w.Generic != nil {
			validateGeneric(r, src, f+".generic", *w.Generic)
		}
	}
}

func validateGeneric(r *report, src source, f string, g railyard.GenericWebhookConfig) {
	if len(g.Actions) == 0 {
		r.add(src, f+".actions", "at least one action is required")
	}
	for i, a := range g.Actions {
		af := fmt.Sprintf("%s.actions[%d]", f, i)
		switch {
		case a.Action != "" && a.ActionType != "":
			r.add(src, af, "set action or actionType (its older name), not both")
		case a.Type() == "":
			r.add(src, af+".action", "is required (Refresh)")
		case a.Type() != "Refresh":
			r.add(src, af+".action", "%q is not supported; Refresh is the only action", a.Type())
		}
		if a.WhenExpression != "" && a.MatchExpression != "" {
			r.add(src, af, "set whenExpression or matchExpression (its older name), not both")
		}
		if c := a.Condition(); strings.Contains(c, "${{") {
			checkTemplate(r, src, af+".whenExpression", railyard.ScopeWebhooks, c)
		} else {
			checkExpression(r, src, af+".whenExpression", railyard.ScopeWebhooks, c)
		}
		for k, v := range a.Parameters {
			checkTemplate(r, src, af+".parameters."+k, railyard.ScopeWebhooks, v)
		}
		targets := a.AllTargets()
		if len(targets) == 0 {
			r.add(src, af+".targetSelectionCriteria", "at least one target is required")
		}
		for j, t := range targets {
			validateTarget(r, src, fmt.Sprintf("%s.targetSelectionCriteria[%d]", af, j), t)
		}
	}
}

func validateTarget(r *report, src source, f string, t railyard.GenericWebhookTarget) {
	if t.Kind != "Warehouse" {
		r.add(src, f+".kind", "%q is not supported; Warehouse is the only target kind", t.Kind)
	}
	if t.Name == "" && t.LabelSelector == nil && t.IndexSelector == nil {
		r.add(src, f, "one of name, labelSelector or indexSelector is required")
	}
	checkTemplate(r, src, f+".name", railyard.ScopeWebhooks, t.Name)
	if t.LabelSelector != nil {
		for i, e := range t.LabelSelector.MatchExpressions {
			ef := fmt.Sprintf("%s.labelSelector.matchExpressions[%d]", f, i)
			if e.Key == "" {
				r.add(src, ef+".key", "is required")
			}
			switch e.Operator {
			case "In", "NotIn":
				if len(e.Values) == 0 {
					r.add(src, ef+".values", "%s needs at least one value", e.Operator)
				}
			case "Exists", "DoesNotExist":
			default:
				r.add(src, ef+".operator", "%q is not one of In, NotIn, Exists, DoesNotExist", e.Operator)
			}
			for j, v := range e.Values {
				checkTemplate(r, src, fmt.Sprintf("%s.values[%d]", ef, j), railyard.ScopeWebhooks, v)
			}
		}
	}
	if t.IndexSelector == nil {
		return
	}
	reqs := t.IndexSelector.Requirements()
	if len(reqs) == 0 {
		r.add(src, f+".indexSelector.matchIndices", "at least one requirement is required")
	}
	for i, q := range reqs {
		qf := fmt.Sprintf("%s.indexSelector.matchIndices[%d]", f, i)
		if q.Key != "subscribedURLs" && q.Key != "subscribedURL" {
			r.add(src, qf+".key", "%q is not supported; subscribedURLs is the only index", q.Key)
		}
		switch q.Operator {
		case "Equals", "NotEquals", "Equal", "NotEqual", "In", "NotIn":
		default:
			r.add(src, qf+".operator", "%q is not one of Equals, NotEquals", q.Operator)
		}
		if q.Value == "" {
			r.add(src, qf+".value", "is required")
		}
		checkTemplate(r, src, qf+".value", railyard.ScopeWebhooks, q.Value)
	}
}
