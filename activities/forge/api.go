package forge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// Calls counts the API requests made by every Client of this process, for
// figures (requests per promotion).
var Calls atomic.Int64

// api sends JSON requests to one forge for one repository.
type api struct {
	http *http.Client
	tok  token
	repo string // the repository URL, redacted, for messages
	// auth sets the provider's authentication header on a request.
	auth func(r *http.Request, t token)
}

const maxBody = 4 << 20

// call sends a request with an optional JSON body and decodes a JSON answer
// into out (when non-nil). A status outside 2xx becomes an error wrapping
// one of the package's sentinel errors for statuses retrying cannot fix.
func (a *api) call(ctx context.Context, method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.auth != nil && a.tok.secret != "" {
		a.auth(req, a.tok)
	}
	Calls.Add(1)
	res, err := a.http.Do(req)
	if err != nil {
		return err // down or unreachable: retryable
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return err
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return a.statusError(res.StatusCode, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding the answer of %s %s: %w", method, req.URL.Path, err)
	}
	return nil
}

// StatusError is a forge's answer outside 2xx.
type StatusError struct {
	Repo    string
	Status  int
	Message string
	Kind    error // one of the package's sentinels, or nil: retryable
}

func (e *StatusError) Error() string {
	if e.Kind == nil {
		return fmt.Sprintf("%s answered %d: %s", e.Repo, e.Status, e.Message)
	}
	return fmt.Sprintf("%s: %v (%d): %s", e.Repo, e.Kind, e.Status, e.Message)
}

func (e *StatusError) Unwrap() error { return e.Kind }

// statusOf returns the HTTP status of a StatusError in err, or 0.
func statusOf(err error) int {
	var s *StatusError
	if errors.As(err, &s) {
		return s.Status
	}
	return 0
}

// statusError classifies an HTTP error status. 405, 406 and 409 are
// ErrNotMergeable here; providers refine them where the forge documents a
// conflict.
func (a *api) statusError(status int, body []byte) error {
	e := &StatusError{Repo: a.repo, Status: status, Message: forgeMessage(body)}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		if a.tok.secret == "" {
			e.Message = "no token for this repository in the worker's credentials; " + e.Message
		}
		e.Kind = ErrPermission
	case status == http.StatusNotFound:
		e.Kind = ErrNotFound
	case status == http.StatusMethodNotAllowed || status == http.StatusNotAcceptable || status == http.StatusConflict:
		e.Kind = ErrNotMergeable
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		e.Kind = ErrInvalid
	}
	return e
}

// conflict re-labels err as ErrConflict when its status is one of statuses.
func conflict(err error, statuses ...int) error {
	var s *StatusError
	if errors.As(err, &s) {
		for _, st := range statuses {
			if s.Status == st {
				c := *s
				c.Kind = ErrConflict
				return &c
			}
		}
	}
	return err
}

// forgeMessage extracts the human part of an error body.
func forgeMessage(body []byte) string {
	var v struct {
		Message any    `json:"message"`
		Error   any    `json:"error"`
		Errors  any    `json:"errors"`
		Desc    string `json:"error_description"`
	}
	if json.Unmarshal(body, &v) == nil {
		for _, m := range []any{v.Message, v.Error, v.Desc} {
			switch m := m.(type) {
			case string:
				if m != "" {
					return m
				}
			case map[string]any:
				if s, ok := m["message"].(string); ok && s != "" {
					return s
				}
				b, _ := json.Marshal(m)
				return string(b)
			case []any:
				b, _ := json.Marshal(m)
				return string(b)
			}
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		s = "no details"
	}
	return s
}

func bearer(r *http.Request, t token) { r.Header.Set("Authorization", "Bearer "+t.secret) }

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}
