package railyard

import (
	"encoding/json"
	"maps"
	"time"
)

// Kinds of resource a set-metadata step may update.
const (
	MetadataKindStage   = "Stage"
	MetadataKindFreight = "Freight"
)

// MetadataUpdate is one update of a set-metadata step: Values are set, key
// by key, on the metadata of a Stage or a Freight (Kargo's
// status.metadata). Name is the stage's name or the Freight's ID.
type MetadataUpdate struct {
	Kind   string         `json:"kind"`
	Name   string         `json:"name"`
	Values map[string]any `json:"values"`
}

// Metadata is a Stage's or a Freight's metadata: JSON values by key.
type Metadata map[string]any

// WithUpdates returns m with the values of every update of that kind and
// name set, in order; m itself is not changed. It is nil when there is
// nothing.
func (m Metadata) WithUpdates(kind, name string, updates []MetadataUpdate) Metadata {
	out := maps.Clone(m)
	for _, u := range updates {
		if u.Kind != kind || u.Name != name {
			continue
		}
		if out == nil {
			out = Metadata{}
		}
		maps.Copy(out, u.Values)
	}
	return out
}

// MetadataSet collects the updates of the set-metadata steps that
// succeeded, in step order (each step's output "updates").
func MetadataSet(steps []StepRecord) []MetadataUpdate {
	var out []MetadataUpdate
	for _, r := range steps {
		if r.Uses != StepSetMetadata || r.Status != StepSucceeded {
			continue
		}
		var updates []MetadataUpdate
		if raw, err := json.Marshal(r.Output["updates"]); err == nil && json.Unmarshal(raw, &updates) == nil {
			out = append(out, updates...)
		}
	}
	return out
}

// OfKind is the updates of one kind (MetadataKindStage or
// MetadataKindFreight) among updates, in order.
func OfKind(updates []MetadataUpdate, kind string) []MetadataUpdate {
	var out []MetadataUpdate
	for _, u := range updates {
		if u.Kind == kind {
			out = append(out, u)
		}
	}
	return out
}

// KargoView renders a Freight's status as Kargo's Freight status reads in
// expressions (freightStatus()): currentlyIn.<stage>.since,
// verifiedIn.<stage>.{verifiedAt, longestSoak}, approvedFor.<stage>.approvedAt
// and metadata.
func (s FreightStatus) KargoView() map[string]any {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	in := map[string]any{}
	for stage, since := range s.CurrentlyIn {
		in[stage] = map[string]any{"since": ts(since)}
	}
	verified := map[string]any{}
	for stage, v := range s.VerifiedIn {
		e := map[string]any{"verifiedAt": ts(v.VerifiedAt)}
		if v.LongestSoak > 0 {
			e["longestSoak"] = v.LongestSoak.String()
		}
		verified[stage] = e
	}
	approved := map[string]any{}
	for stage, at := range s.ApprovedFor {
		approved[stage] = map[string]any{"approvedAt": ts(at)}
	}
	md := map[string]any{}
	maps.Copy(md, s.Metadata)
	return map[string]any{"currentlyIn": in, "verifiedIn": verified, "approvedFor": approved, "metadata": md}
}
