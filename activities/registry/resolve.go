package registry

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/railyard/railyard"
)

// known tells what is known about tag without a request: from the Client's
// caches (tag → digest → metadata), else from the previous result. ok
// reports that the image is selectable (an image, on the platform).
func (cy *cycle) known(tag string) (img railyard.Image, ok, known bool) {
	cy.mu.Lock()
	p, inPrev := cy.prev[tag]
	gone := cy.gone[tag]
	cy.mu.Unlock()
	if gone {
		return railyard.Image{}, false, true
	}
	if d, found := cy.c.tags.get(cy.key + ":" + tag); found {
		if m, found := cy.c.metas.get(cy.key + "@" + d); found {
			img, ok = m.view(cy.platform)
			img.Tag = tag
			return img, ok, true
		}
		if inPrev && p.Digest == d {
			return p, true, true
		}
		return railyard.Image{}, false, false
	}
	if inPrev {
		return p, true, true
	}
	return railyard.Image{}, false, false
}

// resolveUnknown fetches the metadata of the tags not known yet.
func (cy *cycle) resolveUnknown(ctx context.Context, tags []string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cy.c.concurrency())
	for _, t := range tags {
		if _, _, known := cy.known(t); known {
			continue
		}
		g.Go(func() error { return cy.resolveTag(gctx, t) })
	}
	return g.Wait()
}

// resolveTag reads a tag's manifest (and, for new digests, its config). A
// tag that vanished since the listing is remembered as gone.
func (cy *cycle) resolveTag(ctx context.Context, tag string) error {
	m, err := cy.fetchMeta(ctx, cy.repo.Tag(tag))
	if isManifestUnknown(err) {
		cy.markGone(tag)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading image %s:%s: %w", cy.sub.RepoURL, tag, classify(err))
	}
	cy.c.tags.put(cy.key+":"+tag, m.digest)
	cy.markFresh(tag)
	return nil
}

func (cy *cycle) markFresh(tag string) {
	cy.mu.Lock()
	cy.fresh[tag] = true
	cy.mu.Unlock()
}

// markGone records a tag that vanished after the listing.
func (cy *cycle) markGone(tag string) {
	cy.c.tags.remove(cy.key + ":" + tag)
	cy.mu.Lock()
	cy.fresh[tag], cy.gone[tag] = true, true
	cy.mu.Unlock()
}

func (cy *cycle) isFresh(tag string) bool {
	cy.mu.Lock()
	defer cy.mu.Unlock()
	return cy.fresh[tag]
}

// recheck HEADs the best candidates not read this cycle (unless the
// subscription trusts its tags) and reports whether any had moved; a moved
// tag's new metadata is fetched so that the caller can select again.
func (cy *cycle) recheck(ctx context.Context, imgs []railyard.Image) (bool, error) {
	if cy.sub.CacheByTag {
		return false, nil
	}
	moved := false
	for _, img := range imgs[:min(len(imgs), cy.c.recheckTop())] {
		if cy.isFresh(img.Tag) {
			continue
		}
		d, err := cy.head(ctx, img.Tag)
		if err != nil {
			return false, err
		}
		if d == img.Digest {
			continue
		}
		moved = true
		if d == "" {
			continue // deleted; head remembered it
		}
		if _, found := cy.c.metas.get(cy.key + "@" + d); !found {
			if _, err := cy.fetchMeta(ctx, cy.repo.Digest(d)); err != nil {
				return false, fmt.Errorf("reading image %s@%s: %w", cy.sub.RepoURL, d, classify(err))
			}
		}
	}
	return moved, nil
}

// head reads a tag's current digest with a HEAD request and remembers it;
// "" means the tag no longer exists.
func (cy *cycle) head(ctx context.Context, tag string) (string, error) {
	desc, err := cy.puller.Head(ctx, cy.repo.Tag(tag))
	cy.markFresh(tag)
	if isManifestUnknown(err) {
		cy.markGone(tag)
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("checking tag %s:%s: %w", cy.sub.RepoURL, tag, classify(err))
	}
	d := desc.Digest.String()
	cy.c.tags.put(cy.key+":"+tag, d)
	return d, nil
}
