package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/railyard/railyard"
)

// kustomizeFS is the on-disk file system confined to the promotion's
// working directory (symbolic links included), plus virtual files: the
// Kustomization files rewritten for in-process Helm inflation and the
// manifests rendered from their charts.
type kustomizeFS struct {
	filesys.FileSystem
	root    string            // the working directory, symbolic links resolved
	virtual map[string][]byte // absolute path → content
}

func newKustomizeFS(workDir string) (*kustomizeFS, error) {
	root, err := filepath.EvalSymlinks(workDir)
	if err != nil {
		return nil, err
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	return &kustomizeFS{FileSystem: filesys.MakeFsOnDisk(), root: root, virtual: map[string][]byte{}}, nil
}

func (f *kustomizeFS) abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return a
}

// check fails for a path outside the working directory.
func (f *kustomizeFS) check(p string) error {
	if renderWithin(f.root, renderRealPath(f.abs(p))) {
		return nil
	}
	return fmt.Errorf("%s is outside the working directory: %w", p, railyard.ErrRejected)
}

func (f *kustomizeFS) lookup(p string) ([]byte, bool) {
	b, ok := f.virtual[renderRealPath(f.abs(p))]
	return b, ok
}

// setVirtual serves content at path p.
func (f *kustomizeFS) setVirtual(p string, content []byte) {
	f.virtual[renderRealPath(f.abs(p))] = content
}

// ReadFile implements filesys.FileSystem.
func (f *kustomizeFS) ReadFile(p string) ([]byte, error) {
	if b, ok := f.lookup(p); ok {
		return b, nil
	}
	if err := f.check(p); err != nil {
		return nil, err
	}
	return f.FileSystem.ReadFile(p)
}

// Open implements filesys.FileSystem.
func (f *kustomizeFS) Open(p string) (filesys.File, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	return f.FileSystem.Open(p)
}

// Exists implements filesys.FileSystem.
func (f *kustomizeFS) Exists(p string) bool {
	if _, ok := f.lookup(p); ok {
		return true
	}
	return f.check(p) == nil && f.FileSystem.Exists(p)
}

// IsDir implements filesys.FileSystem.
func (f *kustomizeFS) IsDir(p string) bool {
	return f.check(p) == nil && f.FileSystem.IsDir(p)
}

// ReadDir implements filesys.FileSystem.
func (f *kustomizeFS) ReadDir(p string) ([]string, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	return f.FileSystem.ReadDir(p)
}

// CleanedAbs implements filesys.FileSystem.
func (f *kustomizeFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if _, ok := f.lookup(p); ok {
		real := renderRealPath(f.abs(p))
		return filesys.ConfirmedDir(filepath.Dir(real)), filepath.Base(real), nil
	}
	if err := f.check(p); err != nil {
		return "", "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", "", err
	}
	return f.FileSystem.CleanedAbs(p)
}

// Glob implements filesys.FileSystem.
func (f *kustomizeFS) Glob(pattern string) ([]string, error) {
	matches, err := f.FileSystem.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if f.check(m) == nil {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Walk implements filesys.FileSystem.
func (f *kustomizeFS) Walk(p string, fn filepath.WalkFunc) error {
	if err := f.check(p); err != nil {
		return err
	}
	return f.FileSystem.Walk(p, fn)
}

// Create implements filesys.FileSystem.
func (f *kustomizeFS) Create(p string) (filesys.File, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	return f.FileSystem.Create(p)
}

// WriteFile implements filesys.FileSystem.
func (f *kustomizeFS) WriteFile(p string, data []byte) error {
	if err := f.check(p); err != nil {
		return err
	}
	return f.FileSystem.WriteFile(p, data)
}

// Mkdir implements filesys.FileSystem.
func (f *kustomizeFS) Mkdir(p string) error {
	if err := f.check(p); err != nil {
		return err
	}
	return f.FileSystem.Mkdir(p)
}

// MkdirAll implements filesys.FileSystem.
func (f *kustomizeFS) MkdirAll(p string) error {
	if err := f.check(p); err != nil {
		return err
	}
	return f.FileSystem.MkdirAll(p)
}

// RemoveAll implements filesys.FileSystem.
func (f *kustomizeFS) RemoveAll(p string) error {
	if err := f.check(p); err != nil {
		return err
	}
	return f.FileSystem.RemoveAll(p)
}
