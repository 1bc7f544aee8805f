package railyard

import (
	"maps"
	"slices"
	"strings"
)

// Combination is the Freight of each slot of a collection: origin → ID.
type Combination map[string]string

// CombinationOf returns the combination a collection holds.
func CombinationOf(c Collection) Combination {
	m := make(Combination, len(c.Items))
	for k, r := range c.Items {
		m[k] = r.ID
	}
	return m
}

// Covers reports whether a verified combination agrees with c on every
// origin, holding at least two of c's slots (one slot is no combination).
func (combo Combination) Covers(c Collection) bool {
	shared := 0
	for k, r := range c.Items {
		id, ok := combo[k]
		if !ok {
			continue
		}
		if id != r.ID {
			return false
		}
		shared++
	}
	return shared == len(c.Items) || (shared >= 2 && shared == len(combo))
}

// maxVerifiedCombinations bounds what a stage remembers of each upstream.
const maxVerifiedCombinations = 20

// RememberVerified puts the combination of a collection verified upstream
// first in the list (newest first, no duplicates, bounded).
func RememberVerified(list []Combination, c Collection) []Combination {
	combo := CombinationOf(c)
	list = slices.DeleteFunc(list, func(m Combination) bool { return maps.Equal(m, combo) })
	list = append([]Combination{combo}, list...)
	return list[:min(len(list), maxVerifiedCombinations)]
}

// VerifiedUpstream lists the upstream stages (in order) where exactly this
// combination was verified together.
func VerifiedUpstream(c Collection, upstreams []string, verified map[string][]Combination) []string {
	var out []string
	for _, u := range upstreams {
		if slices.ContainsFunc(verified[u], func(combo Combination) bool { return combo.Covers(c) }) {
			out = append(out, u)
		}
	}
	return out
}

// Provenance says whether a collection's combination was verified upstream:
// the stages where it was, and a sentence for `get stages`. A collection of
// one slot, or a stage without upstreams, has none.
func Provenance(c Collection, upstreams []string, verified map[string][]Combination) ([]string, string) {
	if len(c.Items) < 2 || len(upstreams) == 0 {
		return nil, ""
	}
	got := VerifiedUpstream(c, upstreams, verified)
	if len(got) == 0 {
		return nil, "combination never verified upstream (" + strings.Join(upstreams, ", ") + ")"
	}
	return got, "combination verified in " + strings.Join(got, ", ")
}
