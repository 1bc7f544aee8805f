package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
)

// app holds the connection shared by subcommands.
type app struct {
	address   string
	namespace string
	c         client.Client
	connected string // the namespace the client uses, once dialed
}

func (a *app) client() (client.Client, error) {
	if a.c != nil {
		return a.c, nil
	}
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return nil, fmt.Errorf("loading Temporal client settings: %w", err)
	}
	if a.address != "" {
		opts.HostPort = a.address
	}
	if opts.HostPort == "" {
		opts.HostPort = "127.0.0.1:7233"
	}
	if a.namespace != "" {
		opts.Namespace = a.namespace
	}
	opts.Logger = quietLogger{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connecting to Temporal at %s: %w", opts.HostPort, err)
	}
	a.c, a.connected = c, opts.Namespace
	if a.connected == "" {
		a.connected = client.DefaultNamespace
	}
	return c, nil
}

func (a *app) close() {
	if a.c != nil {
		a.c.Close()
	}
}

// query runs a workflow query and decodes its answer into out.
func (a *app) query(ctx context.Context, workflowID, name string, out any) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	v, err := c.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return fmt.Errorf("querying %s of %s: %w", name, workflowID, explain(err))
	}
	return v.Get(out)
}

// update sends an update and waits for its result; a validator's rejection
// comes back as the error, reduced to its one-line reason.
func (a *app) update(ctx context.Context, workflowID, name string, arg, out any) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return explain(err)
	}
	return explain(h.Get(ctx, out))
}

// explain turns Temporal errors into what the user needs to hear.
func explain(err error) error {
	if err == nil {
		return nil
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("not found: %s (was the project applied?)", nf.Message)
	}
	msg := err.Error()
	for _, prefix := range []string{"unable to update workflow: ", "Update rejected: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	if i := strings.Index(msg, " (type: "); i > 0 {
		msg = msg[:i]
	}
	return errors.New(msg)
}

// quietLogger keeps the SDK's connection chatter off the terminal.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
