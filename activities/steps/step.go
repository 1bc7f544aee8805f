// Package steps implements Railyard's promotion steps: the Kargo-compatible
// directives (git-clone, kustomize-set-image, git-push …) that a promotion
// runs one by one in a shared working directory on one worker.
//
// A Runner receives its configuration after expressions were evaluated and
// decodes it strictly. Every runner must be idempotent: a promotion whose
// worker died runs all of its steps again from a fresh working directory.
package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/expr"
)

// Step statuses, ordered by severity as Kargo orders them.
const (
	StatusSucceeded = "Succeeded"
	StatusSkipped   = "Skipped"
	StatusRunning   = "Running"
	StatusAborted   = "Aborted"
	StatusFailed    = "Failed"
	StatusErrored   = "Errored"
)

// Runner is one kind of step ("git-clone").
type Runner interface {
	// Name is the step kind used in `uses:`.
	Name() string
	// Run performs the step. A returned error means Errored (retryable unless
	// marked with Terminal); a Result with StatusFailed is a business failure.
	Run(ctx context.Context, sc *Context, config json.RawMessage) (Result, error)
}

// Context is what a step knows of its promotion.
type Context struct {
	WorkDir       string // the promotion's shared working directory
	Project       string
	Stage         string
	Promotion     string // promotion name, also written as a commit trailer
	TargetFreight railyard.FreightRef
	Collection    railyard.Collection  // the whole target collection
	Warehouses    []railyard.Warehouse // the project's warehouses (for *From lookups)
	Creds         creds.Source
	Records       expr.RecordSource // finds Freight by name (set-metadata)

	Alias     string                   // this step's alias ("<task>::<step>" inside tasks)
	Actor     string                   // who asked for the promotion
	Requested []railyard.FreightOrigin // the Stage's requested origins
	// StartedAt is when this step first ran; a Running step polled again
	// keeps it (zero in direct calls: now).
	StartedAt time.Time
}

// Result is a step's outcome.
type Result struct {
	Status  string         `json:"status"`
	Message string         `json:"message,omitempty"`
	Output  map[string]any `json:"output,omitempty"`
	// RetryAfter is how long a Running step asks to wait before it is run
	// again (its poll interval); zero means the engine's default.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
}

// Succeeded is a successful Result with output.
func Succeeded(out map[string]any) Result { return Result{Status: StatusSucceeded, Output: out} }

// Registry maps step kinds to runners.
type Registry map[string]Runner

// Add registers runners by name.
func (r Registry) Add(rs ...Runner) Registry {
	for _, x := range rs {
		r[x.Name()] = x
	}
	return r
}

// TerminalError marks an error that retrying cannot fix (bad config, a
// rejected credential); the activity layer makes it non-retryable.
type TerminalError struct{ Err error }

func (e *TerminalError) Error() string { return e.Err.Error() }
func (e *TerminalError) Unwrap() error { return e.Err }

// Terminal wraps err as a TerminalError.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return &TerminalError{Err: err}
}

// DecodeConfig decodes a step's evaluated configuration strictly into v:
// unknown keys are errors. Errors are terminal.
func DecodeConfig(step string, raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Terminal(fmt.Errorf("%s config: %w", step, err))
	}
	return nil
}
