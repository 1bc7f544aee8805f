package steps

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/railyard/railyard"
)

// ComposeOutput is the `compose-output` step: its free-form config becomes
// its output. Inside a task the output is also published under the task's
// alias, so that a task can expose outputs.
type ComposeOutput struct{}

// Name implements Runner.
func (ComposeOutput) Name() string { return "compose-output" }

// TaskLevelOutput tells the engine to publish the output under the task alias.
func (ComposeOutput) TaskLevelOutput() bool { return true }

// Run implements Runner.
func (ComposeOutput) Run(_ context.Context, _ *Context, raw json.RawMessage) (Result, error) {
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return Result{}, Terminal(fmt.Errorf("compose-output config: %w", err))
		}
	}
	return Succeeded(out), nil
}

// Fail is the `fail` step: it fails the promotion with a message.
type Fail struct{}

type failConfig struct {
	Message string `json:"message,omitempty"`
}

// Name implements Runner.
func (Fail) Name() string { return "fail" }

// Run implements Runner.
func (Fail) Run(_ context.Context, _ *Context, raw json.RawMessage) (Result, error) {
	var c failConfig
	if err := DecodeConfig("fail", raw, &c); err != nil {
		return Result{}, err
	}
	if c.Message == "" {
		c.Message = "failed by a fail step"
	}
	return Result{Status: StatusFailed, Message: c.Message}, nil
}

// SetFreightAlias is the `set-freight-alias` step. It only validates and
// reports; the workflow applies the new alias from the output
// {"name": <freight ID or alias>, "alias": <new alias>}.
type SetFreightAlias struct{}

type setFreightAliasConfig struct {
	Name  string `json:"name"`
	Alias string `json:"alias"`
}

// Name implements Runner.
func (SetFreightAlias) Name() string { return "set-freight-alias" }

// Run implements Runner.
func (SetFreightAlias) Run(_ context.Context, _ *Context, raw json.RawMessage) (Result, error) {
	var c setFreightAliasConfig
	if err := DecodeConfig("set-freight-alias", raw, &c); err != nil {
		return Result{}, err
	}
	if c.Name == "" || c.Alias == "" {
		return Result{}, Terminal(fmt.Errorf("set-freight-alias config: name and alias are required"))
	}
	if err := railyard.ValidAlias(c.Alias); err != nil {
		return Result{}, Terminal(fmt.Errorf("set-freight-alias config: %w", err))
	}
	return Succeeded(map[string]any{"name": c.Name, "alias": c.Alias}), nil
}
