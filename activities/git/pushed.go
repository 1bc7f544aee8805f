package git

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// RecordPush writes commit, just pushed to repoURL's branch, into the
// worker's mirror of repoURL as that branch. repo is the git directory of
// the step's repository, which borrows the mirror's objects: every object
// it holds of its own (the promotion's new commit and what it needs) is
// linked into the mirror, and one update-ref names it. The next clone then
// finds the mirror as the remote is and fetches nothing. It is a cache's
// update: a clone still compares the mirror with a fresh listing of the
// remote before it trusts it. A worker without the mirror records nothing.
func (c *Client) RecordPush(ctx context.Context, repoURL, repo, commit, branch string) error {
	if !c.HasMirror(repoURL) {
		return nil
	}
	unlock := c.Lock(repoURL)
	defer unlock()
	mirror := c.MirrorDir(repoURL)
	if err := linkObjects(filepath.Join(repo, "objects"), filepath.Join(mirror, "objects")); err != nil {
		return fmt.Errorf("recording %s of %s in its mirror: %w", branch, Redact(repoURL), err)
	}
	// update-ref refuses a commit whose object is missing.
	if _, err := c.Git(ctx, mirror, "update-ref", "refs/heads/"+branch, commit); err != nil {
		return fmt.Errorf("recording %s of %s in its mirror: %w", branch, Redact(repoURL), err)
	}
	c.maintain(ctx, mirror)
	return nil
}

// linkObjects adds the loose objects and packs of the object directory src
// to dst, hard-linked where they share a file system (objects never change,
// so a link is a copy). A pack's index goes last: git finds packs by it.
func linkObjects(src, dst string) error {
	dirs, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		if err := linkDir(filepath.Join(src, d.Name()), filepath.Join(dst, d.Name()), nil); err != nil {
			return err
		}
	}
	isIndex := func(name string) bool { return strings.HasSuffix(name, ".idx") }
	notIndex := func(name string) bool { return !isIndex(name) }
	for _, keep := range []func(string) bool{notIndex, isIndex} {
		err := linkDir(filepath.Join(src, "pack"), filepath.Join(dst, "pack"), keep)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// linkDir links the files of src that keep accepts (all when nil) into dst,
// skipping those dst has.
func linkDir(src, dst string, keep func(string) bool) error {
	files, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		name := f.Name()
		if f.IsDir() || keep != nil && !keep(name) || strings.HasPrefix(name, "tmp") {
			continue
		}
		to := filepath.Join(dst, name)
		if _, err := os.Lstat(to); err == nil {
			continue
		}
		if err := linkFile(filepath.Join(src, name), to); err != nil {
			return err
		}
	}
	return nil
}

// linkFile hard-links from to to, or copies it (through a temporary file
// renamed into place) across file systems.
func linkFile(from, to string) error {
	if err := os.Link(from, to); err == nil || os.IsExist(err) {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), "tmp_obj_")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), to)
}
