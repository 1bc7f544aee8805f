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
	StatusSucceeded = railyard.StepSucceeded
	StatusSkipped   = railyard.StepSkipped
	StatusRunning   = railyard.StepRunning
	StatusAborted   = railyard.StepAborted
	StatusFailed    = railyard.StepFailed
	StatusErrored   = railyard.StepErrored
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
	// Timeout is the step's timeout (retry.timeout, else the runner's
	// default); zero means none.
	Timeout time.Duration
}

// Result is a step's outcome.
type Result struct {
	Status  railyard.StepStatus `json:"status"`
	Message string              `json:"message,omitempty"`
	Output  map[string]any      `json:"output,omitempty"`
	// RetryAfter is how long a Running step asks to wait before it is run
	// again (its poll interval); zero means the engine's default.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	// WaitingOn names what a Running step waits for, so that an event about
	// it can wake the promotion before RetryAfter: a pull request's
	// railyard.PullRequestKey.
	WaitingOn string `json:"waitingOn,omitempty"`
	// HealthChecks are Argo CD Applications the step updated, whose health
	// the Stage tracks after a successful promotion.
	HealthChecks []railyard.AppRef `json:"healthChecks,omitempty"`
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

// TerminalError and Terminal are the root package's: a step marks an
// error that retrying cannot fix, and the engine (railyard.IsTerminal)
// stops retrying it.
type TerminalError = railyard.TerminalError

// Terminal marks err as one that retrying cannot fix.
func Terminal(err error) error { return railyard.Terminal(err) }

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
