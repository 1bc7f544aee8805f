package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// DefaultDownloadTimeout is http-download's timeout, as in Kargo.
const DefaultDownloadTimeout = 5 * time.Minute

// maxDownload bounds what http-download writes.
const maxDownload = 1 << 30

// HTTPDownload is the `http-download` step: it GETs url and writes the body
// to outPath. An existing file is an error unless allowOverwrite is set. A
// 4xx status is terminal; a 5xx status or a transport error is retried.
type HTTPDownload struct {
	Client *http.Client // nil: a default client
}

type httpDownloadConfig struct {
	URL                   string      `json:"url"`
	OutPath               string      `json:"outPath"`
	AllowOverwrite        bool        `json:"allowOverwrite,omitempty"`
	Headers               []nameValue `json:"headers,omitempty"`
	QueryParams           []nameValue `json:"queryParams,omitempty"`
	InsecureSkipTLSVerify bool        `json:"insecureSkipTLSVerify,omitempty"`
	Timeout               string      `json:"timeout,omitempty"`
}

// Name implements Runner.
func (HTTPDownload) Name() string { return "http-download" }

// Run implements Runner.
func (h HTTPDownload) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c httpDownloadConfig
	if err := DecodeConfig("http-download", raw, &c); err != nil {
		return Result{}, err
	}
	timeout := DefaultDownloadTimeout
	if c.Timeout != "" {
		d, err := time.ParseDuration(c.Timeout)
		if err != nil || d <= 0 {
			return Result{}, Terminal(fmt.Errorf("http-download config: timeout %q is not a positive duration", c.Timeout))
		}
		timeout = d
	}
	if c.URL == "" {
		return Result{}, Terminal(errors.New("http-download config: url is required"))
	}
	out, err := securePath(sc.WorkDir, c.OutPath)
	if err != nil {
		return Result{}, fmt.Errorf("http-download outPath: %w", err)
	}
	if ok, err := exists(out); err != nil {
		return Result{}, fmt.Errorf("http-download: %w", err)
	} else if ok && !c.AllowOverwrite {
		return Result{}, Terminal(fmt.Errorf("http-download: %s already exists (set allowOverwrite to replace it)", c.OutPath))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := h.download(ctx, c, out); err != nil {
		return Result{}, fmt.Errorf("http-download %s: %w", c.URL, err)
	}
	return Succeeded(nil), nil
}

func (h HTTPDownload) download(ctx context.Context, c httpDownloadConfig, out string) error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return Terminal(fmt.Errorf("not an http(s) URL"))
	}
	q := u.Query()
	for _, p := range c.QueryParams {
		q.Add(p.Name, p.Value)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Terminal(err)
	}
	for _, hd := range c.Headers {
		req.Header.Add(hd.Name, hd.Value)
	}
	res, err := HTTP{Client: h.Client}.client(c.InsecureSkipTLSVerify).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests:
		return Terminal(fmt.Errorf("status %d", res.StatusCode))
	case res.StatusCode < 200 || res.StatusCode > 299:
		return fmt.Errorf("status %d", res.StatusCode)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".railyard-download-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(res.Body, maxDownload+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return err
	case n > maxDownload:
		return Terminal(fmt.Errorf("the body is larger than %d bytes", maxDownload))
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
