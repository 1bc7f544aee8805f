// Package webhook serves a project's webhook receivers (Kargo's
// ProjectConfig.spec.webhookReceivers) on the worker. A request is matched
// by its URL path, derived as Kargo derives it from the project, the
// receiver's name and its Secret; it is then authenticated as its provider
// signs it, decoded, and every Warehouse of that project subscribed to the
// repository it names is refreshed. A pull request event instead wakes the
// project's promotions waiting on that pull request. Nothing else changes.
//
// The server keeps no state of its own beyond caches: the projects, their
// receivers and Warehouses come from a Directory (the Project workflows),
// the receivers' Secrets from a SecretStore (the worker's credentials), and
// a refresh is a Refresher call (the Pipeline's refresh signal, idempotent
// and coalesced), so several workers can serve the same receivers.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/railyard/railyard"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Directory lists the applied resources of every project.
type Directory interface {
	Projects(ctx context.Context) ([]railyard.Resources, error)
}

// SecretStore resolves a receiver's secretRef in its project.
type SecretStore interface {
	ReceiverSecret(project, name string) (map[string]string, error)
}

// Refresher asks one Warehouse to discover now.
type Refresher interface {
	Refresh(ctx context.Context, project, warehouse string) error
}

// Server is an http.Handler serving every project's receivers.
type Server struct {
	Directory Directory
	Secrets   SecretStore
	Refresher Refresher
	// Waker wakes promotions waiting on a pull request a forge reports on;
	// nil: pull request events are acknowledged and do nothing.
	Waker  Waker
	Logger *slog.Logger
	// BaseURL is where senders reach the server; it only prefixes the URLs
	// Statuses reports.
	BaseURL string
	// CacheTTL bounds how long the receivers and subscriptions read from
	// the Directory are used (default 5s). An unknown path rebuilds the
	// cache at most every MinRebuild (default 1s).
	CacheTTL, MinRebuild time.Duration
	// Coalesce is the shortest time between two refreshes of one
	// Warehouse; events in between are folded into one trailing refresh
	// (default 500ms).
	Coalesce time.Duration
	// ReplayWindow is how long delivery IDs are remembered (default 1h).
	ReplayWindow time.Duration

	mu      sync.Mutex
	idx     *index
	builtAt time.Time
	replays replays
	coal    coalescer
	stats   Stats
}

// Stats counts what the server did.
type Stats struct {
	Accepted, Rejected, Refreshes, Wakes atomic.Int64
}

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }

// rejection is a request refused with a status and a one-line reason.
type rejection struct {
	status int
	reason string
}

func (r *rejection) Error() string { return r.reason }

func reject(status int, format string, args ...any) error {
	return &rejection{status: status, reason: fmt.Sprintf(format, args...)}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	ep, err := s.endpoint(r.Context(), r.URL.Path)
	if err == nil {
		var msg string
		msg, err = s.handle(r, ep)
		if err == nil {
			s.stats.Accepted.Add(1)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = fmt.Fprintln(w, msg)
			return
		}
	}
	s.stats.Rejected.Add(1)
	rej := &rejection{status: http.StatusInternalServerError, reason: "internal error"}
	if !errors.As(err, &rej) {
		s.logger().Error("webhook failed", "kind", kind, "error", err)
	}
	// The path may be the receiver's only credential: it is never logged.
	attrs := []any{"status", rej.status, "reason", rej.reason, "kind", kind, "remote", r.RemoteAddr}
	if ep != nil {
		attrs = append(attrs, "project", ep.project, "receiver", ep.receiver.Name)
	}
	s.logger().Warn("webhook rejected", attrs...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(rej.status)
	_, _ = fmt.Fprintln(w, rej.reason)
}

// handle authenticates and decodes a request for a known receiver and
// refreshes the Warehouses it concerns.
func (s *Server) handle(r *http.Request, ep *endpoint) (string, error) {
	if r.Method != http.MethodPost {
		return "", reject(http.StatusMethodNotAllowed, "method %s not allowed; receivers accept POST", r.Method)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return "", reject(http.StatusBadRequest, "reading request body: %v", err)
	}
	if len(body) > MaxBodyBytes {
		return "", reject(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", MaxBodyBytes)
	}
	ev, err := decode(ep, r, body)
	if err != nil {
		return "", err
	}
	if ev.delivery != "" && !s.replays.first(ep.path+"\x00"+ev.delivery, s.window(), time.Now()) {
		return "", reject(http.StatusConflict, "delivery %s was already received (replay)", ev.delivery)
	}
	if ev.note != "" {
		return ev.note, nil
	}
	if ev.pr.number != 0 {
		return s.wake(ep, ev)
	}
	targets := ev.warehouses
	if targets == nil {
		targets = ep.subscribed(ev.repoURLs)
	}
	for _, wh := range targets {
		s.refresh(ep.project, wh)
	}
	s.logger().Info("webhook accepted", "project", ep.project, "receiver", ep.receiver.Name,
		"kind", ep.kind, "repositories", ev.repoURLs, "refreshed", targets)
	return fmt.Sprintf("refreshing %d warehouse(s)", len(targets)), nil
}

func (s *Server) refresh(project, warehouse string) {
	s.coal.do(project+"/"+warehouse, s.coalesceWindow(), func() {
		s.stats.Refreshes.Add(1)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Refresher.Refresh(ctx, project, warehouse); err != nil {
			s.logger().Error("refreshing warehouse", "project", project, "warehouse", warehouse, "error", err)
		}
	})
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *Server) window() time.Duration         { return orDefault(s.ReplayWindow, time.Hour) }
func (s *Server) coalesceWindow() time.Duration { return orDefault(s.Coalesce, 500*time.Millisecond) }

// Close stops pending trailing refreshes.
func (s *Server) Close() { s.coal.stop() }
