// Command railyard-worker runs Railyard's Temporal worker: the workflows and
// activities that discover Freight and promote it through Stages.
//
// With --dev it also runs an embedded Temporal server (state in a SQLite
// file under --data-dir), the Temporal Web UI and the pipeline dashboard
// (package dashboard, on --dashboard-port) in the same process.
// Without --dev it connects to the cluster named by the standard Temporal
// environment (see newClient).
//
// Shutdown on SIGINT or SIGTERM stops the worker first, then the UI and the
// server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/dashboard"
	"github.com/railyard/railyard/internal/devserver"
)

func main() {
	begin := time.Now()
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fail(err)
	}
	if err := run(o, newLogger(o, os.Stderr), begin); err != nil {
		fail(err)
	}
}

// fail prints err as one line and exits non-zero.
func fail(err error) {
	fmt.Fprintf(os.Stderr, "railyard-worker: %v\n", err)
	os.Exit(1)
}

func run(o options, logger *slog.Logger, begin time.Time) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var srv *devserver.Server
	frontend := ""
	if o.Dev {
		var err error
		if srv, err = startDevServer(ctx, o, logger); err != nil {
			return err
		}
		defer stopDevServer(srv, logger)
		frontend, o.Namespace = srv.FrontendAddress(), srv.Namespace()
	}
	c, conn, err := newClient(ctx, o, frontend, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	o.Namespace = conn.Namespace
	board := ""
	if o.Dev && o.DashboardPort != 0 {
		if board, err = startDashboard(ctx, c, o, srv, logger); err != nil {
			return err
		}
	}
	if err := serve(ctx, stop, c, o, logger, func() { logReady(logger, o, conn, srv, board, time.Since(begin)) }); err != nil {
		return err
	}
	return nil
}

func startDevServer(ctx context.Context, o options, logger *slog.Logger) (*devserver.Server, error) {
	srv, err := devserver.Start(ctx, devserver.Options{
		DataDir:          o.DataDir,
		IP:               o.IP,
		Port:             o.Port,
		UIPort:           o.UIPort,
		Headless:         o.UIPort == 0,
		Namespace:        o.Namespace,
		SearchAttributes: railyard.SearchAttributes,
		Logger:           logger,
		LogLevel:         o.ServerLogLevel,
	})
	if err != nil {
		return nil, err
	}
	where := o.DataDir
	if where == "" {
		where = "memory"
	}
	logger.Info("embedded Temporal server started", "frontend", srv.FrontendAddress(), "data", where)
	return srv, nil
}

func stopDevServer(srv *devserver.Server, logger *slog.Logger) {
	if err := srv.Stop(); err != nil {
		logger.Error("stopping embedded Temporal server", "error", err)
		return
	}
	logger.Info("embedded Temporal server stopped")
}

// serve runs the worker until a signal arrives or the worker fails, then
// stops it; ready runs once the worker polls. stop restores default signal
// handling, so a second Ctrl-C during shutdown kills the process.
func serve(ctx context.Context, stop func(), c client.Client, o options, logger *slog.Logger, ready func()) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	clusters, err := loadClusters(o, logger)
	if err != nil {
		return err
	}
	w := worker.New(c, o.TaskQueue, worker.Options{
		OnFatalError: func(err error) { cancel(fmt.Errorf("worker: %w", err)) },
		Identity:     workerIdentity(clusters),
		// Pollers follow the backlog, on the server's feedback. The SDK's
		// fixed two (one of them on the sticky queue, where the tasks of
		// every cached workflow arrive) left a worker holding thousands of
		// Pipelines and Stages minutes behind its task queue while idle.
		WorkflowTaskPollerBehavior: worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{}),
		ActivityTaskPollerBehavior: worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{}),
	})
	more, receiverSecrets, err := register(w, c, o, clusters, logger)
	if err != nil {
		return fmt.Errorf("registering workflows and activities: %w", err)
	}
	if o.WebhookAddr != "" {
		stopHooks, err := startWebhooks(ctx, c, o, receiverSecrets, logger)
		if err != nil {
			return err
		}
		defer stopHooks()
	}
	for i, mw := range more {
		if err := mw.Start(); err != nil {
			stopAll(more[:i])
			return fmt.Errorf("starting the step and health workers: %w", err)
		}
	}
	if err := w.Start(); err != nil {
		stopAll(more)
		return fmt.Errorf("starting worker on task queue %s: %w", o.TaskQueue, err)
	}
	ready()
	<-ctx.Done()
	stop()
	logger.Info("shutting down", "reason", context.Cause(ctx))
	w.Stop()
	stopAll(more)
	logger.Info("worker stopped")
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func stopAll(ws []worker.Worker) {
	for _, w := range ws {
		w.Stop()
	}
}

// logReady prints the one line a user looks for: where everything is.
func logReady(logger *slog.Logger, o options, conn connection, srv *devserver.Server, board string, ready time.Duration) {
	ui := "none (not --dev)"
	if srv != nil {
		ui = uiOrNone(srv)
	}
	if board == "" {
		board = "disabled"
	}
	logger.Info("railyard-worker ready", "frontend", conn.Address, "ui", ui, "dashboard", board,
		"namespace", conn.Namespace, "task_queue", o.TaskQueue, "ready_in", ready.Round(time.Millisecond).String())
}

// startDashboard serves the pipeline dashboard on --ip:--dashboard-port
// until ctx ends and returns its URL; a taken port is a one-line error.
func startDashboard(ctx context.Context, c client.Client, o options, srv *devserver.Server, logger *slog.Logger) (string, error) {
	addr := net.JoinHostPort(o.IP, strconv.Itoa(o.DashboardPort))
	l, err := dashboard.Listen(addr)
	if err != nil {
		return "", fmt.Errorf("%w (choose another with --dashboard-port, or 0 to disable it)", err)
	}
	h := dashboard.New(dashboard.Options{Client: c, Namespace: o.Namespace, UIURL: srv.UIURL(),
		Logger: logger.With("component", "dashboard")}).Handler()
	go func() {
		if err := dashboard.Serve(ctx, l, h); err != nil {
			logger.Error("dashboard stopped", "error", err)
		}
	}()
	return "http://" + l.Addr().String(), nil
}

func uiOrNone(srv *devserver.Server) string {
	if u := srv.UIURL(); u != "" {
		return u
	}
	return "disabled"
}
