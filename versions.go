package railyard

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Kargo's rules for choosing among tags and versions, shared by git tag,
// image and chart discovery and by config validation: allow/ignore regexes,
// lenient or strict semantic versions, a constraint, an order and a
// discovery limit.

// TagFilter applies allowTagsRegexes (when any are given, one must match)
// and ignoreTagsRegexes (none may match).
type TagFilter struct {
	allow, ignore []*regexp.Regexp
}

// NewTagFilter compiles the regexes; the error names the bad one.
func NewTagFilter(allow, ignore []string) (TagFilter, error) {
	var f TagFilter
	var err error
	if f.allow, err = compileRegexes(allow); err != nil {
		return TagFilter{}, fmt.Errorf("allowTagsRegexes: %w", err)
	}
	if f.ignore, err = compileRegexes(ignore); err != nil {
		return TagFilter{}, fmt.Errorf("ignoreTagsRegexes: %w", err)
	}
	return f, nil
}

func compileRegexes(exprs []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(exprs))
	for _, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

// Allows reports whether tag passes the filter.
func (f TagFilter) Allows(tag string) bool {
	for _, re := range f.ignore {
		if re.MatchString(tag) {
			return false
		}
	}
	if len(f.allow) == 0 {
		return true
	}
	for _, re := range f.allow {
		if re.MatchString(tag) {
			return true
		}
	}
	return false
}

// Filter returns the tags that pass, in order.
func (f TagFilter) Filter(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if f.Allows(t) {
			out = append(out, t)
		}
	}
	return out
}

// ParseConstraint parses a semver constraint; "" is no constraint (nil).
func ParseConstraint(s string) (*semver.Constraints, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	c, err := semver.NewConstraint(s)
	if err != nil {
		return nil, fmt.Errorf("semver constraint %q: %w", s, err)
	}
	return c, nil
}

// ParseVersion reads a tag as a semantic version. Lenient parsing accepts
// what Masterminds/semver coerces ("1.2", "v1"); strict parsing accepts
// only full MAJOR.MINOR.PATCH versions (optional pre-release and build),
// with an optional leading "v".
func ParseVersion(tag string, strict bool) (*semver.Version, bool) {
	if strict {
		if _, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v")); err != nil {
			return nil, false
		}
	}
	v, err := semver.NewVersion(tag)
	return v, err == nil
}

// VersionRule selects versions: those that parse (strictly or not) and
// satisfy the constraint (nil: any).
type VersionRule struct {
	Constraint *semver.Constraints
	Strict     bool
}

// Match parses tag and checks it against the rule.
func (r VersionRule) Match(tag string) (*semver.Version, bool) {
	v, ok := ParseVersion(tag, r.Strict)
	if !ok || (r.Constraint != nil && !r.Constraint.Check(v)) {
		return nil, false
	}
	return v, true
}

// CompareVersions orders two matched tags best first: the greater version,
// then (for equal versions such as "1.0" and "1.0.0") the greater name.
// It returns a negative number when a comes first.
func CompareVersions(a *semver.Version, aTag string, b *semver.Version, bTag string) int {
	if c := b.Compare(a); c != 0 {
		return c
	}
	return strings.Compare(bTag, aTag)
}

// SelectVersions keeps the distinct tags matching the rule, greatest
// first, at most limit of them (limit <= 0: all).
func SelectVersions(tags []string, rule VersionRule, limit int) []string {
	type match struct {
		tag string
		v   *semver.Version
	}
	seen := map[string]bool{}
	var ms []match
	for _, t := range tags {
		if seen[t] {
			continue
		}
		seen[t] = true
		if v, ok := rule.Match(t); ok {
			ms = append(ms, match{t, v})
		}
	}
	slices.SortFunc(ms, func(a, b match) int { return CompareVersions(a.v, a.tag, b.v, b.tag) })
	if limit > 0 && len(ms) > limit {
		ms = ms[:limit]
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.tag
	}
	return out
}

// SortLexical orders tags by name, greatest first (Kargo's Lexical
// strategies).
func SortLexical(tags []string) []string {
	out := slices.Clone(tags)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(b, a) })
	return out
}
