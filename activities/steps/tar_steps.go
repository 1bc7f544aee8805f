package steps

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Limits on what untar extracts, against archives that expand without end.
const (
	maxUntarTotal = 1 << 30
	maxUntarFile  = 512 << 20
)

// Tar is the `tar` step: it archives inPath (a directory's contents, or one
// file) into outPath, gzip-compressed when gzip is set. Archives are
// reproducible: entries in lexical order, with zero times and owners, so
// running the step again writes the same bytes.
type Tar struct{}

type tarConfig struct {
	InPath  string `json:"inPath"`
	OutPath string `json:"outPath"`
	Ignore  string `json:"ignore,omitempty"`
	Gzip    bool   `json:"gzip,omitempty"`
}

// Name implements Runner.
func (Tar) Name() string { return "tar" }

// Run implements Runner.
func (Tar) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c tarConfig
	if err := DecodeConfig("tar", raw, &c); err != nil {
		return Result{}, err
	}
	in, out, err := inOutPaths(sc, "tar", c.InPath, c.OutPath)
	if err != nil {
		return Result{}, err
	}
	if within(in, out) && in != out {
		return Result{}, Terminal(fmt.Errorf("tar: outPath %s is inside inPath %s", c.OutPath, c.InPath))
	}
	if _, err := os.Stat(in); err != nil {
		return Result{}, Terminal(fmt.Errorf("tar: %w", err))
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return Result{}, fmt.Errorf("tar: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".railyard-tar-*")
	if err != nil {
		return Result{}, fmt.Errorf("tar: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = writeTar(tmp, in, parseIgnore(c.Ignore), c.Gzip)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return Result{}, fmt.Errorf("tar %s to %s: %w", c.InPath, c.OutPath, err)
	}
	return Succeeded(nil), nil
}

func writeTar(w io.Writer, in string, rules ignoreList, gz bool) error {
	bw := bufio.NewWriter(w)
	var zw *gzip.Writer
	var dst io.Writer = bw
	if gz {
		zw = gzip.NewWriter(bw)
		dst = zw
	}
	tw := tar.NewWriter(dst)
	st, err := os.Stat(in)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		err = addTarEntry(tw, in, filepath.Base(in), st)
	} else {
		err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == in {
				return err
			}
			rel := filepath.ToSlash(must(filepath.Rel(in, p)))
			if rules.ignored(rel, d.IsDir()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			info, err := os.Lstat(p)
			if err != nil {
				return err
			}
			return addTarEntry(tw, p, rel, info)
		})
	}
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if zw != nil {
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	return err
}

func must(s string, _ error) string { return s }

func addTarEntry(tw *tar.Writer, p, name string, info fs.FileInfo) error {
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	h, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	h.Name = name
	if info.IsDir() {
		h.Name += "/"
	}
	h.ModTime, h.AccessTime, h.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	h.Format = tar.FormatPAX
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// Untar is the `untar` step: it extracts the tar archive inPath (gzip
// detected by its magic number) into outPath, replacing what was there.
// Only directories, regular files and symbolic links that stay inside
// outPath are extracted; stripComponents drops leading path parts (entries
// with no more parts are skipped).
type Untar struct{}

type untarConfig struct {
	InPath          string `json:"inPath"`
	OutPath         string `json:"outPath"`
	StripComponents int    `json:"stripComponents,omitempty"`
	Ignore          string `json:"ignore,omitempty"`
}

// Name implements Runner.
func (Untar) Name() string { return "untar" }

// Run implements Runner.
func (Untar) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c untarConfig
	if err := DecodeConfig("untar", raw, &c); err != nil {
		return Result{}, err
	}
	if c.StripComponents < 0 {
		return Result{}, Terminal(errors.New("untar config: stripComponents must not be negative"))
	}
	in, out, err := inOutPaths(sc, "untar", c.InPath, c.OutPath)
	if err != nil {
		return Result{}, err
	}
	root, _ := securePath(sc.WorkDir, ".")
	if out == root || within(out, in) {
		return Result{}, Terminal(fmt.Errorf("untar: outPath %s is replaced by the archive's content, so it must not be the working directory or hold inPath", c.OutPath))
	}
	f, err := os.Open(in)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("untar: %w", err))
	}
	defer f.Close()
	if err := os.RemoveAll(out); err != nil {
		return Result{}, fmt.Errorf("untar: %w", err)
	}
	if err := extractTar(f, out, c.StripComponents, parseIgnore(c.Ignore)); err != nil {
		return Result{}, Terminal(fmt.Errorf("untar %s: %w", c.InPath, err))
	}
	return Succeeded(nil), nil
}

func extractTar(r io.Reader, out string, strip int, rules ignoreList) error {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(r)
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name, ok := stripPath(h.Name, strip)
		if !ok || rules.ignored(name, h.Typeflag == tar.TypeDir) {
			continue
		}
		dst := filepath.Join(out, filepath.FromSlash(name))
		if !within(out, dst) {
			return fmt.Errorf("entry %q leaves the output directory", h.Name)
		}
		total += h.Size
		if h.Size > maxUntarFile || total > maxUntarTotal {
			return fmt.Errorf("entry %q: the archive expands beyond the size limit", h.Name)
		}
		if err := extractEntry(tr, h, out, dst); err != nil {
			return fmt.Errorf("entry %q: %w", h.Name, err)
		}
	}
}

// stripPath cleans an entry name and drops its first n parts.
func stripPath(name string, n int) (string, bool) {
	clean := path.Clean("/" + strings.TrimPrefix(name, "./"))
	parts := strings.Split(strings.Trim(clean, "/"), "/")
	if len(parts) <= n || parts[0] == "" {
		return "", false
	}
	return strings.Join(parts[n:], "/"), true
}

func extractEntry(tr *tar.Reader, h *tar.Header, out, dst string) error {
	switch h.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(dst, 0o755)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		w, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fs.FileMode(h.Mode).Perm()|0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, io.LimitReader(tr, maxUntarFile)); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	case tar.TypeSymlink:
		target := h.Linkname
		if filepath.IsAbs(target) || !within(out, filepath.Join(filepath.Dir(dst), target)) {
			return fmt.Errorf("symbolic link to %q leaves the output directory", target)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		_ = os.Remove(dst)
		return os.Symlink(target, dst)
	}
	return nil // hard links, devices and the like are skipped
}
