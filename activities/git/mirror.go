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
	"sync/atomic"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// Remote names a remote repository and how to reach it.
type Remote struct {
	URL      string
	Insecure bool         // skip TLS verification
	Creds    creds.Source // overrides the client's credentials when set
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

// AllRefs are the refspecs that mirror every branch and tag.
var AllRefs = []string{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// SyncMirror brings the mirror of r up to date with the remote refs named by
// refspecs (AllRefs when none), transferring only objects the mirror lacks,
// and returns its directory. Callers hold Lock(r.URL).
func (c *Client) SyncMirror(ctx context.Context, r Remote, refspecs ...string) (string, error) {
	dir, err := c.ensureMirror(ctx, r.URL)
	if err != nil {
		return "", err
	}
	if len(refspecs) == 0 {
		refspecs = AllRefs
	}
	args := []string{"fetch", "--quiet", "--prune", "--no-tags", "--no-write-fetch-head", "--no-auto-maintenance", "--", r.URL}
	_, err = c.Run(ctx, Cmd{Dir: dir, Remote: r.URL, Insecure: r.Insecure, Creds: r.Creds, Args: append(args, refspecs...)})
	if err != nil {
		return "", fmt.Errorf("fetching %s: %w", Redact(r.URL), err)
	}
	c.maintain(ctx, dir)
	return dir, nil
}

// maintainEvery is how many fetches into a mirror (and pushes recorded in
// it) pass between two checks of its upkeep. Every fetch would spawn one
// more git process on the promotion's path; the check itself is cheap, and
// the repacking it starts is due only after thousands of new objects.
const maintainEvery = 32

// maintain runs git's automatic upkeep (packing loose objects, never
// pruning) on the mirror at dir every maintainEvery fetches. A failure
// leaves the mirror as usable as before, so it is not reported.
func (c *Client) maintain(ctx context.Context, dir string) {
	v, _ := c.fetches.LoadOrStore(dir, new(atomic.Int64))
	if v.(*atomic.Int64).Add(1)%maintainEvery != 0 {
		return
	}
	_, _ = c.Git(ctx, dir, "maintenance", "run", "--auto", "--quiet")
}

// HasMirror reports whether repoURL's mirror exists on this worker, so that
// a clone can borrow from it while it is being brought up to date.
func (c *Client) HasMirror(repoURL string) bool {
	_, err := os.Stat(filepath.Join(c.MirrorDir(repoURL), "HEAD"))
	return err == nil
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

// defaultBranchTTL is how long a remote's default branch is remembered.
// Resolving it needs the full ref advertisement; following a known branch
// needs only that branch's.
const defaultBranchTTL = 10 * time.Minute

type defaultBranch struct {
	name string
	at   time.Time
}

// DefaultBranch returns the branch the remote's HEAD points to, from memory
// when it was resolved less than defaultBranchTTL ago. head is the branch's
// commit when it was just resolved, else "".
func (c *Client) DefaultBranch(ctx context.Context, r Remote) (name, head string, err error) {
	key := c.MirrorDir(r.URL)
	if v, ok := c.heads.Load(key); ok && time.Since(v.(defaultBranch).at) < defaultBranchTTL {
		return v.(defaultBranch).name, "", nil
	}
	refs, name, err := c.LsRemote(ctx, r, "HEAD")
	if err != nil {
		return "", "", err
	}
	if name == "" || len(refs) == 0 {
		return "", "", fmt.Errorf("fetching %s: no default branch: %w", Redact(r.URL), railyard.ErrNotFound)
	}
	c.heads.Store(key, defaultBranch{name: name, at: time.Now()})
	return name, refs[0].ID, nil
}

// RemoteRef is one line of `git ls-remote`.
type RemoteRef struct {
	Name string // refs/heads/main, refs/tags/v1, HEAD
	ID   string // peeled to the commit for annotated tags
}

// LsRemote lists the remote's refs matching patterns. Annotated tags are
// reported once, with the commit they point to. For "HEAD" it also returns
// the branch HEAD points to. http(s) remotes are listed in this process
// (listHTTP), others with git ls-remote.
func (c *Client) LsRemote(ctx context.Context, r Remote, patterns ...string) ([]RemoteRef, string, error) {
	if ListsInProcess(r.URL) {
		return c.listHTTP(ctx, r, patterns)
	}
	args := []string{"ls-remote", "--symref"}
	switch {
	case len(patterns) == 1 && strings.HasPrefix(patterns[0], "refs/heads/"):
		args = append(args, "--heads") // limits the advertisement to branches
	case len(patterns) == 1 && strings.HasPrefix(patterns[0], "refs/tags/"):
		args = append(args, "--tags")
	}
	args = append(append(args, "--", r.URL), patterns...)
	out, err := c.Run(ctx, Cmd{Remote: r.URL, Insecure: r.Insecure, Creds: r.Creds, Args: args})
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
