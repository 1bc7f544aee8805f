package railyard

import (
	"maps"
	"slices"
	"testing"
)

func TestUpstreamSaw(t *testing.T) {
	i1, i2, c1 := qref("i1", "images"), qref("i2", "images"), qref("c1", "config")
	tests := []struct {
		name     string
		seen     []Collection // in order, each with verified below
		verified []bool
		want     []Combination // dev's verified combinations, newest first
		current  string
	}{
		{"held, not verified", []Collection{NewCollection(i1, c1)}, []bool{false}, nil, "i1"},
		{"verified", []Collection{NewCollection(i1, c1)}, []bool{true}, []Combination{{"Warehouse/images": "i1", "Warehouse/config": "c1"}}, "i1"},
		{"newest first, current moves on", []Collection{NewCollection(i1, c1), NewCollection(i2, c1), NewCollection(i2, c1)},
			[]bool{true, true, false}, []Combination{
				{"Warehouse/images": "i2", "Warehouse/config": "c1"}, {"Warehouse/images": "i1", "Warehouse/config": "c1"}}, "i2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u Upstream
			for i, c := range tc.seen {
				u = u.Saw("dev", c, tc.verified[i])
			}
			v := u["dev"]
			if !slices.EqualFunc(v.Verified, tc.want, func(a, b Combination) bool { return maps.Equal(a, b) }) {
				t.Errorf("verified = %v, want %v", v.Verified, tc.want)
			}
			if !v.Current.Has(tc.current) || v.CurrentVerified != tc.verified[len(tc.verified)-1] {
				t.Errorf("current = %s (verified %v)", v.Current.Summary(), v.CurrentVerified)
			}
			if got := u.Verified()["dev"]; len(got) != len(tc.want) {
				t.Errorf("Verified() = %v", got)
			}
		})
	}
}

func TestUpstreamGate(t *testing.T) {
	i1, i2, c1 := qref("i1", "images"), qref("i2", "images"), qref("c1", "config")
	spec := func(require bool) StageSpec {
		src := FreightSources{Stages: []string{"dev"}, RequireVerifiedCombination: require}
		return StageSpec{RequestedFreight: []FreightRequest{
			{Origin: WarehouseOrigin("images"), Sources: src}, {Origin: WarehouseOrigin("config"), Sources: src}}}
	}
	devHolds := func(c Collection, verified ...Collection) Upstream {
		var u Upstream
		for _, v := range verified {
			u = u.Saw("dev", v, true)
		}
		return u.Saw("dev", c, false)
	}
	autoI2 := PromotionRequest{Targets: []FreightRef{i2}, Auto: true}
	tests := []struct {
		name          string
		spec          StageSpec
		u             Upstream
		r             PromotionRequest
		waiting, drop bool
	}{
		{"no verified combination required", spec(false), devHolds(NewCollection(i2, c1)), autoI2, false, false},
		{"manual requests are not gated", spec(true), devHolds(NewCollection(i2, c1)), PromotionRequest{Targets: []FreightRef{i2}}, false, false},
		{"combination verified upstream", spec(true), devHolds(NewCollection(i2, c1), NewCollection(i2, c1)), autoI2, false, false},
		{"not verified yet: wait", spec(true), devHolds(NewCollection(i2, c1), NewCollection(i1, c1)), autoI2, true, false},
		{"upstream moved on: drop", spec(true), devHolds(NewCollection(i1, c1), NewCollection(i1, c1)), autoI2, false, true},
		{"no upstream stages", StageSpec{RequestedFreight: []FreightRequest{{Origin: WarehouseOrigin("images"),
			Sources: FreightSources{Direct: true, RequireVerifiedCombination: true}}}}, nil, autoI2, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			waiting, drop := tc.u.Gate(tc.spec, tc.r, NewCollection(i2, c1))
			if (waiting != "") != tc.waiting || (drop != "") != tc.drop {
				t.Fatalf("Gate = %q, %q; want waiting %v, drop %v", waiting, drop, tc.waiting, tc.drop)
			}
			if tc.waiting && waiting != "waiting until config=c1, images=i2 is verified upstream" {
				t.Errorf("waiting = %q", waiting)
			}
		})
	}
}

func TestUpstreamTake(t *testing.T) {
	i1, c1, f1 := qref("i1", "images"), qref("c1", "config"), qref("f1", "flags")
	spec := routeStage("prod", true, []string{"uat"}, "images", "config").Spec
	verified := Upstream{}.Saw("uat", NewCollection(i1, c1, f1), true)
	tests := []struct {
		name, from string
		spec       StageSpec
		u          Upstream
		want       []string // IDs taken
		err        string
	}{
		{"the requested slots", "uat", spec, verified, []string{"c1", "i1"}, ""},
		{"control flow", "uat", routeStage("prod", false, []string{"uat"}, "images").Spec, verified, nil,
			"stage prod is a control-flow stage: it has no promotion steps"},
		{"not upstream", "dev", spec, verified, nil, `stage prod does not take Freight from stage "dev" (upstream: uat)`},
		{"nothing requested there", "uat", spec, Upstream{}.Saw("uat", NewCollection(f1), true), nil,
			"stage uat holds no Freight that prod requests"},
		{"not verified", "uat", spec, Upstream{}.Saw("uat", NewCollection(i1, c1), false), nil,
			"the collection in uat (config=c1, images=i1) is not verified"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.u.Take("prod", tc.spec, tc.from)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Take error = %v, want %s", err, tc.err)
				}
				return
			}
			var got []string
			for _, r := range c.Refs() {
				got = append(got, r.ID)
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("Take = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
