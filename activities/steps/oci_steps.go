package steps

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/railyard/railyard/activities/creds"
)

// maxOCIDownload bounds what oci-download writes, as Kargo bounds it.
const maxOCIDownload = 100 << 20

// OCI is what the oci-* steps share: credentials come from the worker's
// store (kind "image", or "helm" for oci:// references) with the Docker
// configuration as fallback.
type OCI struct {
	Keychain  authn.Keychain    // fallback when the store has nothing (nil: Docker config)
	Transport http.RoundTripper // nil: remote.DefaultTransport
}

// ociRef parses a reference, with or without oci://, and names the
// credential kind it uses.
func ociRef(s string) (name.Reference, string, error) {
	kind := "image"
	if rest, ok := strings.CutPrefix(s, "oci://"); ok {
		s, kind = rest, "helm"
	}
	ref, err := name.ParseReference(s, name.WeakValidation)
	if err != nil {
		return nil, "", Terminal(err)
	}
	return ref, kind, nil
}

func (o OCI) options(ctx context.Context, sc *Context, kind string, insecure bool) []remote.Option {
	base := o.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	if t, ok := base.(*http.Transport); ok && insecure {
		t = t.Clone()
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the step
		base = t
	}
	src := sc.Creds
	if src == nil {
		src = creds.None{}
	}
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(creds.Keychain(src, kind, o.Keychain)),
		remote.WithTransport(base),
		remote.WithUserAgent("railyard"),
	}
}

// OCIDownload is the `oci-download` step: it writes one layer of an OCI
// artifact (the first, or the first of mediaType) to outPath, as stored
// (a Helm chart layer is the chart's .tgz).
type OCIDownload struct{ OCI }

type ociDownloadConfig struct {
	ImageRef              string `json:"imageRef"`
	OutPath               string `json:"outPath"`
	AllowOverwrite        bool   `json:"allowOverwrite,omitempty"`
	MediaType             string `json:"mediaType,omitempty"`
	InsecureSkipTLSVerify bool   `json:"insecureSkipTLSVerify,omitempty"`
}

// Name implements Runner.
func (OCIDownload) Name() string { return "oci-download" }

// Run implements Runner.
func (d OCIDownload) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c ociDownloadConfig
	if err := DecodeConfig("oci-download", raw, &c); err != nil {
		return Result{}, err
	}
	ref, kind, err := ociRef(c.ImageRef)
	if err != nil {
		return Result{}, fmt.Errorf("oci-download imageRef: %w", err)
	}
	out, err := securePath(sc.WorkDir, c.OutPath)
	if err != nil {
		return Result{}, fmt.Errorf("oci-download outPath: %w", err)
	}
	if ok, err := exists(out); err != nil {
		return Result{}, fmt.Errorf("oci-download: %w", err)
	} else if ok && !c.AllowOverwrite {
		return Result{}, Terminal(fmt.Errorf("oci-download: %s already exists (set allowOverwrite to replace it)", c.OutPath))
	}
	img, err := remote.Image(ref, d.options(ctx, sc, kind, c.InsecureSkipTLSVerify)...)
	if err != nil {
		return Result{}, fmt.Errorf("oci-download %s: %w", c.ImageRef, err)
	}
	layer, err := pickLayer(img, c.MediaType)
	if err != nil {
		return Result{}, fmt.Errorf("oci-download %s: %w", c.ImageRef, err)
	}
	if err := writeLayer(layer, out); err != nil {
		return Result{}, fmt.Errorf("oci-download %s: %w", c.ImageRef, err)
	}
	return Succeeded(nil), nil
}

func pickLayer(img v1.Image, mediaType string) (v1.Layer, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		mt, err := l.MediaType()
		if err != nil {
			return nil, err
		}
		if mediaType == "" || string(mt) == mediaType {
			return l, nil
		}
	}
	if mediaType == "" {
		return nil, Terminal(errors.New("the artifact has no layers"))
	}
	return nil, Terminal(fmt.Errorf("no layer has media type %s", mediaType))
}

func writeLayer(l v1.Layer, out string) error {
	if size, err := l.Size(); err == nil && size > maxOCIDownload {
		return Terminal(fmt.Errorf("the layer is larger than %d bytes", maxOCIDownload))
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".railyard-oci-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(rc, maxOCIDownload+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return err
	case n > maxOCIDownload:
		return Terminal(fmt.Errorf("the layer is larger than %d bytes", maxOCIDownload))
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}

// OCIPush is the `oci-push` step: it copies srcRef (an image, a chart or a
// whole multi-arch index) to destRef, adding annotations ("index:KEY" on
// the index, "manifest:KEY" or "KEY" on every image manifest). Outputs:
// image (destRef), digest and tag.
type OCIPush struct{ OCI }

type ociPushConfig struct {
	SrcRef                string            `json:"srcRef"`
	DestRef               string            `json:"destRef"`
	Annotations           map[string]string `json:"annotations,omitempty"`
	InsecureSkipTLSVerify bool              `json:"insecureSkipTLSVerify,omitempty"`
}

// Name implements Runner.
func (OCIPush) Name() string { return "oci-push" }

// Run implements Runner.
func (p OCIPush) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c ociPushConfig
	if err := DecodeConfig("oci-push", raw, &c); err != nil {
		return Result{}, err
	}
	src, srcKind, err := ociRef(c.SrcRef)
	if err != nil {
		return Result{}, fmt.Errorf("oci-push srcRef: %w", err)
	}
	dstRef, dstKind, err := ociRef(c.DestRef)
	if err != nil {
		return Result{}, fmt.Errorf("oci-push destRef: %w", err)
	}
	dst, ok := dstRef.(name.Tag)
	if !ok {
		return Result{}, Terminal(fmt.Errorf("oci-push destRef %s must have a tag", c.DestRef))
	}
	indexAnn, manifestAnn := splitAnnotations(c.Annotations)
	desc, err := remote.Get(src, p.options(ctx, sc, srcKind, c.InsecureSkipTLSVerify)...)
	if err != nil {
		return Result{}, fmt.Errorf("oci-push %s: %w", c.SrcRef, err)
	}
	wopts := p.options(ctx, sc, dstKind, c.InsecureSkipTLSVerify)
	var digest v1.Hash
	if desc.MediaType.IsIndex() {
		digest, err = pushIndex(desc, dst, indexAnn, manifestAnn, wopts)
	} else {
		digest, err = pushImage(desc, dst, manifestAnn, wopts)
	}
	if err != nil {
		return Result{}, fmt.Errorf("oci-push %s to %s: %w", c.SrcRef, c.DestRef, err)
	}
	return Succeeded(map[string]any{
		"image": strings.TrimPrefix(c.DestRef, "oci://"), "digest": digest.String(), "tag": dst.TagStr(),
	}), nil
}

func splitAnnotations(all map[string]string) (index, manifest map[string]string) {
	index, manifest = map[string]string{}, map[string]string{}
	for k, v := range all {
		switch {
		case strings.HasPrefix(k, "index:"):
			index[strings.TrimPrefix(k, "index:")] = v
		default:
			manifest[strings.TrimPrefix(k, "manifest:")] = v
		}
	}
	return index, manifest
}

func pushImage(desc *remote.Descriptor, dst name.Tag, ann map[string]string, opts []remote.Option) (v1.Hash, error) {
	img, err := desc.Image()
	if err != nil {
		return v1.Hash{}, err
	}
	if len(ann) > 0 {
		img = mutate.Annotations(img, ann).(v1.Image)
	}
	if err := remote.Write(dst, img, opts...); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}

func pushIndex(desc *remote.Descriptor, dst name.Tag, indexAnn, manifestAnn map[string]string, opts []remote.Option) (v1.Hash, error) {
	idx, err := desc.ImageIndex()
	if err != nil {
		return v1.Hash{}, err
	}
	if len(manifestAnn) > 0 {
		if idx, err = annotateChildren(idx, manifestAnn); err != nil {
			return v1.Hash{}, err
		}
	}
	if len(indexAnn) > 0 {
		idx = mutate.Annotations(idx, indexAnn).(v1.ImageIndex)
	}
	if err := remote.WriteIndex(dst, idx, opts...); err != nil {
		return v1.Hash{}, err
	}
	return idx.Digest()
}

// annotateChildren rebuilds an index whose image manifests carry ann.
func annotateChildren(idx v1.ImageIndex, ann map[string]string) (v1.ImageIndex, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := mutate.IndexMediaType(empty.Index, im.MediaType)
	if len(im.Annotations) > 0 {
		out = mutate.Annotations(out, im.Annotations).(v1.ImageIndex)
	}
	for _, d := range im.Manifests {
		add := mutate.IndexAddendum{Descriptor: v1.Descriptor{Platform: d.Platform, Annotations: d.Annotations, MediaType: d.MediaType}}
		switch {
		case d.MediaType.IsImage():
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, err
			}
			add.Add = mutate.Annotations(img, ann).(v1.Image)
		default:
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			add.Add = child
		}
		out = mutate.AppendManifests(out, add)
	}
	return out, nil
}
