package railyard

import (
	"slices"
	"strings"
	"testing"
)

// routeStage is a stage requesting the given origins, each from the given
// upstream stages (none: directly), with or without promotion steps.
func routeStage(name string, steps bool, upstream []string, origins ...string) Stage {
	s := Stage{Name: name}
	for _, o := range origins {
		src := FreightSources{Stages: upstream, Direct: len(upstream) == 0}
		s.Spec.RequestedFreight = append(s.Spec.RequestedFreight, FreightRequest{Origin: WarehouseOrigin(o), Sources: src})
	}
	if steps {
		s.Spec.PromotionTemplate = &PromotionTemplate{Spec: PromotionTemplateSpec{Steps: []PromotionStep{{Uses: "git-clone"}}}}
	}
	return s
}

func TestRouteOf(t *testing.T) {
	r := Resources{
		Config: ProjectConfig{PromotionPolicies: []PromotionPolicy{
			{Stage: "dev", AutoPromotionEnabled: true},
			{StageSelector: &StageSelector{Name: "uat"}, Warehouses: []string{"config"}, AutoPromotionEnabled: true},
		}},
		Stages: []Stage{
			routeStage("dev", true, nil, "images", "config"),
			routeStage("gate", false, []string{"dev"}, "images"),
			routeStage("uat", true, []string{"gate"}, "images", "config"),
			routeStage("other", true, nil, "config"),
		},
	}
	tests := []struct {
		warehouse string
		want      []string // stage:auto:controlFlow
	}{
		{"images", []string{"dev:true:false", "gate:false:true", "uat:false:false"}},
		{"config", []string{"dev:true:false", "uat:true:false", "other:false:false"}},
		{"nobody", nil},
	}
	for _, tc := range tests {
		t.Run(tc.warehouse, func(t *testing.T) {
			var got []string
			for _, s := range RouteOf(r, tc.warehouse) {
				if s.Request.Origin != WarehouseOrigin(tc.warehouse) {
					t.Errorf("%s: request of origin %s", s.Stage, s.Request.Origin)
				}
				got = append(got, strings.Join([]string{s.Stage, boolText(s.AutoPromote), boolText(s.ControlFlow)}, ":"))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("RouteOf(%s) = %v, want %v", tc.warehouse, got, tc.want)
			}
		})
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestRouteStage(t *testing.T) {
	route := Route{{Stage: "dev"}, {Stage: "uat"}}
	tests := []struct {
		name, stage, err string
	}{
		{"found", "uat", ""},
		{"missing", "prod", `stage "prod" does not request Freight from warehouse "app" (stages that do: dev, uat)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := route.Stage(tc.stage, "app")
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Stage(%s) error = %v, want %s", tc.stage, err, tc.err)
				}
				return
			}
			if err != nil || r.Stage != tc.stage {
				t.Fatalf("Stage(%s) = %+v, %v", tc.stage, r, err)
			}
		})
	}
}

func TestDownstream(t *testing.T) {
	stages := []Stage{
		routeStage("dev", true, nil, "app"),
		routeStage("uat", true, []string{"dev"}, "app", "config"),
		routeStage("qa", true, []string{"dev", "uat"}, "app"),
		routeStage("prod", true, []string{"uat", "qa"}, "app"),
	}
	tests := []struct {
		stage string
		want  []string
	}{
		{"dev", []string{"uat", "qa"}},
		{"uat", []string{"qa", "prod"}},
		{"prod", nil},
	}
	for _, tc := range tests {
		t.Run(tc.stage, func(t *testing.T) {
			if got := Downstream(stages, tc.stage); !slices.Equal(got, tc.want) {
				t.Errorf("Downstream(%s) = %v, want %v", tc.stage, got, tc.want)
			}
		})
	}
}
