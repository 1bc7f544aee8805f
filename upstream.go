package railyard

import (
	"fmt"
	"slices"
	"strings"
)

// UpstreamView is what a stage knows of one upstream stage.
type UpstreamView struct {
	Current         Collection `json:"current"`
	CurrentVerified bool       `json:"currentVerified"`
	// Verified are the combinations verified there, newest first: origin →
	// Freight ID.
	Verified []Combination `json:"verified,omitempty"`
}

// Upstream is what a stage knows of its upstream stages, by name.
type Upstream map[string]UpstreamView

// Saw records that upstream stage holds collection c now, and remembers
// c's combination when it is verified there.
func (u Upstream) Saw(stage string, c Collection, verified bool) Upstream {
	if u == nil {
		u = Upstream{}
	}
	v := u[stage]
	v.Current, v.CurrentVerified = c, verified
	if verified {
		v.Verified = RememberVerified(v.Verified, c)
	}
	u[stage] = v
	return u
}

// Verified is what each upstream stage has verified.
func (u Upstream) Verified() map[string][]Combination {
	out := make(map[string][]Combination, len(u))
	for stage, v := range u {
		out[stage] = v.Verified
	}
	return out
}

// Gate decides whether request r into a stage with spec, whose collection
// would then be c, may start: an auto-promotion of a slot that requires a
// verified combination waits ("waiting until … is verified upstream") until
// c's combination was verified upstream, and is dropped once no upstream
// stage holds its Freight any more, since that can never happen.
func (u Upstream) Gate(spec StageSpec, r PromotionRequest, c Collection) (waiting, drop string) {
	if !u.needsVerifiedCombination(spec, r, c) {
		return "", ""
	}
	if u.superseded(spec, r) {
		return "", "superseded: upstream no longer holds this Freight"
	}
	return "waiting until " + c.Summary() + " is verified upstream", ""
}

// needsVerifiedCombination reports whether an auto-promotion must wait
// because a slot it changes requires verified combinations and c was not
// verified upstream.
func (u Upstream) needsVerifiedCombination(spec StageSpec, r PromotionRequest, c Collection) bool {
	upstreams := spec.Upstreams()
	if !r.Auto || len(upstreams) == 0 {
		return false
	}
	for _, t := range r.Targets {
		if req, ok := spec.Request(t.Origin); ok && req.Sources.RequireVerifiedCombination {
			return len(VerifiedUpstream(c, upstreams, u.Verified())) == 0
		}
	}
	return false
}

// superseded reports whether some Freight of r is held by no upstream
// stage any more.
func (u Upstream) superseded(spec StageSpec, r PromotionRequest) bool {
	for _, t := range r.Targets {
		held := false
		for _, up := range spec.Upstreams() {
			held = held || u[up].Current.Has(t.ID)
		}
		if !held {
			return true
		}
	}
	return false
}

// Take is the collection a whole-collection promotion from upstream stage
// from brings into stage (whose spec is spec): what from holds in the
// slots stage requests. It refuses a control-flow stage, a stage that is
// not upstream, one that holds none of those slots, and a collection not
// verified there.
func (u Upstream) Take(stage string, spec StageSpec, from string) (Collection, error) {
	if spec.IsControlFlow() {
		return Collection{}, fmt.Errorf("stage %s is a control-flow stage: it has no promotion steps", stage)
	}
	if ups := spec.Upstreams(); !slices.Contains(ups, from) {
		return Collection{}, fmt.Errorf("stage %s does not take Freight from stage %q (upstream: %s)", stage, from,
			strings.Join(ups, ", "))
	}
	v := u[from]
	c := v.Current.Keep(spec.Origins())
	if len(c.Items) == 0 {
		return Collection{}, fmt.Errorf("stage %s holds no Freight that %s requests", from, stage)
	}
	if !v.CurrentVerified {
		return Collection{}, fmt.Errorf("the collection in %s (%s) is not verified", from, v.Current.Summary())
	}
	return c, nil
}
