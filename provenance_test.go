package railyard

import (
	"slices"
	"testing"
)

func TestProvenance(t *testing.T) {
	i1, i2, c1 := qref("i1", "images"), qref("i2", "images"), qref("c1", "config")
	f1 := qref("f1", "flags")
	cases := []struct {
		name      string
		c         Collection
		upstreams []string
		verified  map[string][]Collection
		want      []string
		says      string
	}{
		{"one slot is no combination", NewCollection(i1), []string{"dev"}, nil, nil, ""},
		{"no upstream", NewCollection(i1, c1), nil, nil, nil, ""},
		{"never verified", NewCollection(i2, c1), []string{"dev"},
			map[string][]Collection{"dev": {NewCollection(i1, c1)}}, nil, "combination never verified upstream (dev)"},
		{"verified together", NewCollection(i1, c1), []string{"dev"},
			map[string][]Collection{"dev": {NewCollection(i2, c1), NewCollection(i1, c1)}}, []string{"dev"}, "combination verified in dev"},
		{"verified upstream with an extra slot there", NewCollection(i1, c1), []string{"dev"},
			map[string][]Collection{"dev": {NewCollection(i1, c1, f1)}}, []string{"dev"}, "combination verified in dev"},
		{"a subset of two slots verified upstream covers", NewCollection(i1, c1, f1), []string{"dev"},
			map[string][]Collection{"dev": {NewCollection(i1, c1)}}, []string{"dev"}, "combination verified in dev"},
		{"one slot in common is not enough", NewCollection(i1, f1), []string{"dev"},
			map[string][]Collection{"dev": {NewCollection(i1, c1)}}, nil, "combination never verified upstream (dev)"},
		{"several upstreams, in order", NewCollection(i1, c1), []string{"qa", "dev"},
			map[string][]Collection{"dev": {NewCollection(i1, c1)}, "qa": {NewCollection(i1, c1)}}, []string{"qa", "dev"},
			"combination verified in qa, dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			verified := map[string][]Combination{}
			for u, cs := range tc.verified {
				for _, c := range slices.Backward(cs) {
					verified[u] = RememberVerified(verified[u], c)
				}
			}
			got, says := Provenance(tc.c, tc.upstreams, verified)
			if !slices.Equal(got, tc.want) || says != tc.says {
				t.Errorf("Provenance = %v %q, want %v %q", got, says, tc.want, tc.says)
			}
		})
	}
}

func TestRememberVerified(t *testing.T) {
	var list []Combination
	for i := range 25 {
		list = RememberVerified(list, NewCollection(qref(string(rune('a'+i)), "images"), qref("c", "config")))
	}
	list = RememberVerified(list, NewCollection(qref("y", "images"), qref("c", "config")))
	if len(list) != maxVerifiedCombinations || list[0]["Warehouse/images"] != "y" || list[1]["Warehouse/images"] != "x" {
		t.Errorf("newest first, no duplicates, bounded: %v", list[:3])
	}
}
