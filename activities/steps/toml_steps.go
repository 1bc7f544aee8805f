package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// TOMLUpdate is the `toml-update` step: it sets keys (dotted paths, "\."
// for a literal dot, numbers for array items) to scalar values, keeping the
// rest of the file byte for byte. Its output commitMessage lists the
// changes.
type TOMLUpdate struct{}

// Name implements Runner.
func (TOMLUpdate) Name() string { return "toml-update" }

// Run implements Runner.
func (TOMLUpdate) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c fileUpdateConfig
	if err := DecodeConfig("toml-update", raw, &c); err != nil {
		return Result{}, err
	}
	res, err := runFileUpdate("toml-update", sc, raw, updateTOML)
	if err != nil {
		return res, err
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "Updated %s\n", c.Path)
	for _, u := range c.Updates {
		v, _ := formatTOML(u.Value)
		fmt.Fprintf(&msg, "\n- %s: %s", u.Key, v)
	}
	return Succeeded(map[string]any{"commitMessage": msg.String()}), nil
}

// TOMLParse is the `toml-parse` step: each output is an expression over the
// document's top-level keys.
type TOMLParse struct{}

// Name implements Runner.
func (TOMLParse) Name() string { return "toml-parse" }

// Run implements Runner.
func (TOMLParse) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	return parseFile(sc, raw, "toml-parse", toml.Unmarshal)
}
