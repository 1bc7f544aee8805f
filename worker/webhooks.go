package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/webhook"
	"github.com/railyard/railyard/workflows"
)

// temporalDirectory reads every running Project workflow's resources.
type temporalDirectory struct{ c client.Client }

// Projects implements webhook.Directory.
func (d temporalDirectory) Projects(ctx context.Context) ([]railyard.Resources, error) {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.ProjectWorkflowType)
	ids, err := listRunning(ctx, d.c, q)
	if err != nil {
		return nil, fmt.Errorf("listing Project workflows: %w", err)
	}
	out := make([]railyard.Resources, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			v, err := d.c.QueryWorkflow(ctx, id, "", workflows.QueryConfig)
			if err == nil {
				var r *railyard.Resources
				if err = v.Get(&r); err == nil && r != nil {
					out[i] = *r
				}
			}
			if err != nil {
				errs[i] = fmt.Errorf("querying project %s: %w", id, err)
			}
		})
	}
	wg.Wait()
	return slices.DeleteFunc(out, func(r railyard.Resources) bool { return r.Project == "" }), errors.Join(errs...)
}

// listRunning lists the IDs of the workflows matching a visibility query.
func listRunning(ctx context.Context, c client.Client, query string) ([]string, error) {
	var ids []string
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, e := range resp.Executions {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return ids, nil
		}
	}
}

// temporalRefresher sends the Pipeline's refresh signal.
type temporalRefresher struct{ c client.Client }

// Refresh implements webhook.Refresher.
func (r temporalRefresher) Refresh(ctx context.Context, project, warehouse string) error {
	id := railyard.PipelineWorkflowID(project, warehouse)
	if err := r.c.SignalWorkflow(ctx, id, "", workflows.SignalRefresh, nil); err != nil {
		return fmt.Errorf("signalling %s to %s: %w", workflows.SignalRefresh, id, err)
	}
	return nil
}

// startWebhooks serves the receivers on addr until ctx ends, and publishes
// their URLs to the Project workflows. It returns a function that stops
// the server.
func startWebhooks(ctx context.Context, c client.Client, o options, secrets webhook.SecretStore, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", o.WebhookAddr)
	if err != nil {
		return nil, fmt.Errorf("--webhook-addr %s: %w", o.WebhookAddr, err)
	}
	base := o.WebhookURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	s := &webhook.Server{Directory: temporalDirectory{c}, Secrets: secrets, Refresher: temporalRefresher{c}, Waker: temporalWaker{c},
		Logger: logger.With("component", "webhooks"), BaseURL: base}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		MaxHeaderBytes: 64 << 10}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("webhook server stopped", "error", err)
		}
	}()
	pctx, cancel := context.WithCancel(ctx)
	go publish(pctx, c, s, logger)
	logger.Info("webhook receivers served", "addr", ln.Addr().String(), "url", base)
	return func() {
		cancel()
		sctx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = hs.Shutdown(sctx)
		s.Close()
	}, nil
}

// publishEvery is how often receiver URLs are compared with what the
// Project workflows show.
const publishEvery = 10 * time.Second

// publish tells each Project workflow its receivers' URLs when they
// changed, so that `railyard get projects` shows them. Several workers
// publish the same values; a Project whose receivers are unchanged gets
// no signal.
func publish(ctx context.Context, c client.Client, s *webhook.Server, logger *slog.Logger) {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	seen := map[string][]railyard.WebhookReceiverStatus{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t.Reset(publishEvery)
		st, err := s.Statuses(ctx)
		if err != nil {
			logger.Warn("reading webhook receivers", "error", err)
			continue
		}
		for project, rs := range st {
			if prev, ok := seen[project]; ok && slices.Equal(prev, rs) {
				continue
			}
			var cur workflows.ProjectState
			v, err := c.QueryWorkflow(ctx, project, "", workflows.QueryStatus)
			if err == nil {
				err = v.Get(&cur)
			}
			if err != nil {
				continue
			}
			if !slices.Equal(cur.Receivers, rs) {
				if err := c.SignalWorkflow(ctx, project, "", workflows.SignalReceivers, rs); err != nil {
					logger.Warn("publishing webhook receivers", "project", project, "error", err)
					continue
				}
			}
			seen[project] = rs
		}
	}
}
