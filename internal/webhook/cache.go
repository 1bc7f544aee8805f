package webhook

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/railyard/railyard"
)

// endpoint is one served receiver.
type endpoint struct {
	project    string
	kind       string
	path       string
	receiver   railyard.WebhookReceiver
	secret     string // the value of the kind's secret key
	warehouses []railyard.Warehouse
}

// subscribed lists the Warehouses subscribed to one of the normalized
// repository URLs.
func (ep *endpoint) subscribed(urls []string) []string {
	var out []string
	for _, w := range ep.warehouses {
		if w.Spec.SubscribesToAny(urls) {
			out = append(out, w.Name)
		}
	}
	return out
}

// index maps receiver paths to endpoints and keeps each receiver's status.
type index struct {
	byPath   map[string]*endpoint
	statuses map[string][]railyard.WebhookReceiverStatus // project → receivers
}

// build reads every project's receivers and resolves their Secrets.
func (s *Server) build(ctx context.Context) (*index, error) {
	projects, err := s.Directory.Projects(ctx)
	switch {
	case err != nil && len(projects) == 0:
		return nil, fmt.Errorf("listing projects: %w", err)
	case err != nil:
		s.logger().Warn("reading some projects' receivers", "error", err)
	}
	idx := &index{byPath: map[string]*endpoint{}, statuses: map[string][]railyard.WebhookReceiverStatus{}}
	for _, p := range projects {
		idx.statuses[p.Project] = []railyard.WebhookReceiverStatus{}
		for _, rc := range p.Config.WebhookReceivers {
			st := railyard.WebhookReceiverStatus{Name: rc.Name, Kind: rc.Kind()}
			ep, err := s.resolve(p, rc)
			if err != nil {
				st.Error = err.Error()
			} else {
				st.Path, st.URL = ep.path, railyard.WebhookReceiverURL(s.BaseURL, ep.path)
				idx.byPath[ep.path] = ep
			}
			idx.statuses[p.Project] = append(idx.statuses[p.Project], st)
		}
	}
	return idx, nil
}

func (s *Server) resolve(p railyard.Resources, rc railyard.WebhookReceiver) (*endpoint, error) {
	kind := rc.Kind()
	if kind == "" {
		return nil, fmt.Errorf("receiver %s has no single kind", rc.Name)
	}
	if s.Secrets == nil {
		return nil, fmt.Errorf("secret %q: the worker has no Kargo Secrets directory (--credentials DIR)", rc.SecretName())
	}
	data, err := s.Secrets.ReceiverSecret(p.Project, rc.SecretName())
	if err != nil {
		return nil, err
	}
	key := railyard.ReceiverSecretKey(kind)
	value, ok := data[key]
	if !ok || value == "" {
		return nil, fmt.Errorf("secret %q has no %q key, which a %s receiver needs", rc.SecretName(), key, kind)
	}
	return &endpoint{project: p.Project, kind: kind, receiver: rc, secret: value,
		path:       railyard.WebhookReceiverPath(p.Project, kind, rc.Name, value),
		warehouses: slices.Clone(p.Warehouses)}, nil
}

// current returns the index, rebuilt when older than CacheTTL, or when
// stale is set and it is older than MinRebuild.
func (s *Server) current(ctx context.Context, stale bool) (*index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	age := time.Since(s.builtAt)
	if s.idx != nil && age < orDefault(s.CacheTTL, 5*time.Second) &&
		(!stale || age < orDefault(s.MinRebuild, time.Second)) {
		return s.idx, nil
	}
	idx, err := s.build(ctx)
	if err != nil {
		if s.idx != nil {
			s.logger().Error("reading webhook receivers; using the previous ones", "error", err)
			return s.idx, nil
		}
		return nil, err
	}
	s.idx, s.builtAt = idx, time.Now()
	return idx, nil
}

// endpoint finds the receiver at path. An unknown path never says whether
// the project it might belong to exists.
func (s *Server) endpoint(ctx context.Context, path string) (*endpoint, error) {
	idx, err := s.current(ctx, false)
	if err != nil {
		return nil, reject(http.StatusServiceUnavailable, "receivers are not available yet")
	}
	if ep := idx.byPath[path]; ep != nil {
		return ep, nil
	}
	if idx, err = s.current(ctx, true); err == nil {
		if ep := idx.byPath[path]; ep != nil {
			return ep, nil
		}
	}
	return nil, reject(http.StatusNotFound, "no receiver at this path")
}

// Statuses reports every project's receivers (an empty list for a project
// without any): kind, path and URL, or why one cannot be served. Secrets
// are never part of it.
func (s *Server) Statuses(ctx context.Context) (map[string][]railyard.WebhookReceiverStatus, error) {
	idx, err := s.current(ctx, true)
	if err != nil {
		return nil, err
	}
	return idx.statuses, nil
}
