package steps

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

// readBody loads bodyFromFile (a file of the working directory) into the
// body; body and bodyFromFile exclude each other.
func (c *httpConfig) readBody(sc *Context) error {
	if c.BodyFromFile == "" {
		return nil
	}
	if c.Body != "" {
		return Terminal(errors.New("http config: set body or bodyFromFile, not both"))
	}
	p, err := securePath(sc.WorkDir, c.BodyFromFile)
	if err != nil {
		return fmt.Errorf("http bodyFromFile: %w", err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return Terminal(fmt.Errorf("http bodyFromFile: %w", err))
	}
	c.Body = string(b)
	return nil
}

// clientFor is client with the request going through proxy (an http(s)
// URL) when one is set.
func (h HTTP) clientFor(insecure bool, proxy string) (*http.Client, error) {
	c := h.client(insecure)
	if proxy == "" {
		return c, nil
	}
	u, err := url.Parse(proxy)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, Terminal(fmt.Errorf("proxy %q is not an http(s) URL", proxy))
	}
	base, ok := c.Transport.(*http.Transport)
	if c.Transport == nil {
		base, ok = http.DefaultTransport.(*http.Transport)
	}
	if !ok {
		return nil, Terminal(errors.New("proxy cannot be set on this worker's HTTP transport"))
	}
	t := base.Clone()
	t.Proxy = http.ProxyURL(u)
	out := *c
	out.Transport = t
	return &out, nil
}
