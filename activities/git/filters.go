package git

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/railyard/railyard"
)

// selector is a git subscription compiled once per cycle.
type selector struct {
	sub       railyard.GitSubscription
	strategy  string
	tags      bool // a tag strategy
	limit     int
	tagFilter railyard.TagFilter
	versions  railyard.VersionRule
	include   []pathMatcher
	exclude   []pathMatcher
	filter    *vm.Program
	since     time.Time
}

func newSelector(sub railyard.GitSubscription) (*selector, error) {
	s := &selector{sub: sub, strategy: sub.Strategy(), limit: sub.Limit(),
		versions: railyard.VersionRule{Strict: railyard.StrictOrDefault(sub.StrictSemvers)}}
	switch s.strategy {
	case railyard.CommitNewestFromBranch:
	case railyard.CommitSemVer, railyard.CommitLexical, railyard.CommitNewestTag:
		s.tags = true
	default:
		return nil, invalid(sub, "commitSelectionStrategy %q is unknown", s.strategy)
	}
	var err error
	if s.tagFilter, err = railyard.NewTagFilter(sub.AllowTagsRegexes, sub.IgnoreTagsRegexes); err != nil {
		return nil, invalid(sub, "%v", err)
	}
	if s.include, err = compilePaths(sub.IncludePaths); err != nil {
		return nil, invalid(sub, "includePaths: %v", err)
	}
	if s.exclude, err = compilePaths(sub.ExcludePaths); err != nil {
		return nil, invalid(sub, "excludePaths: %v", err)
	}
	if err := s.compileRest(); err != nil {
		return nil, invalid(sub, "%v", err)
	}
	return s, nil
}

func (s *selector) compileRest() error {
	if s.strategy == railyard.CommitSemVer {
		c, err := railyard.ParseConstraint(s.sub.SemverConstraint)
		if err != nil {
			return fmt.Errorf("semverConstraint: %v", err)
		}
		s.versions.Constraint = c
	}
	if s.sub.Since != "" && !s.tags {
		t, err := time.Parse(time.RFC3339, s.sub.Since)
		if err != nil {
			return fmt.Errorf("since %q: not an RFC3339 time", s.sub.Since)
		}
		s.since = t
	}
	if s.sub.ExpressionFilter != "" {
		p, err := expr.Compile(s.sub.ExpressionFilter, expr.Env(s.sampleEnv()))
		if err != nil {
			return fmt.Errorf("expressionFilter: %v", err)
		}
		s.filter = p
	}
	return nil
}

func invalid(sub railyard.GitSubscription, format string, args ...any) error {
	return fmt.Errorf("git subscription %s: %s: %w", Redact(sub.RepoURL), fmt.Sprintf(format, args...), railyard.ErrInvalid)
}

// tagAllowed applies allowTagsRegexes (any must match) and
// ignoreTagsRegexes (none may match).
func (s *selector) tagAllowed(tag string) bool { return s.tagFilter.Allows(tag) }

// hasPathFilters reports whether candidates need their changed paths.
func (s *selector) hasPathFilters() bool { return len(s.include)+len(s.exclude) > 0 }

// pathsQualify reports whether at least one changed path is included
// (explicitly, or implicitly when there are no includePaths) and not
// excluded.
func (s *selector) pathsQualify(paths []string) bool {
	for _, p := range paths {
		included := len(s.include) == 0 || anyPath(s.include, p)
		if included && !anyPath(s.exclude, p) {
			return true
		}
	}
	return false
}

// sampleEnv declares the expression variables and their types.
func (s *selector) sampleEnv() map[string]any {
	if s.tags {
		return tagEnv(tagInfo{})
	}
	return commitEnv(commitInfo{})
}

// accept evaluates expressionFilter; results that are not booleans are
// read with strconv.ParseBool.
func (s *selector) accept(env map[string]any) (bool, error) {
	if s.filter == nil {
		return true, nil
	}
	v, err := expr.Run(s.filter, env)
	if err != nil {
		return false, fmt.Errorf("evaluating expressionFilter: %w", err)
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	b, err := strconv.ParseBool(fmt.Sprint(v))
	if err != nil {
		return false, fmt.Errorf("expressionFilter result %v is not a boolean: %w", v, railyard.ErrInvalid)
	}
	return b, nil
}

func (s *selector) emptyReason(branch string) string {
	var parts []string
	switch {
	case !s.tags:
		parts = append(parts, fmt.Sprintf("no commit on branch %q", branch))
	case s.versions.Constraint != nil:
		parts = append(parts, fmt.Sprintf("no tag satisfies semverConstraint %q", s.sub.SemverConstraint))
	default:
		parts = append(parts, "no tag found")
	}
	if len(s.sub.AllowTagsRegexes)+len(s.sub.IgnoreTagsRegexes) > 0 {
		parts = append(parts, "after tag regexes")
	}
	if s.hasPathFilters() {
		parts = append(parts, "with path filters")
	}
	if s.filter != nil {
		parts = append(parts, "matching expressionFilter")
	}
	if !s.since.IsZero() {
		parts = append(parts, "since "+s.sub.Since)
	}
	return strings.Join(parts, " ")
}
