package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// securePath resolves p (relative to workDir, or absolute inside it) and
// refuses paths that leave workDir, also through symbolic links of the
// existing part of the path. Errors are terminal.
func securePath(workDir, p string) (string, error) {
	if p == "" {
		return "", Terminal(errors.New("path must not be empty"))
	}
	root, err := filepath.Abs(workDir)
	if err != nil {
		return "", Terminal(fmt.Errorf("work dir %s: %w", workDir, err))
	}
	full := p
	if !filepath.IsAbs(p) {
		full = filepath.Join(root, p)
	}
	full = filepath.Clean(full)
	if !within(root, full) {
		return "", Terminal(fmt.Errorf("path %q is outside the working directory", p))
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", Terminal(fmt.Errorf("work dir %s: %w", workDir, err))
	}
	if real, ok := existingPrefix(full); ok && !within(realRoot, real) && !within(root, real) {
		return "", Terminal(fmt.Errorf("path %q leaves the working directory through a symbolic link", p))
	}
	return full, nil
}

func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// existingPrefix resolves symbolic links in the longest existing prefix of p
// and re-appends the rest.
func existingPrefix(p string) (string, bool) {
	rest := ""
	for cur := p; ; {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest), true
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", false
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// relPath renders full relative to workDir for messages.
func relPath(workDir, full string) string {
	if r, err := filepath.Rel(workDir, full); err == nil {
		return r
	}
	return full
}

func exists(p string) (bool, error) {
	_, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// writeFileAtomic writes data to p through a temporary file in the same
// directory, creating parent directories.
func writeFileAtomic(p string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".railyard-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// fileMode returns p's permissions, or def when p does not exist.
func fileMode(p string, def fs.FileMode) fs.FileMode {
	if st, err := os.Stat(p); err == nil {
		return st.Mode().Perm()
	}
	return def
}

// inOutPaths resolves a step's inPath and outPath inside the workspace.
func inOutPaths(sc *Context, step, inPath, outPath string) (in, out string, err error) {
	if in, err = securePath(sc.WorkDir, inPath); err != nil {
		return "", "", fmt.Errorf("%s inPath: %w", step, err)
	}
	if out, err = securePath(sc.WorkDir, outPath); err != nil {
		return "", "", fmt.Errorf("%s outPath: %w", step, err)
	}
	return in, out, nil
}
