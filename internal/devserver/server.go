package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/temporal"
)

// readyTimeout bounds the wait for the frontend when ctx has no deadline.
const readyTimeout = time.Minute

// Server is a running embedded Temporal server, with its Web UI unless headless.
type Server struct {
	opts     Options
	temporal temporal.Server
	ui       *uiserver.Server
	client   client.Client
	logGate  *logGate

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server and the UI and returns once the frontend answers
// DescribeNamespace for o.Namespace and the UI accepts connections. A port
// that is already taken yields a *PortInUseError.
func Start(ctx context.Context, o Options) (*Server, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	gate := &logGate{base: o.LogLevel}
	o.LogLevel = gate
	if err := checkPorts(o); err != nil {
		return nil, err
	}
	ts, fresh, err := build(o)
	if err != nil {
		return nil, err
	}
	if err := ts.Start(); err != nil {
		return nil, fmt.Errorf("devserver: start Temporal server: %w", err)
	}
	s := &Server{opts: o, temporal: ts, logGate: gate}
	if !o.Headless {
		s.ui = newUI(o, s.FrontendAddress())
		runUI(s.ui)
	}
	if err := s.ready(ctx, fresh); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// build prepares the data directory and the database and constructs the
// server. fresh reports a new database.
func build(o Options) (ts temporal.Server, fresh bool, err error) {
	if o.DataDir != "" {
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, false, fmt.Errorf("devserver: create data dir: %w", err)
		}
	}
	id, err := clusterID(o.DataDir)
	if err != nil {
		return nil, false, err
	}
	sql := sqlConfig(o.DataDir)
	if fresh, err = prepareDB(sql, o); err != nil {
		return nil, false, err
	}
	p, err := pickPorts(o)
	if err != nil {
		return nil, false, err
	}
	cfg := serverConfig(o, sql, p, id)
	ts, err = temporal.NewServer(serverOptions(cfg, p, newServerLogger(o.Logger, o.LogLevel))...)
	if err != nil {
		return nil, false, fmt.Errorf("devserver: configure Temporal server: %w", err)
	}
	return ts, fresh, nil
}

// ready waits for the frontend (and UI), then adds search attributes that an
// existing database lacks.
func (s *Server) ready(ctx context.Context, fresh bool) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	if err := s.waitFrontend(ctx); err != nil {
		return err
	}
	if !fresh {
		for _, ns := range s.opts.namespaces() {
			if err := s.ensureSearchAttributes(ctx, ns); err != nil {
				return err
			}
		}
	}
	if s.ui == nil {
		return nil
	}
	return waitListening(ctx, s.UIAddress())
}

// waitFrontend dials until the frontend answers DescribeNamespace and keeps
// the client for later calls.
func (s *Server) waitFrontend(ctx context.Context) error {
	var last error
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  s.FrontendAddress(),
			Namespace: s.opts.Namespace,
			Logger:    s.sdkLogger(),
		})
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx,
				&workflowservice.DescribeNamespaceRequest{Namespace: s.opts.Namespace})
			if err == nil {
				s.client = c
				return nil
			}
			c.Close()
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: frontend at %s not ready: %w (last error: %v)", s.FrontendAddress(), ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) sdkLogger() sdklog.Logger {
	h := minLevelHandler{Handler: s.opts.Logger.Handler(), min: s.opts.LogLevel}
	return sdklog.NewStructuredLogger(slog.New(h).With("component", "devserver-client"))
}

// ensureSearchAttributes registers the Keyword search attributes ns lacks.
func (s *Server) ensureSearchAttributes(ctx context.Context, ns string) error {
	op := s.client.OperatorService()
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return fmt.Errorf("devserver: list search attributes of %s: %w", ns, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range s.opts.SearchAttributes {
		t, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
		case t != enumspb.INDEXED_VALUE_TYPE_KEYWORD:
			return fmt.Errorf("devserver: search attribute %s in %s has type %s, want Keyword", name, ns, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: missing})
	if err != nil {
		return fmt.Errorf("devserver: add search attributes to %s: %w", ns, err)
	}
	s.opts.Logger.Info("added search attributes", "namespace", ns, "count", len(missing))
	return nil
}

// FrontendAddress is the host:port clients dial for the frontend gRPC API.
func (s *Server) FrontendAddress() string { return hostPort(dialIP(s.opts.IP), s.opts.Port) }

// UIAddress is the Web UI's host:port, or "" when headless.
func (s *Server) UIAddress() string {
	if s.opts.Headless {
		return ""
	}
	return hostPort(dialIP(s.opts.IP), s.opts.UIPort)
}

// UIURL is the Web UI's base URL, or "" when headless.
func (s *Server) UIURL() string {
	if s.opts.Headless {
		return ""
	}
	return "http://" + s.UIAddress()
}

// Namespace is the namespace Start registered and waited for.
func (s *Server) Namespace() string { return s.opts.Namespace }

// Stop stops the UI, then the server, and silences the server's log. It is
// safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.logGate.close()
		if s.client != nil {
			s.client.Close()
		}
		if s.ui != nil {
			s.ui.Stop()
		}
		if err := s.temporal.Stop(); err != nil {
			s.stopErr = fmt.Errorf("devserver: stop Temporal server: %w", err)
		}
	})
	return s.stopErr
}
