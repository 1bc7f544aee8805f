package git

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/railyard/railyard"
)

// Remote names a remote repository and how to reach it.
type Remote struct {
	URL      string
	Insecure bool // skip TLS verification
}

// MirrorDir returns the directory of repoURL's persistent bare mirror: a
// hash of the normalized URL under CacheDir.
func (c *Client) MirrorDir(repoURL string) string {
	sum := sha256.Sum256([]byte(railyard.NormalizeGitURL(repoURL)))
	return filepath.Join(c.cacheDir(), "repos", hex.EncodeToString(sum[:12]))
}

func (c *Client) cacheDir() string {
	_ = c.init()
	return c.CacheDir
}

// Lock serialises work on one repository's mirror (two warehouses or
// promotions on the same repository). It returns the unlock function.
func (c *Client) Lock(repoURL string) func() {
	m, _ := c.locks.LoadOrStore(c.MirrorDir(repoURL), &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// SyncMirror brings the mirror of r up to date with every branch and tag of
// the remote, transferring only objects the mirror lacks, and returns its
// directory. Callers hold Lock(r.URL).
func (c *Client) SyncMirror(ctx context.Context, r Remote) (string, error) {
	dir, err := c.ensureMirror(ctx, r.URL)
	if err != nil {
		return "", err
	}
	_, err = c.Run(ctx, Cmd{
		Dir:    dir,
		Remote: r.URL, Insecure: r.Insecure,
		Args: []string{"fetch", "--quiet", "--prune", "--no-tags", "--no-write-fetch-head",
			"--", r.URL, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"},
	})
	if err != nil {
		return "", fmt.Errorf("fetching %s: %w", Redact(r.URL), err)
	}
	return dir, nil
}

// ensureMirror creates the bare mirror when it does not exist yet. Objects
// are never pruned, so repositories borrowing them as alternates stay whole.
func (c *Client) ensureMirror(ctx context.Context, repoURL string) (string, error) {
	dir := c.MirrorDir(repoURL)
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		return dir, nil
	}
	tmp := dir + ".init"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("creating mirror of %s: %w", Redact(repoURL), err)
	}
	steps := [][]string{
		{"init", "--quiet", "--bare", tmp},
		{"-C", tmp, "config", "gc.pruneExpire", "never"},
		{"-C", tmp, "config", "gc.autoDetach", "false"},
		{"-C", tmp, "config", "railyard.url", Redact(repoURL)},
	}
	for _, args := range steps {
		if _, err := c.Git(ctx, "", args...); err != nil {
			return "", fmt.Errorf("creating mirror of %s: %w", Redact(repoURL), err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("creating mirror of %s: %w", Redact(repoURL), err)
	}
	return dir, nil
}

// RemoteRef is one line of `git ls-remote`.
type RemoteRef struct {
	Name string // refs/heads/main, refs/tags/v1, HEAD
	ID   string // peeled to the commit for annotated tags
}

// LsRemote lists the remote's refs matching patterns. Annotated tags are
// reported once, with the commit they point to. For "HEAD" it also returns
// the branch HEAD points to.
func (c *Client) LsRemote(ctx context.Context, r Remote, patterns ...string) ([]RemoteRef, string, error) {
	args := append([]string{"ls-remote", "--symref", "--", r.URL}, patterns...)
	out, err := c.Run(ctx, Cmd{Remote: r.URL, Insecure: r.Insecure, Args: args})
	if err != nil {
		return nil, "", fmt.Errorf("fetching %s: %w", Redact(r.URL), err)
	}
	refs, head := parseLsRemote(out)
	return refs, head, nil
}

func parseLsRemote(out string) ([]RemoteRef, string) {
	var refs []RemoteRef
	index := map[string]int{}
	head := ""
	for _, line := range strings.Split(out, "\n") {
		id, name, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		if strings.HasPrefix(id, "ref: ") {
			if name == "HEAD" {
				head = strings.TrimPrefix(strings.TrimPrefix(id, "ref: "), "refs/heads/")
			}
			continue
		}
		if base, peeled := strings.CutSuffix(name, "^{}"); peeled {
			if i, ok := index[base]; ok {
				refs[i].ID = id
			}
			continue
		}
		index[name] = len(refs)
		refs = append(refs, RemoteRef{Name: name, ID: id})
	}
	return refs, head
}
