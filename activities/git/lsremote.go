package git

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// listTimeout bounds one in-process ref listing: a ref advertisement is
// small, and a stalled server must not hold a discovery cycle.
const listTimeout = 2 * time.Minute

// ListsInProcess reports whether LsRemote lists url's refs in this process:
// http and https remotes. Others (ssh, file) run git ls-remote.
func ListsInProcess(url string) bool {
	return strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")
}

// listHTTP is LsRemote over smart HTTP without a git process: one request
// for the remote's ref advertisement. It is what every discovery cycle
// costs while nothing changed, so at a thousand Warehouses it replaces
// thousands of git and git-remote-http processes an hour.
func (c *Client) listHTTP(ctx context.Context, r Remote, patterns []string) ([]RemoteRef, string, error) {
	list, head, a, err := c.listSession(ctx, r, patterns)
	if a != nil {
		a.sess.Close()
	}
	return list, head, err
}

// listSession is listHTTP that keeps the session open for a fetch to
// follow on: the caller closes it. An empty remote has no refs and no
// session.
func (c *Client) listSession(ctx context.Context, r Remote, patterns []string) ([]RemoteRef, string, *advertisement, error) {
	a, err := c.advertise(ctx, r)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, "", nil, nil // as git ls-remote: no refs
	}
	if err != nil {
		return nil, "", nil, err
	}
	list, head := selectRefs(a.refs, patterns)
	return list, head, a, nil
}

// basicAuth is the remote's git credentials as HTTP basic authentication,
// nil when there are none, and the secret to redact from errors.
func (c *Client) basicAuth(ctx context.Context, r Remote) (transport.AuthMethod, string, error) {
	src := c.Creds
	if r.Creds != nil {
		src = r.Creds
	}
	if src == nil {
		return nil, "", nil
	}
	cr, ok, err := src.Lookup(ctx, creds.KindGit, r.URL)
	if err != nil {
		return nil, "", fmt.Errorf("looking up credentials for %s: %w", Redact(r.URL), err)
	}
	if !ok || (cr.Username == "" && cr.Password == "") {
		return nil, "", nil
	}
	return &githttp.BasicAuth{Username: cr.Username, Password: cr.Password}, cr.Password, nil
}

// listError classifies a failed listing as git's are (CommandError), its
// text redacted.
func listError(ctx context.Context, err error, secret string) *CommandError {
	e := &CommandError{Args: []string{"ls-remote"}, Stderr: redactSecret(Redact(err.Error()), secret)}
	switch {
	case ctx.Err() != nil:
		e.Err = ctx.Err()
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		e.Kind = railyard.ErrUnauthenticated
	case errors.Is(err, transport.ErrRepositoryNotFound):
		e.Kind = railyard.ErrNotFound
	default:
		e.Kind = classify(strings.ToLower(err.Error()))
	}
	return e
}

// selectRefs keeps the refs matching patterns, as git ls-remote --symref
// prints them: an annotated tag once, with the commit it points to; HEAD
// with the commit of the branch it points to, whose name is returned.
func selectRefs(refs []*plumbing.Reference, patterns []string) ([]RemoteRef, string) {
	hashes := map[string]string{}
	for _, ref := range refs {
		if ref.Type() == plumbing.HashReference {
			hashes[ref.Name().String()] = ref.Hash().String()
		}
	}
	var out []RemoteRef
	head := ""
	for _, ref := range refs {
		name := ref.Name().String()
		if _, peeled := strings.CutSuffix(name, "^{}"); peeled || !matchesAny(name, patterns) {
			continue
		}
		id := hashes[name]
		if ref.Type() == plumbing.SymbolicReference {
			target := ref.Target().String()
			if name == "HEAD" {
				head = strings.TrimPrefix(target, "refs/heads/")
			}
			if id = hashes[target]; id == "" {
				continue
			}
		}
		if p, ok := hashes[name+"^{}"]; ok {
			id = p
		}
		out = append(out, RemoteRef{Name: name, ID: id})
	}
	return out, head
}

// matchesAny applies LsRemote's patterns: a ref name, or a prefix ending
// in "*". No pattern matches everything.
func matchesAny(name string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(name, prefix) || name == p {
			return true
		}
	}
	return len(patterns) == 0
}
