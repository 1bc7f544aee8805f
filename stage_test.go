package railyard

import (
	"slices"
	"testing"
)

func TestStageSpecOriginsAndUpstreams(t *testing.T) {
	tests := []struct {
		name      string
		spec      StageSpec
		origins   []FreightOrigin
		upstreams []string
	}{
		{"nothing requested", StageSpec{}, nil, nil},
		{"direct", routeStage("dev", true, nil, "app").Spec, []FreightOrigin{WarehouseOrigin("app")}, nil},
		{"two slots, shared upstreams once", StageSpec{RequestedFreight: []FreightRequest{
			{Origin: WarehouseOrigin("app"), Sources: FreightSources{Stages: []string{"uat", "qa"}}},
			{Origin: WarehouseOrigin("config"), Sources: FreightSources{Stages: []string{"qa", "dev"}}},
		}}, []FreightOrigin{WarehouseOrigin("app"), WarehouseOrigin("config")}, []string{"uat", "qa", "dev"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.spec.Origins(); !slices.Equal(got, tc.origins) {
				t.Errorf("Origins = %v, want %v", got, tc.origins)
			}
			if got := tc.spec.Upstreams(); !slices.Equal(got, tc.upstreams) {
				t.Errorf("Upstreams = %v, want %v", got, tc.upstreams)
			}
		})
	}
}

func TestVerificationConfigured(t *testing.T) {
	tests := []struct {
		name string
		v    *Verification
		want bool
	}{
		{"none", nil, false},
		{"no templates", &Verification{Args: []AnalysisRunArgument{{Name: "x"}}}, false},
		{"a template", &Verification{AnalysisTemplates: []AnalysisTemplateRef{{Name: "smoke"}}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.v.Configured(); got != tc.want {
				t.Errorf("Configured = %v, want %v", got, tc.want)
			}
		})
	}
}
