package git

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// advertisement is an http(s) remote's ref advertisement, read in this
// process, with the session that read it: a fetch can follow on the same
// session without asking for the advertisement again.
type advertisement struct {
	url    string
	sess   transport.UploadPackSession
	adv    *packp.AdvRefs
	refs   []*plumbing.Reference // every ref, then every annotated tag's commit as <name>^{}
	secret string                // to redact from errors
}

// advertise reads r's ref advertisement: one request, within listTimeout.
// The caller closes the session.
func (c *Client) advertise(ctx context.Context, r Remote) (*advertisement, error) {
	auth, secret, err := c.basicAuth(ctx, r)
	if err != nil {
		return nil, err
	}
	ep, cl, err := transportFor(r)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", Redact(r.URL), err)
	}
	sess, err := cl.NewUploadPackSession(ep, auth)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", Redact(r.URL), listError(ctx, err, secret))
	}
	a := &advertisement{url: r.URL, sess: sess, secret: secret}
	lctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	if a.adv, err = sess.AdvertisedReferencesContext(lctx); err != nil {
		sess.Close()
		if errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return nil, err
		}
		return nil, fmt.Errorf("fetching %s: %w", Redact(r.URL), listError(lctx, err, secret))
	}
	all, err := a.adv.AllReferences()
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("fetching %s: %w", Redact(r.URL), err)
	}
	for _, ref := range all {
		a.refs = append(a.refs, ref)
	}
	for name, id := range a.adv.Peeled {
		a.refs = append(a.refs, plumbing.NewReferenceFromStrings(name+"^{}", id.String()))
	}
	return a, nil
}

// fetchInto brings commit into the mirror at dir as branch over the
// advertisement's session: one request, whose pack git index-pack stores.
// The mirror's newest branch tips (at most maxHaves) are the haves, so only
// new objects come. A server that refuses the commit (no longer a tip it
// advertises) is an error: the caller fetches with git instead.
func (c *Client) fetchInto(ctx context.Context, a *advertisement, dir, branch, commit string) error {
	out, err := c.Git(ctx, dir, "for-each-ref", "--sort=-committerdate", "--format=%(objectname)", "refs/heads/")
	if err != nil {
		return err
	}
	if tips := strings.Fields(out); !slices.Contains(tips, commit) {
		if err := c.receivePack(ctx, a, dir, commit, tips[:min(len(tips), maxHaves)]); err != nil {
			return err
		}
	}
	_, err = c.Git(ctx, dir, "update-ref", "refs/heads/"+branch, commit)
	return err
}

// maxHaves bounds the haves of one in-process fetch. It is sent in one
// request, without git's rounds of negotiation, so a mirror of thousands of
// branches would otherwise send them all; the newest tips are the likeliest
// to be near the commit wanted.
const maxHaves = 256

// transportFor is r's endpoint, with its TLS setting, and the transport
// that serves it.
func transportFor(r Remote) (*transport.Endpoint, transport.Transport, error) {
	ep, err := transport.NewEndpoint(r.URL)
	if err != nil {
		return nil, nil, err
	}
	ep.InsecureSkipTLS = r.Insecure
	cl, err := client.NewClient(ep)
	return ep, cl, err
}

// receivePack asks for commit, having haves, and stores the pack that comes.
func (c *Client) receivePack(ctx context.Context, a *advertisement, dir, commit string, haves []string) error {
	req := packp.NewUploadPackRequestFromCapabilities(a.adv.Capabilities)
	if a.adv.Capabilities.Supports(capability.NoProgress) {
		if err := req.Capabilities.Set(capability.NoProgress); err != nil {
			return err
		}
	}
	req.Wants = []plumbing.Hash{plumbing.NewHash(commit)}
	for _, h := range haves {
		req.Haves = append(req.Haves, plumbing.NewHash(h))
	}
	resp, err := a.sess.UploadPack(ctx, req)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", Redact(a.url), listError(ctx, err, a.secret))
	}
	defer resp.Close()
	var pack io.Reader = resp
	switch {
	case req.Capabilities.Supports(capability.Sideband64k):
		pack = sideband.NewDemuxer(sideband.Sideband64k, resp)
	case req.Capabilities.Supports(capability.Sideband):
		pack = sideband.NewDemuxer(sideband.Sideband, resp)
	}
	return c.storePack(ctx, dir, pack, a.url)
}

// unpackLimit is git's fetch.unpackLimit: a pack of fewer objects is
// stored as loose objects, a larger one kept as a pack.
const unpackLimit = 100

// storePack stores the pack read from r in the repository at dir, as git
// fetch does: small packs unpacked, others indexed (their deltas on objects
// the repository holds completed).
func (c *Client) storePack(ctx context.Context, dir string, r io.Reader, url string) error {
	br := bufio.NewReader(r)
	args := []string{"index-pack", "--stdin", "--fix-thin"}
	if hdr, err := br.Peek(12); err == nil && string(hdr[:4]) == "PACK" && binary.BigEndian.Uint32(hdr[8:]) < unpackLimit {
		args = []string{"unpack-objects", "-q"}
	}
	if _, err := c.Run(ctx, Cmd{Dir: dir, Args: args, Stdin: br}); err != nil {
		return fmt.Errorf("storing the pack of %s: %w", Redact(url), err)
	}
	return nil
}
