package config

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	railyard "github.com/railyard/railyard"
)

var projectConfigSpecials = []special{
	{pattern: "spec.promotionPolicies[*].autoRollback", message: "autoRollback is not supported yet"},
	{pattern: "spec.promotionWindows", message: "promotion windows are not supported yet (in Kargo they are an Enterprise feature that OSS ignores)"},
}

func decodeProjectConfig(tree map[string]any, src source, r *report) any {
	takeSpecials(tree, projectConfigSpecials, r, src)
	m := decodeManifest[projectConfigManifest](tree, src, r)
	if src.Namespace != "" && src.Name != src.Namespace {
		r.add(src, "metadata.name", "a ProjectConfig must be named after its project %q", src.Namespace)
	}
	validatePolicies(r, src, m.Spec.PromotionPolicies)
	validateReceivers(r, src, m.Spec.WebhookReceivers)
	validateLinks(r, src, "spec.freightLinks", m.Spec.FreightLinks)
	validateLinks(r, src, "spec.stageLinks", m.Spec.StageLinks)
	return &m.Spec
}

func validatePolicies(r *report, src source, policies []railyard.PromotionPolicy) {
	for i, p := range policies {
		f := fmt.Sprintf("spec.promotionPolicies[%d]", i)
		switch {
		case p.Stage != "" && p.StageSelector != nil:
			r.add(src, f, "set stageSelector or stage (deprecated), not both")
		case p.Stage == "" && p.StageSelector == nil:
			r.add(src, f+".stageSelector", "is required")
		case p.StageSelector != nil:
			validateSelector(r, src, f+".stageSelector", *p.StageSelector)
		}
		for j, w := range p.Warehouses {
			if w == "" {
				r.add(src, fmt.Sprintf("%s.warehouses[%d]", f, j), "must not be empty")
			}
		}
	}
}

func validateSelector(r *report, src source, f string, s railyard.StageSelector) {
	checkNamePattern(r, src, f+".name", s.Name)
	for i, e := range s.MatchExpressions {
		ef := fmt.Sprintf("%s.matchExpressions[%d]", f, i)
		if e.Key == "" {
			r.add(src, ef+".key", "is required")
		}
		switch e.Operator {
		case "In", "NotIn":
			if len(e.Values) == 0 {
				r.add(src, ef+".values", "%s needs at least one value", e.Operator)
			}
		case "Exists", "DoesNotExist":
			if len(e.Values) > 0 {
				r.add(src, ef+".values", "must be empty with %s", e.Operator)
			}
		default:
			r.add(src, ef+".operator", "%q is not one of In, NotIn, Exists, DoesNotExist", e.Operator)
		}
	}
}

// checkNamePattern checks a stage name selector: exact, "glob:" or
// "regex:"/"regexp:".
func checkNamePattern(r *report, src source, f, pattern string) {
	switch {
	case strings.HasPrefix(pattern, "regex:"), strings.HasPrefix(pattern, "regexp:"):
		expr := pattern[strings.Index(pattern, ":")+1:]
		if _, err := regexp.Compile(expr); err != nil {
			r.add(src, f, "%q is not a valid regular expression: %v", expr, err)
		}
	case strings.HasPrefix(pattern, "glob:"):
		if _, err := path.Match(strings.TrimPrefix(pattern, "glob:"), ""); err != nil {
			r.add(src, f, "%q is not a valid glob pattern", strings.TrimPrefix(pattern, "glob:"))
		}
	}
}

// validateLinks checks deep links: a title, a URL that parses as a Go
// template, and an `if` expression that compiles.
func validateLinks(r *report, src source, field string, links []railyard.DeepLink) {
	for i, l := range links {
		f := fmt.Sprintf("%s[%d]", field, i)
		if strings.TrimSpace(l.Title) == "" {
			r.add(src, f+".title", "is required")
		}
		if strings.TrimSpace(l.URL) == "" {
			r.add(src, f+".url", "is required")
		}
		if _, err := railyard.ParseLinkURL(l.URL); err != nil && strings.TrimSpace(l.URL) != "" {
			r.add(src, f+".url", "not a valid URL template: %s", oneLine(err.Error()))
		}
		checkExpression(r, src, f+".if", railyard.ScopeLinks, l.If)
	}
}
