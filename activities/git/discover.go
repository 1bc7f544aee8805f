package git

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"unicode/utf8"

	"github.com/railyard/railyard"
)

// maxObservedTags bounds the refs remembered between cycles; beyond it every
// cycle fetches (which still transfers only new objects).
const maxObservedTags = 1000

// maxSubject is the longest commit subject kept, in characters.
const maxSubject = 80

// Discover finds the candidate commits of a git subscription, best first,
// with Kargo's semantics for every commit selection strategy and filter.
//
// prev is the previous cycle's result for the same subscription with the
// same configuration (nil when the configuration changed). When the remote's
// relevant refs still equal prev.ObservedRefs, prev is returned unchanged.
//
// A cycle lists the remote's refs first (in this process for http(s)
// remotes, so a cycle that finds nothing new starts no git process), and
// fetches into the mirror only when they moved; the fetch transfers only new
// objects.
func (c *Client) Discover(ctx context.Context, sub railyard.GitSubscription, prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error) {
	sel, err := newSelector(sub)
	if err != nil {
		return railyard.SubscriptionResult{}, err
	}
	r := Remote{URL: sub.RepoURL, Insecure: sub.InsecureSkipTLSVerify}
	if !sel.tags {
		return c.discoverBranch(ctx, r, sel, prev)
	}
	observed, err := c.observeTags(ctx, r, sel)
	if err != nil {
		return railyard.SubscriptionResult{}, err
	}
	if reusable(prev, sub.RepoURL, observed) {
		return *prev, nil
	}
	unlock := c.Lock(r.URL)
	defer unlock()
	dir, err := c.SyncMirror(ctx, r, sel.refspecs("")...)
	if err != nil {
		return railyard.SubscriptionResult{}, err
	}
	return c.selectFrom(ctx, dir, sel, "", "")
}

// discoverBranch fetches the followed branch into the mirror and selects
// from it, or returns prev when the branch's head has not moved.
func (c *Client) discoverBranch(ctx context.Context, r Remote, sel *selector, prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error) {
	branch, head := sel.sub.Branch, ""
	if branch == "" {
		// Resolving the default branch lists the remote; its head then
		// needs no second listing.
		name, known, err := c.DefaultBranch(ctx, r)
		if err != nil {
			return railyard.SubscriptionResult{}, err
		}
		branch, head = name, known
	}
	var adv *advertisement
	if head == "" {
		var err error
		if head, adv, err = c.branchHead(ctx, r, branch); err != nil {
			return railyard.SubscriptionResult{}, err
		}
	}
	if adv != nil {
		defer adv.sess.Close()
	}
	if reusable(prev, sel.sub.RepoURL, &railyard.ObservedRefs{BranchHead: head}) {
		return *prev, nil
	}
	unlock := c.Lock(r.URL)
	defer unlock()
	dir, err := c.fetchHead(ctx, r, sel, branch, &head, adv)
	if err != nil {
		return railyard.SubscriptionResult{}, err
	}
	return c.selectFrom(ctx, dir, sel, branch, head)
}

// fetchHead brings branch into the mirror at head, the commit the listing
// saw. A warm mirror of an http(s) remote asks for it on the listing's own
// session: one request. Otherwise git fetches the commit by its name, which
// spares protocol v2 the listing of refs. A server that refuses it
// (protocol v0, the branch moved since) gets the branch by name, and head
// becomes what that brought.
func (c *Client) fetchHead(ctx context.Context, r Remote, sel *selector, branch string, head *string, adv *advertisement) (string, error) {
	if adv != nil && c.HasMirror(r.URL) {
		dir := c.MirrorDir(r.URL)
		if err := c.fetchInto(ctx, adv, dir, branch, *head); err == nil {
			c.maintain(ctx, dir)
			return dir, nil
		}
	}
	if dir, err := c.SyncMirror(ctx, r, "+"+*head+":refs/heads/"+branch); err == nil {
		return dir, nil
	}
	dir, err := c.SyncMirror(ctx, r, sel.refspecs(branch)...)
	if err != nil {
		return "", err
	}
	if *head, err = c.Git(ctx, dir, "rev-parse", "--verify", "refs/heads/"+branch+"^{commit}"); err != nil {
		return "", fmt.Errorf("discovering in %s: %w", Redact(r.URL), err)
	}
	return dir, nil
}

// selectFrom selects the candidates from the freshly fetched mirror dir:
// tags, or the history of branch from its head.
func (c *Client) selectFrom(ctx context.Context, dir string, sel *selector, branch, head string) (railyard.SubscriptionResult, error) {
	var err error
	res := railyard.SubscriptionResult{Kind: "git", RepoURL: sel.sub.RepoURL}
	if sel.tags {
		res.Commits, res.ObservedRefs, err = c.selectTags(ctx, dir, sel)
	} else {
		res.Commits, res.ObservedRefs, err = c.selectBranch(ctx, dir, sel, branch, head)
	}
	if err != nil {
		return railyard.SubscriptionResult{}, fmt.Errorf("discovering in %s: %w", Redact(sel.sub.RepoURL), err)
	}
	if len(res.Commits) == 0 {
		res.Error = sel.emptyReason(branch)
	}
	return res, nil
}

// branchHead lists the remote's branch and returns its commit, with the
// advertisement a fetch can follow on for an http(s) remote (nil for
// others; the caller closes its session).
func (c *Client) branchHead(ctx context.Context, r Remote, branch string) (string, *advertisement, error) {
	name := "refs/heads/" + branch
	var refs []RemoteRef
	var adv *advertisement
	var err error
	if ListsInProcess(r.URL) {
		refs, _, adv, err = c.listSession(ctx, r, []string{name})
	} else {
		refs, _, err = c.LsRemote(ctx, r, name)
	}
	if err != nil {
		if errors.Is(err, railyard.ErrNotFound) {
			c.heads.Delete(c.MirrorDir(r.URL)) // the default branch may have moved
		}
		return "", nil, err
	}
	for _, ref := range refs {
		if ref.Name == name {
			return ref.ID, adv, nil
		}
	}
	if adv != nil {
		adv.sess.Close()
	}
	c.heads.Delete(c.MirrorDir(r.URL))
	return "", nil, fmt.Errorf("fetching %s: branch %q: %w", Redact(r.URL), branch, railyard.ErrNotFound)
}

// observeTags lists the remote's tags the subscription allows.
func (c *Client) observeTags(ctx context.Context, r Remote, sel *selector) (*railyard.ObservedRefs, error) {
	refs, _, err := c.LsRemote(ctx, r, "refs/tags/*")
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, ref := range refs {
		if name, ok := cutPrefix(ref.Name, "refs/tags/"); ok && sel.tagAllowed(name) {
			tags[name] = ref.ID
		}
	}
	return observedTags(tags), nil
}

// refspecs are the refs a subscription's cycle fetches into the mirror.
func (sel *selector) refspecs(branch string) []string {
	if sel.tags {
		return []string{"+refs/tags/*:refs/tags/*"}
	}
	return []string{"+refs/heads/" + branch + ":refs/heads/" + branch}
}

func observedTags(tags map[string]string) *railyard.ObservedRefs {
	if len(tags) > maxObservedTags {
		return nil
	}
	return &railyard.ObservedRefs{Tags: tags}
}

func reusable(prev *railyard.SubscriptionResult, repoURL string, now *railyard.ObservedRefs) bool {
	if prev == nil || prev.ObservedRefs == nil || now == nil || prev.RepoURL != repoURL {
		return false
	}
	p := prev.ObservedRefs
	return p.BranchHead == now.BranchHead && len(p.Tags) == len(now.Tags) && maps.Equal(p.Tags, now.Tags)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || s[:len(prefix)] != prefix {
		return s, false
	}
	return s[len(prefix):], true
}

func shortSubject(s string) string {
	if utf8.RuneCountInString(s) <= maxSubject {
		return s
	}
	r := []rune(s)
	return string(r[:maxSubject-3]) + "..."
}
