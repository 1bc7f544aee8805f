package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/railyard/railyard/dashboard"
)

// newDashboard serves the pipeline dashboard against the Temporal service
// the connection flags name, until interrupted.
func newDashboard(a *app) *cobra.Command {
	var host, uiURL string
	var port int
	cmd := &cobra.Command{
		Use:   "dashboard [--port 8234] [--host 127.0.0.1] [--ui-url URL]",
		Short: "Serve the pipeline dashboard (no authentication: it listens on 127.0.0.1 unless told otherwise)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			l, err := dashboard.Listen(net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				return fmt.Errorf("%w (choose another with --port)", err)
			}
			h := dashboard.New(dashboard.Options{Client: c, Namespace: a.connected, UIURL: uiURL}).Handler()
			fmt.Printf("dashboard: http://%s\n", l.Addr())
			return dashboard.Serve(ctx, l, h)
		},
	}
	cmd.Flags().IntVar(&port, "port", 8234, "port to serve the dashboard on")
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "address to listen on; the dashboard has no authentication")
	cmd.Flags().StringVar(&uiURL, "ui-url", "", "Temporal Web UI base URL for links to workflows (e.g. http://127.0.0.1:8233)")
	return cmd
}
