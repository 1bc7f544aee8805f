// Package registry discovers container images in OCI registries for image
// subscriptions, with Kargo's selection strategies (SemVer, Lexical, Digest,
// NewestBuild) and a fraction of Kargo's registry traffic.
//
// # Cost of a cycle
//
// Tags are listed (one request per page), filtered and ranked before any
// metadata is fetched. Metadata is cached in the Client by digest, the digest
// of every tag seen is remembered, and the previous cycle's result (passed to
// Discover) seeds both after a worker restart. A tag already known is
// therefore not fetched again; only new tags that reach the top of the
// ranking are (manifest GET + config GET).
//
// Tags are mutable. Kargo re-reads the manifest of every top tag on every
// cycle to notice a moved tag; Railyard re-checks only the best candidate,
// the one Freight is built from, with one HEAD request per cycle (RecheckTop
// widens this). A moved tag further down the list is noticed when it becomes
// the best candidate, or never with cacheByTag, which declares tags immutable
// and makes a quiet cycle cost the tag list alone.
//
// For SemVer, 10,000 tags and discoveryLimit 20, a quiet cycle costs the tag
// list and one HEAD; a cycle after one new best tag costs the tag list, its
// manifest and its config. NewestBuild must read the metadata of every tag
// once; afterwards only that of new tags.
package registry

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/time/rate"

	"github.com/railyard/railyard/activities/creds"
)

// Defaults of the Client's knobs.
const (
	DefaultRateLimit      = 20 // requests per second and registry host
	DefaultMaxConcurrency = 8
	DefaultCacheEntries   = 100_000
)

// Client discovers images. One Client serves every subscription of a worker:
// its rate limiters (one per registry host), connections and caches are
// shared. The zero value is ready to use; set fields before the first call.
type Client struct {
	// Creds supplies image credentials (kind "image"); Keychain answers when
	// Creds has none (nil: the Docker configuration, authn.DefaultKeychain).
	Creds    creds.Source
	Keychain authn.Keychain
	// RateLimit is requests per second per registry host (0: 20; < 0: none).
	RateLimit float64
	// MaxConcurrency bounds metadata fetches in flight per Discover (0: 8).
	MaxConcurrency int
	// RecheckTop is how many of the best candidates are re-checked with a
	// HEAD request each cycle to notice moved tags (0: 1; < 0: none).
	// cacheByTag subscriptions are never re-checked.
	RecheckTop int
	// CacheEntries bounds each of the tag and metadata caches (0: 100,000).
	CacheEntries int
	// Transport is the base HTTP transport (nil: remote.DefaultTransport).
	Transport http.RoundTripper

	once     sync.Once
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	pullers  map[string]*remote.Puller
	tags     *lru[string] // "<repo>:<tag>" → digest
	metas    *lru[*meta]  // "<repo>@<digest>" → metadata
}

func (c *Client) init() {
	c.once.Do(func() {
		n := c.CacheEntries
		if n <= 0 {
			n = DefaultCacheEntries
		}
		c.limiters = map[string]*rate.Limiter{}
		c.pullers = map[string]*remote.Puller{}
		c.tags = newLRU[string](n)
		c.metas = newLRU[*meta](n)
	})
}

func (c *Client) concurrency() int {
	if c.MaxConcurrency > 0 {
		return c.MaxConcurrency
	}
	return DefaultMaxConcurrency
}

func (c *Client) recheckTop() int {
	switch {
	case c.RecheckTop < 0:
		return 0
	case c.RecheckTop == 0:
		return 1
	}
	return c.RecheckTop
}

// limiter returns the shared limiter of a registry host, nil when unlimited.
func (c *Client) limiter(host string) *rate.Limiter {
	r := c.RateLimit
	if r < 0 {
		return nil
	}
	if r == 0 {
		r = DefaultRateLimit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.limiters[host]
	if !ok {
		l = rate.NewLimiter(rate.Limit(r), 1)
		c.limiters[host] = l
	}
	return l
}

// limited is the RoundTripper that waits for the host's limiter.
type limited struct {
	c    *Client
	base http.RoundTripper
}

func (l limited) RoundTrip(req *http.Request) (*http.Response, error) {
	if lim := l.c.limiter(req.URL.Host); lim != nil {
		if err := lim.Wait(req.Context()); err != nil {
			return nil, err
		}
	}
	return l.base.RoundTrip(req)
}

func (c *Client) baseTransport(insecureSkipTLSVerify bool) http.RoundTripper {
	base := c.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	if !insecureSkipTLSVerify {
		return base
	}
	t, ok := base.(*http.Transport)
	if !ok {
		return base // a custom transport decides TLS itself
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true // #nosec G402 -- the subscription asked for it
	return t
}

// puller returns a remote.Puller for repo, reused across cycles while the
// credentials stay the same, so that the registry is pinged and tokens are
// fetched once, not on every call.
func (c *Client) puller(ctx context.Context, repo name.Repository, kind string, insecure bool) (*remote.Puller, error) {
	c.init()
	kc := creds.Keychain(c.Creds, kind, c.Keychain)
	auth, err := authn.Resolve(ctx, kc, repo)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", repo, err)
	}
	cfg, err := authn.Authorization(ctx, auth)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", repo, err)
	}
	fp, _ := json.Marshal(cfg)
	sum := sha256.Sum256(fp)
	key := fmt.Sprintf("%s|%v|%s", repo.Name(), insecure, hex.EncodeToString(sum[:]))
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pullers[key]; ok {
		return p, nil
	}
	p, err := remote.NewPuller(
		remote.WithAuth(auth),
		remote.WithTransport(limited{c: c, base: c.baseTransport(insecure)}),
		remote.WithPageSize(0), // let the server page; ggcr follows Link headers
		remote.WithRetryBackoff(remote.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Steps: 2}),
		remote.WithUserAgent("railyard"),
	)
	if err != nil {
		return nil, fmt.Errorf("registry client for %s: %w", repo, err)
	}
	if len(c.pullers) > 10_000 {
		clear(c.pullers)
	}
	c.pullers[key] = p
	return p, nil
}
