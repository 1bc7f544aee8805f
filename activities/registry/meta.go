package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/railyard/railyard"
)

// Annotations (or labels) that carry an image's build time.
const (
	annotationCreated   = "org.opencontainers.image.created"
	annotationBuildDate = "org.label-schema.build-date"
)

// meta is what discovery needs of one manifest, cached by digest: manifests
// are immutable, so an entry never goes stale.
type meta struct {
	digest      string
	annotations map[string]string
	created     time.Time
	index       bool       // an image index / manifest list
	platforms   []platform // the images of an index
	notImage    bool       // neither an image nor an index: never selected
}

// platform is one image of an index.
type platform struct {
	os, arch, variant string
	annotations       map[string]string // of the index's descriptor
}

// constraint is a subscription's os/arch[/variant].
type constraint struct{ os, arch, variant string }

func parsePlatform(s string) (*constraint, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("platform %q is not os/arch[/variant]: %w", s, railyard.ErrInvalid)
	}
	c := &constraint{os: parts[0], arch: parts[1]}
	if len(parts) == 3 {
		c.variant = parts[2]
	}
	return c, nil
}

// view is the image as a subscription sees it. Like Kargo, a platform
// constraint keeps only indexes listing that platform (a single image has no
// platform list and never matches); the digest stays the index's and the
// platform's descriptor annotations are merged over the index's.
func (m *meta) view(pc *constraint) (railyard.Image, bool) {
	if m.notImage {
		return railyard.Image{}, false
	}
	img := railyard.Image{Digest: m.digest, CreatedAt: m.created, Annotations: maps.Clone(m.annotations)}
	if pc == nil {
		return img, true
	}
	for _, p := range m.platforms {
		if p.os == pc.os && p.arch == pc.arch && p.variant == pc.variant {
			if len(p.annotations) > 0 && img.Annotations == nil {
				img.Annotations = map[string]string{}
			}
			maps.Copy(img.Annotations, p.annotations)
			return img, true
		}
	}
	return railyard.Image{}, false
}

// fetchMeta reads the metadata of a manifest by tag or digest: the manifest,
// then the config of an image or the images of an index (each cached).
func (cy *cycle) fetchMeta(ctx context.Context, ref name.Reference) (*meta, error) {
	desc, err := cy.puller.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	digest := desc.Digest.String()
	if m, ok := cy.c.metas.get(cy.key + "@" + digest); ok {
		return m, nil
	}
	m, err := cy.metaOf(ctx, desc)
	if err != nil {
		return nil, err
	}
	cy.c.metas.put(cy.key+"@"+digest, m)
	return m, nil
}

func (cy *cycle) metaOf(ctx context.Context, desc *remote.Descriptor) (*meta, error) {
	m := &meta{digest: desc.Digest.String()}
	switch desc.MediaType {
	case types.OCIImageIndex, types.DockerManifestList:
		return cy.indexMeta(ctx, m, desc)
	case types.OCIManifestSchema1, types.DockerManifestSchema2:
		return cy.imageMeta(m, desc)
	}
	m.notImage = true
	return m, nil
}

func (cy *cycle) imageMeta(m *meta, desc *remote.Descriptor) (*meta, error) {
	mf, err := v1.ParseManifest(strings.NewReader(string(desc.Manifest)))
	if err != nil {
		m.notImage = true
		return m, nil
	}
	m.annotations = mf.Annotations
	if !isImageConfig(mf.Config.MediaType) {
		m.notImage = true // a Helm chart, a signature …
		return m, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Created time.Time `json:"created"`
		Config  struct {
			Labels map[string]string `json:"Labels"`
		} `json:"config"`
	}
	_ = json.Unmarshal(raw, &cfg) // an unreadable config leaves created unset
	m.created = buildTime(cfg.Created, mf.Annotations, cfg.Config.Labels)
	return m, nil
}

func isImageConfig(mt types.MediaType) bool {
	return mt == "" || mt == types.DockerConfigJSON || mt == types.OCIConfigJSON
}

// indexMeta reads each platform image of an index (cached by digest) for
// the index's build time: the newest of its images, as in Kargo.
func (cy *cycle) indexMeta(ctx context.Context, m *meta, desc *remote.Descriptor) (*meta, error) {
	im, err := v1.ParseIndexManifest(strings.NewReader(string(desc.Manifest)))
	if err != nil {
		m.notImage = true
		return m, nil
	}
	m.index, m.annotations = true, im.Annotations
	var children []v1.Descriptor
	for _, d := range im.Manifests {
		p := d.Platform
		if p == nil || p.OS == "" || p.OS == "unknown" || p.Architecture == "" || p.Architecture == "unknown" {
			continue // attestations and the like
		}
		m.platforms = append(m.platforms, platform{os: p.OS, arch: p.Architecture, variant: p.Variant,
			annotations: d.Annotations})
		children = append(children, d)
	}
	created := make([]time.Time, len(children))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cy.c.concurrency())
	for i, d := range children {
		g.Go(func() error {
			child, err := cy.fetchMeta(gctx, cy.repo.Digest(d.Digest.String()))
			if err == nil {
				created[i] = child.created
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, t := range created {
		if t.After(m.created) {
			m.created = t
		}
	}
	if len(m.platforms) == 0 {
		m.notImage = true
	}
	return m, nil
}

// buildTime is the newest of the config's created time and the build-time
// annotations or labels that parse as RFC 3339.
func buildTime(created time.Time, sources ...map[string]string) time.Time {
	t := created
	for _, src := range sources {
		for _, k := range []string{annotationCreated, annotationBuildDate} {
			if v, ok := src[k]; ok {
				if p, err := time.Parse(time.RFC3339, v); err == nil && p.After(t) {
					t = p
				}
			}
		}
	}
	return t.UTC()
}
