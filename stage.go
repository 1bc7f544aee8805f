package railyard

import "slices"

// Availability strategies of a Stage's upstream sources.
const (
	AvailableOneOf = "OneOf"
	AvailableAll   = "All"
)

// Auto-promotion selection policies.
const (
	SelectNewestFreight = "NewestFreight"
	SelectMatchUpstream = "MatchUpstream"
)

// Stage is an environment that requests Freight from one or more origins.
type Stage struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	Spec   StageSpec         `json:"spec"`
}

// StageSpec is a Stage's desired behaviour (Kargo's field names).
type StageSpec struct {
	Shard             string             `json:"shard,omitempty"`
	Vars              []ExpressionVar    `json:"vars,omitempty"`
	RequestedFreight  []FreightRequest   `json:"requestedFreight"`
	PromotionTemplate *PromotionTemplate `json:"promotionTemplate,omitempty"`
	Verification      *Verification      `json:"verification,omitempty"`
}

// IsControlFlow reports whether the Stage has no promotion steps: it then
// passes Freight through as verified at once.
func (s StageSpec) IsControlFlow() bool {
	return s.PromotionTemplate == nil || len(s.PromotionTemplate.Spec.Steps) == 0
}

// Request returns the slot request for origin, if the Stage has one.
func (s StageSpec) Request(origin FreightOrigin) (FreightRequest, bool) {
	for _, r := range s.RequestedFreight {
		if r.Origin.String() == origin.String() {
			return r, true
		}
	}
	return FreightRequest{}, false
}

// Origins lists the origins of the Stage's slots, in order.
func (s StageSpec) Origins() []FreightOrigin {
	var out []FreightOrigin
	for _, r := range s.RequestedFreight {
		out = append(out, r.Origin)
	}
	return out
}

// Upstreams lists the stages the Stage takes Freight from, in order and
// once each.
func (s StageSpec) Upstreams() []string {
	var out []string
	for _, r := range s.RequestedFreight {
		for _, u := range r.Sources.Stages {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// ExpressionVar is a named value that may contain ${{ }} expressions.
type ExpressionVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// FreightRequest is one slot: Freight of one origin, from where it may come.
type FreightRequest struct {
	Origin  FreightOrigin  `json:"origin"`
	Sources FreightSources `json:"sources"`
}

// FreightSources says where a slot's Freight may come from.
type FreightSources struct {
	Direct               bool                  `json:"direct,omitempty"`
	Stages               []string              `json:"stages,omitempty"`
	RequiredSoakTime     Duration              `json:"requiredSoakTime,omitempty"`
	AvailabilityStrategy string                `json:"availabilityStrategy,omitempty"`
	AutoPromotionOptions *AutoPromotionOptions `json:"autoPromotionOptions,omitempty"`
	// RequireVerifiedCombination is a Railyard extension: auto-promotion into
	// this slot waits until the resulting collection, as a whole, was
	// verified in an upstream stage.
	RequireVerifiedCombination bool `json:"requireVerifiedCombination,omitempty"`
}

// AutoPromotionOptions tunes how auto-promotion picks Freight for a slot.
type AutoPromotionOptions struct {
	SelectionPolicy string `json:"selectionPolicy,omitempty"`
}

// Verification names the analysis run against a Stage's collection.
type Verification struct {
	AnalysisTemplates   []AnalysisTemplateRef `json:"analysisTemplates,omitempty"`
	AnalysisRunMetadata *AnalysisRunMetadata  `json:"analysisRunMetadata,omitempty"`
	Args                []AnalysisRunArgument `json:"args,omitempty"`
}

// Configured reports whether there is anything to verify: a Stage without
// analysis templates passes verification at once.
func (v *Verification) Configured() bool {
	return v != nil && len(v.AnalysisTemplates) > 0
}

// AnalysisTemplateRef references an AnalysisTemplate by name.
type AnalysisTemplateRef struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"` // "" or AnalysisTemplate, or KindClusterAnalysisTemplate
}

// KindClusterAnalysisTemplate is the kind of a template shared by every
// project (kept by the Shared workflow).
const KindClusterAnalysisTemplate = "ClusterAnalysisTemplate"

// AnalysisRunMetadata is copied onto analysis runs (kept for compatibility).
type AnalysisRunMetadata struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// AnalysisRunArgument passes a value to the analysis templates.
type AnalysisRunArgument struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
