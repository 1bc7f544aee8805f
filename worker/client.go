package main

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"
)

// connection says where a client is connected.
type connection struct {
	Address, Namespace string
}

// newClient connects to Temporal. With frontend set (--dev) it dials the
// embedded server there; otherwise it takes address, namespace, TLS and API
// key from the standard Temporal environment through envconfig. A non-empty
// --namespace overrides the environment's namespace.
func newClient(ctx context.Context, o options, frontend string, logger *slog.Logger) (client.Client, connection, error) {
	co, err := clientOptions(o, frontend)
	if err != nil {
		return nil, connection{}, err
	}
	conn := connection{Address: address(co), Namespace: namespace(co)}
	co.Logger = sdklog.NewStructuredLogger(logger.With("component", "sdk"))
	c, err := client.DialContext(ctx, co)
	if err != nil {
		return nil, conn, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", conn.Address, conn.Namespace, err)
	}
	logger.Info("connected to Temporal", "address", conn.Address, "namespace", conn.Namespace,
		"tls", co.ConnectionOptions.TLS != nil, "api_key", co.Credentials != nil)
	return c, conn, nil
}

func clientOptions(o options, frontend string) (client.Options, error) {
	if frontend != "" {
		return client.Options{HostPort: frontend, Namespace: o.Namespace}, nil
	}
	co, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return client.Options{}, fmt.Errorf("load Temporal client configuration: %w", err)
	}
	if o.Namespace != "" {
		co.Namespace = o.Namespace
	}
	return co, nil
}

// address and namespace report the SDK's defaults for empty options.
func address(co client.Options) string {
	if co.HostPort == "" {
		return client.DefaultHostPort
	}
	return co.HostPort
}

func namespace(co client.Options) string {
	if co.Namespace == "" {
		return client.DefaultNamespace
	}
	return co.Namespace
}
