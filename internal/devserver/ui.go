package devserver

import (
	"context"
	"fmt"
	"net"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// newUI builds the Web UI server for the frontend at frontend. It never
// fetches news from the network, so it works offline.
func newUI(o Options, frontend string) *uiserver.Server {
	return uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                o.IP,
		Port:                o.UIPort,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true}, // plain HTTP on loopback
		HideLogs:            true,
		DisableNewsFetch:    true,
	}))
}

// runUI serves the UI in the background. Start returns only when the server
// closes; any other failure makes the UI library exit the process, which
// checkPorts is there to prevent.
func runUI(ui *uiserver.Server) {
	go func() { _ = ui.Start() }()
}

// waitListening polls addr until it accepts TCP connections.
func waitListening(ctx context.Context, addr string) error {
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: Web UI at %s not listening: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
