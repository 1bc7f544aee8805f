// Package devserver runs a Temporal server and the Temporal Web UI inside the
// current process, for `railyard-worker --dev`, the quickstart and tests.
//
// State lives in a SQLite file under Options.DataDir, so workflows, schedules
// and search attributes survive a restart; an empty DataDir keeps everything
// in memory. Start returns once the frontend answers DescribeNamespace for
// Options.Namespace, with every requested search attribute registered.
package devserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
)

// Defaults applied by Start to zero-valued Options fields.
const (
	DefaultIP        = "127.0.0.1"
	DefaultPort      = 7233
	DefaultNamespace = "default"
	// uiPortOffset places the UI at frontend port + 1000 (8233 for 7233),
	// as `temporal server start-dev` does.
	uiPortOffset = 1000
)

// Options configures an embedded server. The zero value is a usable
// in-memory server on 127.0.0.1:7233 with the UI on 8233.
type Options struct {
	// DataDir holds temporal.db and the persisted cluster ID. It is created
	// if missing. Empty means an in-memory database that dies with Stop.
	DataDir string
	// IP the frontend and the UI bind to. Default 127.0.0.1.
	IP string
	// Port of the frontend gRPC API. Default 7233.
	Port int
	// UIPort of the Web UI. Default Port+1000 (8233).
	UIPort int
	// Headless disables the Web UI.
	Headless bool
	// Namespace to register (the "default" namespace is always registered
	// too). Default "default".
	Namespace string
	// SearchAttributes are Keyword search attributes registered in every
	// namespace the server creates; missing ones are added to an existing
	// database at start.
	SearchAttributes []string
	// Logger receives the server's log. Default slog.Default().
	Logger *slog.Logger
	// LogLevel filters the server's log. Default slog.LevelWarn.
	LogLevel slog.Leveler
}

func (o Options) withDefaults() Options {
	if o.IP == "" {
		o.IP = DefaultIP
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.UIPort == 0 {
		o.UIPort = o.Port + uiPortOffset
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LogLevel == nil {
		o.LogLevel = slog.LevelWarn
	}
	return o
}

func (o Options) validate() error {
	if net.ParseIP(o.IP) == nil {
		return fmt.Errorf("devserver: IP %q is not an IP address", o.IP)
	}
	if o.Port < 1 || o.Port > 65535 {
		return fmt.Errorf("devserver: port %d out of range", o.Port)
	}
	if !o.Headless && (o.UIPort < 1 || o.UIPort > 65535) {
		return fmt.Errorf("devserver: UI port %d out of range", o.UIPort)
	}
	if !o.Headless && o.UIPort == o.Port {
		return errors.New("devserver: frontend and UI ports must differ")
	}
	return nil
}

// namespaces lists the namespaces to register: the requested one and "default".
func (o Options) namespaces() []string {
	if o.Namespace == DefaultNamespace {
		return []string{DefaultNamespace}
	}
	return []string{o.Namespace, DefaultNamespace}
}
