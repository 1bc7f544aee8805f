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
// relevant refs still equal prev.ObservedRefs, prev is returned without
// fetching anything. Otherwise the repository's mirror is brought up to date
// (only new objects are transferred) and candidates are selected from it.
func (c *Client) Discover(ctx context.Context, sub railyard.GitSubscription, prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error) {
	sel, err := newSelector(sub)
	if err != nil {
		return railyard.SubscriptionResult{}, err
	}
	r := Remote{URL: sub.RepoURL, Insecure: sub.InsecureSkipTLSVerify}
	observed, branch, err := c.observe(ctx, r, sel)
	if err != nil {
		if errors.Is(err, railyard.ErrNotFound) {
			c.heads.Delete(c.MirrorDir(r.URL)) // the default branch may have moved
		}
		return railyard.SubscriptionResult{}, err
	}
	if reusable(prev, sub.RepoURL, observed) {
		return *prev, nil
	}
	unlock := c.Lock(r.URL)
	defer unlock()
	dir, err := c.SyncMirror(ctx, r, sel.refspecs(branch)...)
	if err != nil {
		return railyard.SubscriptionResult{}, err
	}
	res := railyard.SubscriptionResult{Kind: "git", RepoURL: sub.RepoURL}
	if sel.tags {
		res.Commits, res.ObservedRefs, err = c.selectTags(ctx, dir, sel)
	} else {
		res.Commits, res.ObservedRefs, err = c.selectBranch(ctx, dir, sel, branch)
	}
	if err != nil {
		return railyard.SubscriptionResult{}, fmt.Errorf("discovering in %s: %w", Redact(r.URL), err)
	}
	if len(res.Commits) == 0 {
		res.Error = sel.emptyReason(branch)
	}
	return res, nil
}

// observe lists the remote refs the subscription depends on, as
// ObservedRefs, and the branch NewestFromBranch follows.
func (c *Client) observe(ctx context.Context, r Remote, sel *selector) (*railyard.ObservedRefs, string, error) {
	if sel.tags {
		refs, _, err := c.LsRemote(ctx, r, "refs/tags/*")
		if err != nil {
			return nil, "", err
		}
		tags := map[string]string{}
		for _, ref := range refs {
			if name, ok := cutPrefix(ref.Name, "refs/tags/"); ok && sel.tagAllowed(name) {
				tags[name] = ref.ID
			}
		}
		return observedTags(tags), "", nil
	}
	branch := sel.sub.Branch
	if branch == "" {
		name, head, err := c.DefaultBranch(ctx, r)
		if err != nil || head != "" {
			return &railyard.ObservedRefs{BranchHead: head}, name, err
		}
		branch = name
	}
	refs, _, err := c.LsRemote(ctx, r, "refs/heads/"+branch)
	if err != nil {
		return nil, "", err
	}
	for _, ref := range refs {
		if ref.Name == "refs/heads/"+branch {
			return &railyard.ObservedRefs{BranchHead: ref.ID}, branch, nil
		}
	}
	return nil, "", fmt.Errorf("fetching %s: branch %q: %w", Redact(r.URL), branch, railyard.ErrNotFound)
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
