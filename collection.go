package railyard

import (
	"crypto/sha1"
	"encoding/hex"
	"sort"
	"strings"
)

// FreightRef is a Freight as a collection holds it.
type FreightRef struct {
	ID      string        `json:"id"`
	Alias   string        `json:"alias,omitempty"`
	Origin  FreightOrigin `json:"origin"`
	Commits []GitCommit   `json:"commits,omitempty"`
	Images  []Image       `json:"images,omitempty"`
	Charts  []Chart       `json:"charts,omitempty"`
}

// DisplayName is the alias when there is one, else the short ID.
func (r FreightRef) DisplayName() string { return displayName(r.Alias, r.ID) }

// Collection is the content of all of a Stage's slots at one moment, keyed
// by origin ("Warehouse/<name>"). Verification is per collection.
type Collection struct {
	ID    string                `json:"id"`
	Items map[string]FreightRef `json:"items"`
}

// NewCollection builds a collection holding refs, with its ID computed.
func NewCollection(refs ...FreightRef) Collection {
	c := Collection{Items: map[string]FreightRef{}}
	for _, r := range refs {
		c.Items[r.Origin.String()] = r
	}
	c.ID = c.computeID()
	return c
}

// With returns a copy of c in which ref occupies its origin's slot.
func (c Collection) With(refs ...FreightRef) Collection {
	return NewCollection(append(c.Refs(), refs...)...)
}

// Keep returns a copy of c holding only the given origins.
func (c Collection) Keep(origins []FreightOrigin) Collection {
	var refs []FreightRef
	for _, o := range origins {
		if r, ok := c.Items[o.String()]; ok {
			refs = append(refs, r)
		}
	}
	return NewCollection(refs...)
}

// Refs returns the held Freight ordered by origin.
func (c Collection) Refs() []FreightRef {
	keys := make([]string, 0, len(c.Items))
	for k := range c.Items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]FreightRef, 0, len(keys))
	for _, k := range keys {
		out = append(out, c.Items[k])
	}
	return out
}

// Get returns the Freight in origin's slot.
func (c Collection) Get(origin FreightOrigin) (FreightRef, bool) {
	r, ok := c.Items[origin.String()]
	return r, ok
}

// Has reports whether the collection holds the Freight with this ID.
func (c Collection) Has(id string) bool {
	for _, r := range c.Items {
		if r.ID == id {
			return true
		}
	}
	return false
}

// computeID is Kargo's collection ID: SHA-1 of the sorted Freight IDs joined
// by ",". An empty collection has an empty ID.
func (c Collection) computeID() string {
	if len(c.Items) == 0 {
		return ""
	}
	ids := make([]string, 0, len(c.Items))
	for _, r := range c.Items {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	sum := sha1.Sum([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(sum[:])
}

// Summary renders the collection as "origin=alias, …" for display.
func (c Collection) Summary() string {
	var parts []string
	for _, r := range c.Refs() {
		parts = append(parts, r.Origin.Name+"="+r.DisplayName())
	}
	return strings.Join(parts, ", ")
}
