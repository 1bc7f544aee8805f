package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// cycle is one Discover call.
type cycle struct {
	c        *Client
	sub      railyard.ImageSubscription
	repo     name.Repository
	key      string // the repository's canonical name, the caches' prefix
	puller   *remote.Puller
	platform *constraint
	prev     map[string]railyard.Image // the previous result, by tag
	mu       sync.Mutex
	fresh    map[string]bool // tags whose digest was read this cycle
	gone     map[string]bool // tags that vanished after the listing
}

// Discover finds the images of sub, best first, at most its discovery limit.
// prev is the previous result of the same subscription (or nil); it lets a
// cycle skip what it already knows, also on a freshly started worker.
// Finding nothing is not an error: the result is empty with Error set.
func (c *Client) Discover(ctx context.Context, sub railyard.ImageSubscription,
	prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error) {
	res := railyard.SubscriptionResult{Kind: "image", RepoURL: sub.RepoURL, Platform: sub.Platform}
	cy, err := c.newCycle(ctx, sub, prev)
	if err != nil {
		return res, err
	}
	var imgs []railyard.Image
	var reason string
	switch sub.Strategy() {
	case railyard.ImageDigest:
		imgs, reason, err = cy.digest(ctx)
	case railyard.ImageNewestBuild:
		imgs, reason, err = cy.newestBuild(ctx)
	default:
		imgs, reason, err = cy.ranked(ctx)
	}
	if err != nil {
		return res, err
	}
	for i := range imgs {
		imgs[i].RepoURL = sub.RepoURL
	}
	res.Images, res.Error = imgs, reason
	return res, nil
}

func (c *Client) newCycle(ctx context.Context, sub railyard.ImageSubscription,
	prev *railyard.SubscriptionResult) (*cycle, error) {
	if err := validate(sub); err != nil {
		return nil, err
	}
	repo, err := name.NewRepository(strings.TrimSpace(sub.RepoURL), name.WeakValidation)
	if err != nil {
		return nil, fmt.Errorf("image repoURL %q: %w: %w", sub.RepoURL, railyard.ErrInvalid, err)
	}
	pc, _ := parsePlatform(sub.Platform)
	p, err := c.puller(ctx, repo, creds.KindImage, sub.InsecureSkipTLSVerify)
	if err != nil {
		return nil, err
	}
	cy := &cycle{c: c, sub: sub, repo: repo, key: repo.Name(), puller: p, platform: pc,
		prev: map[string]railyard.Image{}, fresh: map[string]bool{}, gone: map[string]bool{}}
	if prev != nil && prev.Kind == "image" && prev.RepoURL == sub.RepoURL && prev.Platform == sub.Platform {
		for _, img := range prev.Images {
			if img.Tag != "" && img.Digest != "" {
				cy.prev[img.Tag] = img
			}
		}
	}
	return cy, nil
}

// validate reports every problem of the subscription that discovery needs.
func validate(sub railyard.ImageSubscription) error {
	var errs []error
	if strings.TrimSpace(sub.RepoURL) == "" {
		errs = append(errs, errors.New("repoURL is required"))
	}
	switch sub.Strategy() {
	case railyard.ImageSemVer:
		if _, err := railyard.ParseConstraint(sub.Constraint); err != nil {
			errs = append(errs, err)
		}
	case railyard.ImageDigest:
		if sub.Constraint == "" {
			errs = append(errs, errors.New("constraint (the tag to track) is required by the Digest strategy"))
		}
	case railyard.ImageLexical, railyard.ImageNewestBuild:
	default:
		errs = append(errs, fmt.Errorf("imageSelectionStrategy %q is not one of SemVer, Lexical, Digest, NewestBuild",
			sub.ImageSelectionStrategy))
	}
	if _, err := railyard.NewTagFilter(sub.AllowTagsRegexes, sub.IgnoreTagsRegexes); err != nil {
		errs = append(errs, err)
	}
	if _, err := parsePlatform(sub.Platform); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("image subscription %s: %w: %w", sub.RepoURL, railyard.ErrInvalid, errors.Join(errs...))
}

// listTags lists every tag of the repository (all pages).
func (cy *cycle) listTags(ctx context.Context) ([]string, error) {
	tags, err := cy.puller.List(ctx, cy.repo)
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s: %w", cy.sub.RepoURL, classifyList(err))
	}
	return tags, nil
}

// classifyList treats any 404 of a tag list as an unknown repository.
func classifyList(err error) error {
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return &classified{err, railyard.ErrNotFound}
	}
	return classify(err)
}

// ListTags lists the tags of an OCI repository with the Client's shared
// limiter, connections and credentials of the given kind (creds.KindImage or
// creds.KindHelm). repoURL may start with "oci://".
func (c *Client) ListTags(ctx context.Context, repoURL, kind string, insecureSkipTLSVerify bool) ([]string, error) {
	ref := strings.TrimPrefix(strings.TrimSpace(repoURL), "oci://")
	repo, err := name.NewRepository(ref, name.WeakValidation)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w: %w", repoURL, railyard.ErrInvalid, err)
	}
	p, err := c.puller(ctx, repo, kind, insecureSkipTLSVerify)
	if err != nil {
		return nil, err
	}
	cy := &cycle{c: c, repo: repo, puller: p, sub: railyard.ImageSubscription{RepoURL: repoURL}}
	return cy.listTags(ctx)
}
