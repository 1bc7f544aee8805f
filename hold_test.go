package railyard

import (
	"maps"
	"testing"
)

func TestHoldsAfterManual(t *testing.T) {
	auto := RouteStage{Stage: "dev", AutoPromote: true}
	manual := RouteStage{Stage: "dev"}
	old := Hold{Freight: "old", Promotion: "dev.1"}
	newer := Hold{Freight: "f2", Promotion: "dev.2", Actor: "alice"}
	tests := []struct {
		name      string
		holds     Holds
		r         RouteStage
		candidate string
		want      Holds
	}{
		{"other Freight holds the stage", nil, auto, "f1", Holds{"dev": newer}},
		{"a new hold replaces the old", Holds{"dev": old}, auto, "f1", Holds{"dev": newer}},
		{"the candidate releases it", Holds{"dev": old, "uat": old}, auto, "f2", Holds{"uat": old}},
		{"no candidate: unchanged", Holds{"dev": old}, auto, "", Holds{"dev": old}},
		{"no auto-promotion: unchanged", nil, manual, "f1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.holds.AfterManual(tc.r, newer, tc.candidate)
			if !maps.Equal(got, tc.want) {
				t.Errorf("AfterManual = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHoldsDropStale(t *testing.T) {
	h := Hold{Freight: "f"}
	route := Route{{Stage: "dev", AutoPromote: true}, {Stage: "uat"}}
	tests := []struct {
		name        string
		holds, want Holds
	}{
		{"none", nil, nil},
		{"auto-promoting stage kept", Holds{"dev": h}, Holds{"dev": h}},
		{"stage no longer auto-promotes", Holds{"dev": h, "uat": h}, Holds{"dev": h}},
		{"stage left the route", Holds{"prod": h}, Holds{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.holds.DropStale(route)
			if !maps.Equal(tc.holds, tc.want) {
				t.Errorf("after DropStale: %v, want %v", tc.holds, tc.want)
			}
		})
	}
}
