package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/railyard/railyard"
)

// RenderRunners returns the steps that edit and render manifests:
// kustomize-set-image, kustomize-build, helm-template and helm-update-chart.
func RenderRunners() []Runner {
	return []Runner{
		KustomizeSetImage{},
		KustomizeBuild{},
		HelmTemplate{},
		HelmUpdateChart{},
	}
}

// renderPath resolves rel, a path from a step's configuration, inside
// workDir. Absolute paths and paths that climb out are rejected; symbolic
// links are resolved as if workDir were the file system root, so they
// cannot lead out either. Errors are terminal: retrying cannot fix them.
func renderPath(workDir, field, rel string) (string, error) {
	if rel == "" {
		return "", Terminal(fmt.Errorf("%s is required: %w", field, railyard.ErrInvalid))
	}
	clean := filepath.Clean(filepath.FromSlash(rel))
	if !filepath.IsLocal(clean) && clean != "." {
		return "", Terminal(fmt.Errorf("%s %q leaves the working directory: %w", field, rel, railyard.ErrInvalid))
	}
	abs, err := securejoin.SecureJoin(workDir, clean)
	if err != nil {
		return "", Terminal(fmt.Errorf("%s %q: %w", field, rel, err))
	}
	return abs, nil
}

// renderIsYAMLFile reports whether an output path names a file rather than
// a directory, as Kargo decides: by a .yaml or .yml extension.
func renderIsYAMLFile(p string) bool {
	ext := filepath.Ext(p)
	return ext == ".yaml" || ext == ".yml"
}

// renderWithin reports whether p is root or lies beneath it.
func renderWithin(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// renderRealPath resolves symbolic links in p; a path that does not exist
// yet is resolved through its nearest existing parent.
func renderRealPath(p string) string {
	p = filepath.Clean(p)
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	dir, base := filepath.Split(p)
	dir = filepath.Clean(dir)
	if dir == p {
		return p
	}
	return filepath.Join(renderRealPath(dir), base)
}

// renderWriteFile writes data to path, creating its directory.
func renderWriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// renderSafeFileName rejects a generated file name that is not a plain name
// (rendered resources are untrusted input and name their own files).
func renderSafeFileName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || !filepath.IsLocal(name) {
		return fmt.Errorf("resource would be written to unsafe file name %q: %w", name, railyard.ErrInvalid)
	}
	return nil
}
