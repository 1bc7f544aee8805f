package verify

import (
	"net/http"

	"golang.org/x/oauth2"

	"github.com/railyard/railyard"
)

// oauth2HTTPClient is the context key with which golang.org/x/oauth2 finds
// the HTTP client to fetch tokens with.
var oauth2HTTPClient = oauth2.HTTPClient

// headerTransport adds a metric's headers and basic authentication.
type headerTransport struct {
	base    http.RoundTripper
	headers []railyard.WebMetricHeader
	auth    *railyard.MetricAuthentication
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for _, h := range t.headers {
		req.Header.Set(h.Key, h.Value)
	}
	if t.auth != nil && t.auth.BasicAuth != nil {
		req.SetBasicAuth(t.auth.BasicAuth.Username, t.auth.BasicAuth.Password)
	}
	return t.base.RoundTrip(req)
}
