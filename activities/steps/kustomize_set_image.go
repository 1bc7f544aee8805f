package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	kustypes "sigs.k8s.io/kustomize/api/types"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/railyard/railyard"
)

// kustomizePreserve as a newName, newTag or digest keeps the value already
// in the Kustomization, as `kustomize edit set image` does.
const kustomizePreserve = "*"

// KustomizeSetImage is the kustomize-set-image step: it sets images in a
// Kustomization's `images:` field, like `kustomize edit set image`.
type KustomizeSetImage struct{}

// KustomizeSetImageConfig is the step's configuration (Kargo's keys).
type KustomizeSetImageConfig struct {
	Path   string                   `json:"path"`
	Images []KustomizeImageSettings `json:"images,omitempty"`
}

// KustomizeImageSettings is one image to set.
type KustomizeImageSettings struct {
	Image   string `json:"image"`
	Tag     string `json:"tag,omitempty"`
	Digest  string `json:"digest,omitempty"`
	Name    string `json:"name,omitempty"`
	NewName string `json:"newName,omitempty"`
}

// Name implements Runner.
func (KustomizeSetImage) Name() string { return "kustomize-set-image" }

// Run implements Runner.
func (s KustomizeSetImage) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var cfg KustomizeSetImageConfig
	if err := DecodeConfig(s.Name(), raw, &cfg); err != nil {
		return Result{}, err
	}
	dir, err := renderPath(sc.WorkDir, "path", cfg.Path)
	if err != nil {
		return Result{}, err
	}
	file, err := kustomizationFile(dir, cfg.Path)
	if err != nil {
		return Result{}, err
	}
	targets, err := kustomizeTargets(sc, cfg.Images)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("kustomize-set-image: %w", err))
	}
	if err := kustomizeUpdateFile(file, targets); err != nil {
		return Result{}, fmt.Errorf("kustomize-set-image %s: %w", cfg.Path, err)
	}
	out := map[string]any{}
	if msg := kustomizeCommitMessage(cfg.Path, targets); msg != "" {
		out["commitMessage"] = msg
	}
	return Succeeded(out), nil
}

// kustomizationFile finds the one Kustomization file in dir.
func kustomizationFile(dir, rel string) (string, error) {
	var found []string
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return "", Terminal(fmt.Errorf("no Kustomization file in %q: %w", rel, railyard.ErrNotFound))
	case 1:
		return found[0], nil
	}
	return "", Terminal(fmt.Errorf("several Kustomization files in %q: %w", rel, railyard.ErrAmbiguous))
}

// kustomizeTargets returns the images to set, keyed by their name in the
// Kustomization: those configured, or else every image of the collection.
func kustomizeTargets(sc *Context, images []KustomizeImageSettings) (map[string]kustypes.Image, error) {
	if len(images) == 0 {
		return kustomizeCollectionImages(sc)
	}
	out := make(map[string]kustypes.Image, len(images))
	for i, img := range images {
		t, err := kustomizeConfiguredImage(sc, img)
		if err != nil {
			return nil, fmt.Errorf("images[%d]: %w", i, err)
		}
		out[t.Name] = t
	}
	return out, nil
}

func kustomizeConfiguredImage(sc *Context, img KustomizeImageSettings) (kustypes.Image, error) {
	if img.Image == "" {
		return kustypes.Image{}, fmt.Errorf("image is required: %w", railyard.ErrInvalid)
	}
	if img.Tag != "" && img.Digest != "" {
		return kustypes.Image{}, fmt.Errorf("tag and digest are mutually exclusive: %w", railyard.ErrInvalid)
	}
	t := kustypes.Image{Name: img.Image, NewName: img.NewName, NewTag: img.Tag, Digest: img.Digest}
	if img.Name != "" {
		t.Name = img.Name
	}
	if img.Tag == "" && img.Digest == "" && img.NewName == "" {
		found, err := kustomizeFreightImage(sc, img.Image)
		if err != nil {
			return kustypes.Image{}, err
		}
		t.NewTag = found.Tag
	}
	return t, nil
}

// kustomizeFreightImage finds the image of repo among the collection's
// Freight, for an image configured without tag or digest.
func kustomizeFreightImage(sc *Context, repo string) (railyard.Image, error) {
	want := railyard.NormalizeImageURL(repo)
	var found []railyard.Image
	for _, ref := range sc.Collection.Refs() {
		for _, img := range ref.Images {
			if railyard.NormalizeImageURL(img.RepoURL) == want {
				found = append(found, img)
			}
		}
	}
	switch len(found) {
	case 0:
		return railyard.Image{}, fmt.Errorf("no tag or digest given and no Freight carries image %q: %w", repo, railyard.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return railyard.Image{}, fmt.Errorf("several Freight carry image %q; set tag or digest explicitly: %w", repo, railyard.ErrAmbiguous)
}

// kustomizeCollectionImages returns every image of the collection; two
// Freight, or two requested Warehouses, with the same image repository make
// the choice ambiguous.
func kustomizeCollectionImages(sc *Context) (map[string]kustypes.Image, error) {
	if err := kustomizeAmbiguousSubscriptions(sc); err != nil {
		return nil, err
	}
	out := map[string]kustypes.Image{}
	owner := map[string]string{}
	for _, ref := range sc.Collection.Refs() {
		for _, img := range ref.Images {
			key := railyard.NormalizeImageURL(img.RepoURL)
			if prev, ok := owner[key]; ok && prev != ref.Origin.String() {
				return nil, fmt.Errorf("image %q is carried by Freight of %s and %s; configure images explicitly: %w",
					img.RepoURL, prev, ref.Origin.String(), railyard.ErrAmbiguous)
			}
			owner[key] = ref.Origin.String()
			out[img.RepoURL] = kustypes.Image{Name: img.RepoURL, NewTag: img.Tag, Digest: img.Digest}
		}
	}
	return out, nil
}

// kustomizeAmbiguousSubscriptions fails when two Warehouses whose Freight
// the collection holds subscribe to the same image repository.
func kustomizeAmbiguousSubscriptions(sc *Context) error {
	seen := map[string]string{}
	for _, w := range sc.Warehouses {
		if _, ok := sc.Collection.Get(railyard.WarehouseOrigin(w.Name)); !ok {
			continue
		}
		for _, sub := range w.Spec.Subscriptions {
			if sub.Image == nil {
				continue
			}
			key := railyard.NormalizeImageURL(sub.Image.RepoURL)
			if prev, ok := seen[key]; ok && prev != w.Name {
				return fmt.Errorf("warehouses %s and %s both subscribe to image %q; configure images explicitly: %w",
					prev, w.Name, sub.Image.RepoURL, railyard.ErrAmbiguous)
			}
			seen[key] = w.Name
		}
	}
	return nil
}

// kustomizeUpdateFile merges targets into the file's `images:` field,
// leaving the rest of the file (comments included) as it was.
func kustomizeUpdateFile(path string, targets map[string]kustypes.Image) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc, err := kyaml.Parse(string(b))
	if err != nil {
		return fmt.Errorf("parse %s: %w", filepath.Base(path), err)
	}
	var current []kustypes.Image
	if field := doc.Field("images"); field != nil && field.Value != nil {
		if err := field.Value.YNode().Decode(&current); err != nil {
			return fmt.Errorf("decode images: %w", err)
		}
	}
	var list kyaml.Node
	if err := list.Encode(kustomizeMerge(current, targets)); err != nil {
		return fmt.Errorf("encode images: %w", err)
	}
	if err := doc.PipeE(kyaml.SetField("images", kyaml.NewRNode(&list))); err != nil {
		return fmt.Errorf("set images: %w", err)
	}
	out, err := doc.String()
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

// kustomizeMerge overlays targets on the current images (a "*" keeps the
// current value) and returns them sorted by name.
func kustomizeMerge(current []kustypes.Image, targets map[string]kustypes.Image) []kustypes.Image {
	merged := make(map[string]kustypes.Image, len(current)+len(targets))
	for _, img := range current {
		merged[img.Name] = img
	}
	for name, t := range targets {
		old := merged[name]
		t.NewName = kustomizeKeep(t.NewName, old.NewName)
		t.NewTag = kustomizeKeep(t.NewTag, old.NewTag)
		t.Digest = kustomizeKeep(t.Digest, old.Digest)
		if t.TagSuffix == "" {
			t.TagSuffix = old.TagSuffix
		}
		merged[name] = t
	}
	out := make([]kustypes.Image, 0, len(merged))
	for _, img := range merged {
		out = append(out, img)
	}
	slices.SortFunc(out, func(a, b kustypes.Image) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func kustomizeKeep(value, old string) string {
	if value == kustomizePreserve {
		return old
	}
	return value
}

// kustomizeCommitMessage describes the change as Kargo does:
// "Updated <path> to use new image(s)" and one "- ref" line per image.
func kustomizeCommitMessage(path string, targets map[string]kustypes.Image) string {
	if len(targets) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Updated %s to use new image", path)
	if len(targets) > 1 {
		b.WriteString("s")
	}
	b.WriteString("\n")
	names := make([]string, 0, len(targets))
	for name := range targets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b.WriteString("\n- " + kustomizeImageRef(targets[name]))
	}
	return b.String()
}

func kustomizeImageRef(img kustypes.Image) string {
	ref := img.Name
	if img.NewName != "" && img.NewName != kustomizePreserve {
		ref = img.NewName
	}
	if img.NewTag != "" && img.NewTag != kustomizePreserve {
		ref += ":" + img.NewTag
	}
	if img.Digest != "" && img.Digest != kustomizePreserve {
		ref += "@" + img.Digest
	}
	return ref
}
