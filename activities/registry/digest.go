package registry

import (
	"context"
	"fmt"

	"github.com/railyard/railyard"
)

// digest implements the Digest strategy: the current image of one mutable
// tag, read with a HEAD request; metadata is fetched only for a new digest.
// The tag list is not needed.
func (cy *cycle) digest(ctx context.Context) ([]railyard.Image, string, error) {
	tag := cy.sub.Constraint
	d, err := cy.head(ctx, tag)
	if err != nil {
		return nil, "", err
	}
	if d == "" {
		// A HEAD 404 has no body: a GET tells a missing tag from a missing
		// repository.
		if _, err := cy.puller.Get(ctx, cy.repo.Tag(tag)); err != nil && !isManifestUnknown(err) {
			return nil, "", fmt.Errorf("reading image %s:%s: %w", cy.sub.RepoURL, tag, classify(err))
		}
		return nil, fmt.Sprintf("tag %q not found in %s", tag, cy.sub.RepoURL), nil
	}
	img, ok, known := cy.known(tag)
	if !known {
		if _, err := cy.fetchMeta(ctx, cy.repo.Digest(d)); err != nil {
			return nil, "", fmt.Errorf("reading image %s@%s: %w", cy.sub.RepoURL, d, classify(err))
		}
		img, ok, _ = cy.known(tag)
	}
	if !ok {
		if cy.platform != nil {
			return nil, fmt.Sprintf("image %s:%s does not list platform %s", cy.sub.RepoURL, tag, cy.sub.Platform), nil
		}
		return nil, fmt.Sprintf("%s:%s is not an image", cy.sub.RepoURL, tag), nil
	}
	return []railyard.Image{img}, "", nil
}
