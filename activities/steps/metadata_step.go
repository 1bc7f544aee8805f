package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/railyard/railyard"
)

// SetMetadata is the `set-metadata` step. Like set-freight-alias it only
// checks and reports: its output {"updates": [...]} names each Freight by
// its ID, and the workflows apply the updates when the promotion succeeds
// (the Stage to its own metadata, the Pipelines to their Freight). Later
// steps of the same promotion already read them.
type SetMetadata struct{}

type setMetadataConfig struct {
	Updates []railyard.MetadataUpdate `json:"updates"`
}

// Name implements Runner.
func (SetMetadata) Name() string { return "set-metadata" }

// Run implements Runner.
func (SetMetadata) Run(ctx context.Context, c *Context, raw json.RawMessage) (Result, error) {
	var cfg setMetadataConfig
	if err := DecodeConfig("set-metadata", raw, &cfg); err != nil {
		return Result{}, err
	}
	if len(cfg.Updates) == 0 {
		return Result{}, Terminal(fmt.Errorf("set-metadata config: updates: at least one update is required"))
	}
	out := make([]any, 0, len(cfg.Updates))
	for i, u := range cfg.Updates {
		resolved, err := resolveUpdate(ctx, c, u)
		if err != nil {
			return Result{}, fmt.Errorf("set-metadata updates[%d]: %w", i, err)
		}
		out = append(out, map[string]any{"kind": resolved.Kind, "name": resolved.Name, "values": resolved.Values})
	}
	return Succeeded(map[string]any{"updates": out}), nil
}

// resolveUpdate checks one update and names its Freight by ID.
func resolveUpdate(ctx context.Context, c *Context, u railyard.MetadataUpdate) (railyard.MetadataUpdate, error) {
	if u.Name == "" {
		return u, Terminal(fmt.Errorf("name is required"))
	}
	if len(u.Values) == 0 {
		return u, Terminal(fmt.Errorf("values: at least one value is required"))
	}
	switch u.Kind {
	case railyard.MetadataKindStage:
		if u.Name != c.Stage {
			return u, Terminal(fmt.Errorf("Stage %q: setting the metadata of a stage other than the promoting one (%s): %w",
				u.Name, c.Stage, railyard.ErrNotSupported))
		}
		return u, nil
	case railyard.MetadataKindFreight:
		id, err := freightID(ctx, c, u.Name)
		u.Name = id
		return u, err
	}
	return u, Terminal(fmt.Errorf("kind %q: must be Stage or Freight", u.Kind))
}

// freightID finds the Freight named by ID or alias: in the collection being
// promoted, else among the Freight of the Warehouses the stage requests
// (whose Pipelines hear of the promotion).
func freightID(ctx context.Context, c *Context, name string) (string, error) {
	for _, ref := range c.Collection.Refs() {
		if name == ref.ID || name == ref.Alias {
			return ref.ID, nil
		}
	}
	var warehouses []string
	for _, o := range c.Requested {
		warehouses = append(warehouses, o.Name)
	}
	if c.Records == nil || len(warehouses) == 0 {
		return "", Terminal(fmt.Errorf("Freight %q is not in the collection being promoted", name))
	}
	f, err := c.Records.Freight(ctx, c.Project, warehouses, name)
	switch {
	case err != nil:
		return "", fmt.Errorf("finding Freight %q: %w", name, err)
	case f == nil:
		return "", Terminal(fmt.Errorf("Freight %q: no such Freight from the Warehouses stage %s requests (%s)",
			name, c.Stage, strings.Join(warehouses, ", ")))
	}
	return f.ID, nil
}
