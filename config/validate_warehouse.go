package config

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	railyard "github.com/railyard/railyard"
)

var warehouseSpecials = []special{
	{pattern: "spec.shard", warning: true, message: "shard has no effect in Railyard (every worker serves every warehouse)"},
	{pattern: "spec.subscriptions[*].*", except: []string{"git", "image", "chart", "name"},
		message: "subscription type \"{key}\" is not supported yet (Railyard subscribes to git, image and chart)"},
	{pattern: "spec.subscriptions[*].git.allowTags", message: "allowTags is deprecated and no longer honoured by Kargo; use allowTagsRegexes"},
	{pattern: "spec.subscriptions[*].git.ignoreTags", message: "ignoreTags is deprecated and no longer honoured by Kargo; use ignoreTagsRegexes"},
	{pattern: "spec.subscriptions[*].image.allowTags", message: "allowTags is deprecated and no longer honoured by Kargo; use allowTagsRegexes"},
	{pattern: "spec.subscriptions[*].image.ignoreTags", message: "ignoreTags is deprecated and no longer honoured by Kargo; use ignoreTagsRegexes"},
	{pattern: "spec.subscriptions[*].image.semverConstraint", message: "semverConstraint was removed from image subscriptions in Kargo v1.9; use constraint"},
}

var (
	intervalRE = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(s|m|h))+$`)
	branchRE   = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9._/-]*[a-zA-Z0-9_-])?$`)
	platformRE = regexp.MustCompile(`^\w+/\w+$`)
)

func decodeWarehouse(tree map[string]any, src source, r *report) any {
	generic := genericSubscriptions(tree)
	takeSpecials(tree, warehouseSpecials, r, src)
	m := decodeManifest[warehouseManifest](tree, src, r)
	w := &railyard.Warehouse{Name: src.Name, Labels: m.Metadata.Labels, Spec: m.Spec}
	validateWarehouse(w.Spec, generic, src, r)
	return w
}

// genericSubscriptions returns the indices of subscriptions with a type key
// other than git, image or chart (already reported as not supported).
func genericSubscriptions(tree map[string]any) map[int]bool {
	out := map[int]bool{}
	spec, _ := tree["spec"].(map[string]any)
	subs, _ := spec["subscriptions"].([]any)
	for i, s := range subs {
		obj, _ := s.(map[string]any)
		for k := range obj {
			if !contains([]string{"git", "image", "chart", "name"}, k) {
				out[i] = true
			}
		}
	}
	return out
}

func validateWarehouse(spec railyard.WarehouseSpec, generic map[int]bool, src source, r *report) {
	if spec.Interval != "" && !intervalRE.MatchString(string(spec.Interval)) {
		r.add(src, "spec.interval", "%q is not a valid interval (a duration of h, m and s, like 5m or 1h30m)", spec.Interval)
	}
	checkEnum(r, src, "spec.freightCreationPolicy", spec.FreightCreationPolicy,
		railyard.FreightCreationAutomatic, railyard.FreightCreationManual)
	if c := spec.FreightCreationCriteria; c != nil {
		checkExpression(r, src, "spec.freightCreationCriteria.expression", railyard.ScopeCriteria, c.Expression)
	}
	if len(spec.Subscriptions) == 0 {
		r.add(src, "spec.subscriptions", "at least one subscription is required")
	}
	names := map[string]int{}
	repos := map[string]int{}
	for i, sub := range spec.Subscriptions {
		field := fmt.Sprintf("spec.subscriptions[%d]", i)
		validateSubscription(sub, field, generic[i], src, r)
		if sub.Name != "" {
			checkLabel(r, src, field+".name", sub.Name)
			if j, ok := names[sub.Name]; ok {
				r.add(src, field+".name", "duplicates the name of spec.subscriptions[%d]", j)
			}
			names[sub.Name] = i
		}
		if key := subscriptionKey(sub); key != "" {
			if j, ok := repos[key]; ok {
				r.add(src, field, "subscribes to %s again (already spec.subscriptions[%d]); a Warehouse may subscribe to a repository once", sub.RepoURL(), j)
			}
			repos[key] = i
		}
	}
}

// subscriptionKey identifies the repository a subscription watches, to find
// a Warehouse subscribing twice to the same one.
func subscriptionKey(sub railyard.Subscription) string {
	switch {
	case sub.Git != nil && sub.Git.RepoURL != "":
		return "git " + railyard.NormalizeGitURL(sub.Git.RepoURL)
	case sub.Image != nil && sub.Image.RepoURL != "":
		return "image " + railyard.NormalizeImageURL(sub.Image.RepoURL)
	case sub.Chart != nil && sub.Chart.RepoURL != "":
		return "chart " + path.Join(railyard.NormalizeChartURL(sub.Chart.RepoURL), sub.Chart.Name)
	}
	return ""
}

func validateSubscription(sub railyard.Subscription, field string, generic bool, src source, r *report) {
	n := 0
	for _, set := range []bool{sub.Git != nil, sub.Image != nil, sub.Chart != nil} {
		if set {
			n++
		}
	}
	if n != 1 && !(n == 0 && generic) {
		r.add(src, field, "exactly one of git, image or chart is required")
	}
	switch {
	case sub.Git != nil:
		validateGit(*sub.Git, field+".git", src, r)
	case sub.Image != nil:
		validateImage(*sub.Image, field+".image", src, r)
	case sub.Chart != nil:
		validateChart(*sub.Chart, field+".chart", src, r)
	}
}

func validateGit(g railyard.GitSubscription, field string, src source, r *report) {
	checkRepoURL(r, src, field+".repoURL", g.RepoURL)
	checkEnum(r, src, field+".commitSelectionStrategy", g.CommitSelectionStrategy,
		railyard.CommitNewestFromBranch, railyard.CommitSemVer, railyard.CommitLexical, railyard.CommitNewestTag)
	if g.Branch != "" && (len(g.Branch) > 255 || !branchRE.MatchString(g.Branch)) {
		r.add(src, field+".branch", "%q is not a valid branch name", g.Branch)
	}
	checkConstraint(r, src, field+".semverConstraint", g.SemverConstraint)
	checkRegexes(r, src, field+".allowTagsRegexes", g.AllowTagsRegexes)
	checkRegexes(r, src, field+".ignoreTagsRegexes", g.IgnoreTagsRegexes)
	checkExpression(r, src, field+".expressionFilter", railyard.ScopeDiscovery, g.ExpressionFilter)
	checkPathSelectors(r, src, field+".includePaths", g.IncludePaths)
	checkPathSelectors(r, src, field+".excludePaths", g.ExcludePaths)
	checkLimit(r, src, field+".discoveryLimit", g.DiscoveryLimit)
	if g.Since != "" {
		if _, err := time.Parse(time.RFC3339, g.Since); err != nil {
			r.add(src, field+".since", "%q is not an RFC 3339 time (like 2025-01-31T00:00:00Z)", g.Since)
		}
	}
}

func validateImage(i railyard.ImageSubscription, field string, src source, r *report) {
	if checkRepoURL(r, src, field+".repoURL", i.RepoURL) {
		if _, err := name.NewRepository(i.RepoURL, name.WeakValidation); err != nil {
			r.add(src, field+".repoURL", "%q is not an image repository (no tag or digest): %v", i.RepoURL, err)
		}
	}
	checkEnum(r, src, field+".imageSelectionStrategy", i.ImageSelectionStrategy,
		railyard.ImageSemVer, railyard.ImageLexical, railyard.ImageDigest, railyard.ImageNewestBuild)
	switch i.Strategy() {
	case railyard.ImageSemVer:
		checkConstraint(r, src, field+".constraint", i.Constraint)
	case railyard.ImageDigest:
		if i.Constraint == "" {
			r.add(src, field+".constraint", "is required with imageSelectionStrategy Digest: it names the tag to track")
		}
	}
	checkRegexes(r, src, field+".allowTagsRegexes", i.AllowTagsRegexes)
	checkRegexes(r, src, field+".ignoreTagsRegexes", i.IgnoreTagsRegexes)
	if i.Platform != "" && !platformRE.MatchString(i.Platform) {
		r.add(src, field+".platform", "%q is not a platform of the form os/arch (like linux/amd64)", i.Platform)
	}
	checkLimit(r, src, field+".discoveryLimit", i.DiscoveryLimit)
}

func validateChart(c railyard.ChartSubscription, field string, src source, r *report) {
	if checkRepoURL(r, src, field+".repoURL", c.RepoURL) {
		lower := strings.ToLower(c.RepoURL)
		switch {
		case strings.HasPrefix(lower, "oci://"):
			if c.Name != "" {
				r.add(src, field+".name", "must be empty for an oci:// repository (the repoURL names the chart)")
			}
		case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
			if c.Name == "" {
				r.add(src, field+".name", "is required for an http(s) chart repository")
			}
		default:
			r.add(src, field+".repoURL", "%q must start with https://, http:// or oci://", c.RepoURL)
		}
	}
	checkConstraint(r, src, field+".semverConstraint", c.SemverConstraint)
	checkLimit(r, src, field+".discoveryLimit", c.DiscoveryLimit)
}

// checkRepoURL reports a missing or blank repository URL and says whether
// there is one to check further.
func checkRepoURL(r *report, src source, field, url string) bool {
	switch {
	case url == "":
		r.add(src, field, "is required")
		return false
	case strings.TrimSpace(url) != url || strings.ContainsAny(url, " \t\n"):
		r.add(src, field, "%q must not contain white space", url)
		return false
	}
	return true
}

func checkConstraint(r *report, src source, field, c string) {
	if c == "" {
		return
	}
	if _, err := railyard.ParseConstraint(c); err != nil {
		r.add(src, field, "%q is not a valid semver constraint: %v", c, errors.Unwrap(err))
	}
}

func checkRegexes(r *report, src source, field string, res []string) {
	for i, re := range res {
		if _, err := regexp.Compile(re); err != nil {
			r.add(src, fmt.Sprintf("%s[%d]", field, i), "%q is not a valid regular expression: %v", re, err)
		}
	}
}

// checkPathSelectors checks include/exclude path selectors: exact paths,
// "glob:" patterns and "regex:"/"regexp:" expressions.
func checkPathSelectors(r *report, src source, field string, sels []string) {
	for i, s := range sels {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case s == "":
			r.add(src, f, "must not be empty")
		case strings.HasPrefix(s, "regex:"), strings.HasPrefix(s, "regexp:"):
			expr := s[strings.Index(s, ":")+1:]
			if _, err := regexp.Compile(expr); err != nil {
				r.add(src, f, "%q is not a valid regular expression: %v", expr, err)
			}
		case strings.HasPrefix(s, "glob:"):
			if _, err := path.Match(strings.TrimPrefix(s, "glob:"), ""); err != nil {
				r.add(src, f, "%q is not a valid glob pattern", strings.TrimPrefix(s, "glob:"))
			}
		}
	}
}

func checkLimit(r *report, src source, field string, n int) {
	if n != 0 && (n < 1 || n > 100) {
		r.add(src, field, "must be between 1 and 100, not %d", n)
	}
}

// checkEnum reports a value that is set but not one of allowed.
func checkEnum(r *report, src source, field, v string, allowed ...string) {
	if v != "" && !contains(allowed, v) {
		r.add(src, field, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}
