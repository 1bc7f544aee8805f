package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/railyard/railyard"
)

// filter applies ignoreTagsRegexes, then allowTagsRegexes (validated
// before a cycle starts).
func (cy *cycle) filter(tags []string) []string {
	f, _ := railyard.NewTagFilter(cy.sub.AllowTagsRegexes, cy.sub.IgnoreTagsRegexes)
	return f.Filter(tags)
}

// rank orders tags best first: semantically (non-versions and versions
// outside the constraint dropped) or lexically, both descending.
func (cy *cycle) rank(tags []string) []string {
	if cy.sub.Strategy() == railyard.ImageLexical {
		return railyard.SortLexical(tags)
	}
	con, _ := railyard.ParseConstraint(cy.sub.Constraint)
	rule := railyard.VersionRule{Constraint: con, Strict: railyard.StrictOrDefault(cy.sub.StrictSemvers)}
	return railyard.SelectVersions(tags, rule, 0)
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
