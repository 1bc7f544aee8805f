package charts

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// index is a classic repository's parsed index.yaml and its validators.
type index struct {
	etag, lastModified string
	versions           map[string][]string // chart name → versions
}

// classicVersions reads the versions of sub.Name from <repoURL>/index.yaml.
func (c *Client) classicVersions(ctx context.Context, sub railyard.ChartSubscription) ([]string, error) {
	u := strings.TrimSuffix(strings.TrimSpace(sub.RepoURL), "/") + "/index.yaml"
	idx, err := c.fetchIndex(ctx, sub, u)
	if err != nil {
		return nil, err
	}
	vs, ok := idx.versions[sub.Name]
	if !ok {
		return nil, fmt.Errorf("chart %s in %s: %w", sub.Name, sub.RepoURL, railyard.ErrNotFound)
	}
	return vs, nil
}

func (c *Client) fetchIndex(ctx context.Context, sub railyard.ChartSubscription, u string) (*index, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w: %w", sub.RepoURL, railyard.ErrInvalid, err)
	}
	if err := c.authorize(ctx, req, sub.RepoURL); err != nil {
		return nil, err
	}
	key := u
	c.mu.Lock()
	cached := c.indexes[key]
	c.mu.Unlock()
	if cached != nil {
		if cached.etag != "" {
			req.Header.Set("If-None-Match", cached.etag)
		}
		if cached.lastModified != "" {
			req.Header.Set("If-Modified-Since", cached.lastModified)
		}
	}
	resp, err := c.httpClient(sub.InsecureSkipTLSVerify).Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && cached != nil {
		return cached, nil
	}
	if err := statusError(resp); err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	idx, err := parseIndex(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", u, err)
	}
	idx.etag, idx.lastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if idx.etag != "" || idx.lastModified != "" {
		c.mu.Lock()
		if c.indexes == nil {
			c.indexes = map[string]*index{}
		}
		c.indexes[key] = idx
		c.mu.Unlock()
	}
	return idx, nil
}

// authorize adds basic auth from the helm credentials of repoURL; the
// credential source refuses plain http unless allowed.
func (c *Client) authorize(ctx context.Context, req *http.Request, repoURL string) error {
	if c.Creds == nil {
		return nil
	}
	cr, ok, err := c.Creds.Lookup(ctx, creds.KindHelm, repoURL)
	if err != nil {
		return err
	}
	if ok && (cr.Username != "" || cr.Password != "") {
		req.SetBasicAuth(cr.Username, cr.Password)
	}
	return nil
}

func (c *Client) httpClient(insecure bool) *http.Client {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if t, ok := base.(*http.Transport); ok && insecure {
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.InsecureSkipVerify = true // #nosec G402 -- the subscription asked for it
		base = t
	}
	return &http.Client{Transport: base, Timeout: 2 * time.Minute}
}

// statusError classifies a failed response: 401/403 → unauthenticated,
// 404 → not found, anything else retryable.
func statusError(resp *http.Response) error {
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%s: %w", resp.Status, railyard.ErrUnauthenticated)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %w", resp.Status, railyard.ErrNotFound)
	}
	return fmt.Errorf("unexpected status %s", resp.Status)
}

// parseIndex reads only what discovery needs of an index.yaml.
func parseIndex(r io.Reader) (*index, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Entries map[string][]struct {
			Version string `json:"version"`
		} `json:"entries"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	idx := &index{versions: make(map[string][]string, len(doc.Entries))}
	for name, entries := range doc.Entries {
		vs := make([]string, 0, len(entries))
		for _, e := range entries {
			vs = append(vs, e.Version)
		}
		idx.versions[name] = vs
	}
	return idx, nil
}
