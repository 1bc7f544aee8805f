package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Copy is the `copy` step: a file or a directory tree from inPath to
// outPath, skipping paths matched by `ignore` (gitignore-like) and .git.
type Copy struct{}

type copyConfig struct {
	InPath  string `json:"inPath"`
	OutPath string `json:"outPath"`
	Ignore  string `json:"ignore,omitempty"`
}

// Name implements Runner.
func (Copy) Name() string { return "copy" }

// Run implements Runner.
func (Copy) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c copyConfig
	if err := DecodeConfig("copy", raw, &c); err != nil {
		return Result{}, err
	}
	in, out, err := inOutPaths(sc, "copy", c.InPath, c.OutPath)
	if err != nil {
		return Result{}, err
	}
	st, err := os.Stat(in)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("copy: %w", err))
	}
	rules := append(parseIgnore(".git\n"), parseIgnore(c.Ignore)...)
	if !st.IsDir() {
		err = copyFile(in, out)
	} else {
		err = copyTree(in, out, rules)
	}
	if err != nil {
		return Result{}, fmt.Errorf("copy %s to %s: %w", c.InPath, c.OutPath, err)
	}
	return Succeeded(nil), nil
}

func copyTree(in, out string, rules ignoreList) error {
	return filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(in, p)
		if rel != "." && rules.ignored(filepath.ToSlash(rel), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		dst := filepath.Join(out, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			return copyLink(p, dst)
		}
		return copyFile(p, dst)
	})
}

func copyLink(src, dst string) error {
	target, err := os.Readlink(src)
	if err != nil {
		return err
	}
	_ = os.Remove(dst)
	return os.Symlink(target, dst)
}

func copyFile(src, dst string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := os.Open(src)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// Delete is the `delete` step: removes path or paths (globs when
// pathsAreGlobs). With strict, a path or glob that matches nothing fails.
type Delete struct{}

type deleteConfig struct {
	Path          string   `json:"path,omitempty"`
	Paths         []string `json:"paths,omitempty"`
	PathsAreGlobs bool     `json:"pathsAreGlobs,omitempty"`
	Strict        bool     `json:"strict,omitempty"`
}

// Name implements Runner.
func (Delete) Name() string { return "delete" }

// Run implements Runner.
func (Delete) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c deleteConfig
	if err := DecodeConfig("delete", raw, &c); err != nil {
		return Result{}, err
	}
	paths := c.Paths
	if c.Path != "" {
		paths = append([]string{c.Path}, paths...)
	}
	if len(paths) == 0 {
		return Result{}, Terminal(errors.New("delete config: path or paths is required"))
	}
	for _, p := range paths {
		if err := deleteOne(sc.WorkDir, p, c.PathsAreGlobs, c.Strict); err != nil {
			return Result{}, fmt.Errorf("delete %s: %w", p, err)
		}
	}
	return Succeeded(nil), nil
}

func deleteOne(workDir, p string, glob, strict bool) error {
	full, err := securePath(workDir, p)
	if err != nil {
		return err
	}
	root, _ := filepath.Abs(workDir)
	matches := []string{full}
	if glob {
		if matches, err = filepath.Glob(full); err != nil {
			return Terminal(err)
		}
	} else if ok, err := exists(full); err != nil || !ok {
		matches = nil
	}
	if len(matches) == 0 && strict {
		return Terminal(errors.New("no such file or directory"))
	}
	for _, m := range matches {
		if _, err := securePath(workDir, m); err != nil || filepath.Clean(m) == root {
			return Terminal(fmt.Errorf("refusing to delete %s", relPath(root, m)))
		}
		if err := os.RemoveAll(m); err != nil {
			return err
		}
	}
	return nil
}

// FileWrite is the `file-write` step: writes contents to path.
type FileWrite struct{}

type fileWriteConfig struct {
	Path        string          `json:"path"`
	Contents    string          `json:"contents"`
	Permissions json.RawMessage `json:"permissions,omitempty"`
	Overwrite   *bool           `json:"overwrite,omitempty"`
}

// Name implements Runner.
func (FileWrite) Name() string { return "file-write" }

// Run implements Runner. An existing file is replaced unless overwrite is
// false, in which case writing different contents fails (identical contents
// succeed, so that a retried step is harmless).
func (FileWrite) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c fileWriteConfig
	if err := DecodeConfig("file-write", raw, &c); err != nil {
		return Result{}, err
	}
	full, err := securePath(sc.WorkDir, c.Path)
	if err != nil {
		return Result{}, fmt.Errorf("file-write path: %w", err)
	}
	perm, err := parsePermissions(c.Permissions, fileMode(full, 0o644))
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("file-write permissions: %w", err))
	}
	if c.Overwrite != nil && !*c.Overwrite {
		if old, err := os.ReadFile(full); err == nil && string(old) != c.Contents {
			return Result{}, Terminal(fmt.Errorf("file-write: %s exists; set overwrite: true to replace it", c.Path))
		}
	}
	if err := writeFileAtomic(full, []byte(c.Contents), perm); err != nil {
		return Result{}, fmt.Errorf("file-write %s: %w", c.Path, err)
	}
	return Succeeded(nil), nil
}

// parsePermissions reads an octal mode given as a string ("0644", "644") or
// as a number written in octal digits (644).
func parsePermissions(raw json.RawMessage, def fs.FileMode) (fs.FileMode, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return def, nil
	}
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("%s is not an octal file mode", raw)
	}
	return fs.FileMode(n), nil
}
