package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/railyard/railyard"
)

func parseConstraint(s string) (*semver.Constraints, error) {
	if s == "" {
		return nil, nil
	}
	c, err := semver.NewConstraint(s)
	if err != nil {
		return nil, fmt.Errorf("semver constraint %q: %w", s, err)
	}
	return c, nil
}

// parseSemver parses a tag as Kargo does: leniently, and with strict set
// only full x.y.z versions (an optional leading "v" allowed).
func parseSemver(tag string, strict bool) *semver.Version {
	v, err := semver.NewVersion(tag)
	if err != nil {
		return nil
	}
	if strict {
		if _, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v")); err != nil {
			return nil
		}
	}
	return v
}

// filter applies ignoreTagsRegexes, then allowTagsRegexes (any must match).
func (cy *cycle) filter(tags []string) []string {
	allow, _ := compileAll(cy.sub.AllowTagsRegexes)
	ignore, _ := compileAll(cy.sub.IgnoreTagsRegexes)
	out := tags[:0:0]
next:
	for _, t := range tags {
		for _, re := range ignore {
			if re.MatchString(t) {
				continue next
			}
		}
		if len(allow) == 0 {
			out = append(out, t)
			continue
		}
		for _, re := range allow {
			if re.MatchString(t) {
				out = append(out, t)
				continue next
			}
		}
	}
	return out
}

// rank orders tags best first: semantically (non-versions and versions
// outside the constraint dropped) or lexically, both descending.
func (cy *cycle) rank(tags []string) []string {
	if cy.sub.Strategy() == railyard.ImageLexical {
		out := slices.Clone(tags)
		slices.SortFunc(out, func(a, b string) int { return strings.Compare(b, a) })
		return out
	}
	con, _ := parseConstraint(cy.sub.Constraint)
	strict := railyard.StrictOrDefault(cy.sub.StrictSemvers)
	type sv struct {
		tag string
		v   *semver.Version
	}
	vs := make([]sv, 0, len(tags))
	for _, t := range tags {
		if v := parseSemver(t, strict); v != nil && (con == nil || con.Check(v)) {
			vs = append(vs, sv{t, v})
		}
	}
	slices.SortFunc(vs, func(a, b sv) int {
		if c := b.v.Compare(a.v); c != 0 {
			return c
		}
		return strings.Compare(b.tag, a.tag)
	})
	out := make([]string, len(vs))
	for i, s := range vs {
		out[i] = s.tag
	}
	return out
}

// ranked implements SemVer and Lexical: the ranking needs no metadata, so
// only candidates that reach the top are resolved, and only when unknown.
func (cy *cycle) ranked(ctx context.Context) ([]railyard.Image, string, error) {
	all, err := cy.listTags(ctx)
	if err != nil {
		return nil, "", err
	}
	tags := cy.rank(cy.filter(all))
	if len(tags) == 0 {
		return nil, cy.noMatch(len(all)), nil
	}
	for {
		imgs, err := cy.walk(ctx, tags)
		if err != nil {
			return nil, "", err
		}
		moved, err := cy.recheck(ctx, imgs)
		if err != nil {
			return nil, "", err
		}
		if !moved {
			return imgs, cy.noPlatform(imgs, len(tags)), nil
		}
	}
}

// walk accepts candidates in order until the limit is reached, resolving
// the unknown ones of each window concurrently.
func (cy *cycle) walk(ctx context.Context, tags []string) ([]railyard.Image, error) {
	limit := cy.sub.Limit()
	var out []railyard.Image
	for i := 0; i < len(tags) && len(out) < limit; {
		window := tags[i:min(i+limit-len(out), len(tags))]
		i += len(window)
		if err := cy.resolveUnknown(ctx, window); err != nil {
			return nil, err
		}
		for _, t := range window {
			if img, ok, _ := cy.known(t); ok {
				out = append(out, img)
			}
		}
	}
	return out, nil
}

// newestBuild needs every candidate's build time: all unknown tags are
// resolved (bounded concurrency, under the host's rate limit), known ones
// come from the caches or the previous result.
func (cy *cycle) newestBuild(ctx context.Context) ([]railyard.Image, string, error) {
	all, err := cy.listTags(ctx)
	if err != nil {
		return nil, "", err
	}
	tags := cy.filter(all)
	if len(tags) == 0 {
		return nil, cy.noMatch(len(all)), nil
	}
	if err := cy.resolveUnknown(ctx, tags); err != nil {
		return nil, "", err
	}
	for {
		var imgs []railyard.Image
		for _, t := range tags {
			if img, ok, _ := cy.known(t); ok {
				imgs = append(imgs, img)
			}
		}
		slices.SortFunc(imgs, func(a, b railyard.Image) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(b.Tag, a.Tag)
		})
		imgs = imgs[:min(len(imgs), cy.sub.Limit())]
		moved, err := cy.recheck(ctx, imgs)
		if err != nil {
			return nil, "", err
		}
		if !moved {
			return imgs, cy.noPlatform(imgs, len(tags)), nil
		}
	}
}

func (cy *cycle) noMatch(total int) string {
	if total == 0 {
		return fmt.Sprintf("repository %s has no tags", cy.sub.RepoURL)
	}
	var what []string
	if cy.sub.Strategy() == railyard.ImageSemVer {
		what = append(what, "semantic versions")
		if cy.sub.Constraint != "" {
			what = append(what, fmt.Sprintf("constraint %q", cy.sub.Constraint))
		}
	}
	if len(cy.sub.AllowTagsRegexes)+len(cy.sub.IgnoreTagsRegexes) > 0 {
		what = append(what, "allowTagsRegexes/ignoreTagsRegexes")
	}
	return fmt.Sprintf("none of the %d tags of %s matches (%s)", total, cy.sub.RepoURL, strings.Join(what, ", "))
}

func (cy *cycle) noPlatform(imgs []railyard.Image, candidates int) string {
	if len(imgs) > 0 {
		return ""
	}
	if cy.platform != nil {
		return fmt.Sprintf("none of the %d candidate images of %s lists platform %s",
			candidates, cy.sub.RepoURL, cy.sub.Platform)
	}
	return fmt.Sprintf("none of the %d candidate tags of %s is an image", candidates, cy.sub.RepoURL)
}
