package registry

import (
	"errors"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/railyard/railyard"
)

// classified keeps a registry error's message and adds a sentinel to its
// chain, so that callers can test it with errors.Is without a second wrap.
type classified struct {
	err      error
	sentinel error
}

func (c *classified) Error() string   { return c.err.Error() }
func (c *classified) Unwrap() []error { return []error{c.err, c.sentinel} }

// classify attaches railyard.ErrUnauthenticated to 401/403 and
// railyard.ErrNotFound to an unknown repository. Other errors are returned
// unchanged (retryable).
func classify(err error) error {
	var te *transport.Error
	if err == nil || !errors.As(err, &te) {
		return err
	}
	switch {
	case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden:
		return &classified{err, railyard.ErrUnauthenticated}
	case hasCode(te, transport.NameUnknownErrorCode):
		return &classified{err, railyard.ErrNotFound}
	}
	return err
}

// isManifestUnknown reports a missing tag or digest in an existing repository
// (a HEAD 404 has no body and counts as missing too).
func isManifestUnknown(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != http.StatusNotFound {
		return false
	}
	return !hasCode(te, transport.NameUnknownErrorCode)
}

func hasCode(te *transport.Error, code transport.ErrorCode) bool {
	for _, d := range te.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}
