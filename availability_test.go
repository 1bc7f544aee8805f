package railyard

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func verifiedIn(stage string, since time.Time, longest time.Duration) FreightStatus {
	return FreightStatus{CurrentlyIn: map[string]time.Time{stage: since},
		VerifiedIn: map[string]VerifiedInfo{stage: {VerifiedAt: since, LongestSoak: longest}}}
}

func TestAvailableTo(t *testing.T) {
	fromUAT := FreightRequest{Origin: WarehouseOrigin("app"), Sources: FreightSources{Stages: []string{"uat"}}}
	soak := fromUAT
	soak.Sources.RequiredSoakTime = "1h"
	all := FreightRequest{Sources: FreightSources{Stages: []string{"a", "b"}, AvailabilityStrategy: AvailableAll}}
	oneOf := FreightRequest{Sources: FreightSources{Stages: []string{"a", "b"}}}
	inA := verifiedIn("a", t0, 0)
	cases := []struct {
		name   string
		status FreightStatus
		req    FreightRequest
		now    time.Time
		want   bool
	}{
		{"direct", FreightStatus{}, FreightRequest{Sources: FreightSources{Direct: true}}, t0, true},
		{"not verified upstream", FreightStatus{}, fromUAT, t0, false},
		{"verified upstream", verifiedIn("uat", t0, 0), fromUAT, t0, true},
		{"approved", FreightStatus{ApprovedFor: map[string]time.Time{"prod": t0}}, fromUAT, t0, true},
		{"verified, soaking", verifiedIn("uat", t0, 0), soak, t0.Add(30 * time.Minute), false},
		{"verified, soaked in place", verifiedIn("uat", t0, 0), soak, t0.Add(time.Hour), true},
		{"verified, soaked earlier and left", FreightStatus{VerifiedIn: map[string]VerifiedInfo{"uat": {LongestSoak: 2 * time.Hour}}}, soak, t0, true},
		{"OneOf: one of two", inA, oneOf, t0, true},
		{"All: one of two", inA, all, t0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.status.AvailableTo("prod", tc.req, tc.now); got != tc.want {
				t.Errorf("AvailableTo = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLeaveStageKeepsLongestSoak(t *testing.T) {
	s := FreightStatus{}
	s.EnterStage("uat", t0)
	s.Verify("uat", t0)
	s.LeaveStage("uat", t0.Add(90*time.Minute))
	if _, in := s.CurrentlyIn["uat"]; in || s.VerifiedIn["uat"].LongestSoak != 90*time.Minute {
		t.Fatalf("status after leaving = %+v", s)
	}
	if s.SoakRemaining("uat", time.Hour, t0) != 0 || !s.SoakedIn("uat", time.Hour, t0) {
		t.Error("a soak completed earlier no longer counts")
	}
}

func TestAutoPromotionCandidate(t *testing.T) {
	newer := Freight{ID: "new", DiscoveredAt: t0.Add(time.Hour)}
	older := Freight{ID: "old", DiscoveredAt: t0, Status: verifiedIn("uat", t0, 0)}
	timeline := []Freight{newer, older}
	fromUAT := FreightRequest{Sources: FreightSources{Stages: []string{"uat"}}}
	match := FreightRequest{Sources: FreightSources{Stages: []string{"uat"},
		AutoPromotionOptions: &AutoPromotionOptions{SelectionPolicy: SelectMatchUpstream}}}
	cases := []struct {
		name string
		req  FreightRequest
		want string
	}{
		{"newest available, not newest", fromUAT, "old"},
		{"direct takes the newest", FreightRequest{Sources: FreightSources{Direct: true}}, "new"},
		{"match upstream", match, "old"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := AutoPromotionCandidate(timeline, "prod", tc.req, t0.Add(2*time.Hour))
			if !ok || f.ID != tc.want {
				t.Errorf("candidate = %q (%v), want %q", f.ID, ok, tc.want)
			}
		})
	}
}

func TestAutoPromotionPolicies(t *testing.T) {
	cfg := ProjectConfig{PromotionPolicies: []PromotionPolicy{
		{StageSelector: &StageSelector{Name: "prod"}, AutoPromotionEnabled: false},
		{StageSelector: &StageSelector{Name: "glob:*-uat"}, AutoPromotionEnabled: true, Warehouses: []string{"images"}},
		{StageSelector: &StageSelector{Name: "regex:^dev"}, AutoPromotionEnabled: true},
		{StageSelector: &StageSelector{MatchLabels: map[string]string{"tier": "edge"}}, AutoPromotionEnabled: true},
		{Stage: "legacy", AutoPromotionEnabled: true},
	}}
	cases := []struct {
		stage     Stage
		warehouse string
		want      bool
	}{
		{Stage{Name: "prod"}, "images", false},
		{Stage{Name: "eu-uat"}, "images", true},
		{Stage{Name: "eu-uat"}, "config", false},
		{Stage{Name: "dev-1"}, "config", true},
		{Stage{Name: "cdn", Labels: map[string]string{"tier": "edge"}}, "x", true},
		{Stage{Name: "legacy"}, "x", true},
		{Stage{Name: "other"}, "x", false},
	}
	for _, tc := range cases {
		t.Run(tc.stage.Name+"/"+tc.warehouse, func(t *testing.T) {
			if got := cfg.AutoPromotionEnabled(tc.stage, tc.warehouse); got != tc.want {
				t.Errorf("AutoPromotionEnabled = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPromotionNamesSortInCreationOrder(t *testing.T) {
	a := PromotionName("uat", t0, 1, "abcdef0123")
	b := PromotionName("uat", t0, 2, "0000000")
	c := PromotionName("uat", t0.Add(time.Millisecond), 1, "ffff")
	if !(a < b && b < c) {
		t.Errorf("names do not sort in creation order: %s %s %s", a, b, c)
	}
	if PromotionWorkflowID("p", "uat", a) != "p/promotion/uat/"+a || a[len(a)-8:] != ".abcdef0" {
		t.Errorf("name %s", a)
	}
}

func TestGenerateAlias(t *testing.T) {
	first := GenerateAlias("w/f1", func(string) bool { return false })
	if first != GenerateAlias("w/f1", func(string) bool { return false }) {
		t.Error("aliases are not deterministic")
	}
	second := GenerateAlias("w/f1", func(a string) bool { return a == first })
	if second == first || ValidAlias(first) != nil || ValidAlias(second) != nil {
		t.Errorf("aliases %q, %q", first, second)
	}
}

func TestUnavailableReason(t *testing.T) {
	tests := []struct {
		name string
		src  FreightSources
		want string
	}{
		{"one upstream", FreightSources{Stages: []string{"uat"}},
			"not verified in upstream stage uat, and not approved for it"},
		{"one of two, soaked", FreightSources{Stages: []string{"uat", "qa"}, RequiredSoakTime: "1h"},
			"not verified in upstream stage uat or qa for 1h, and not approved for it"},
		{"all", FreightSources{Stages: []string{"uat", "qa"}, AvailabilityStrategy: AvailableAll},
			"not verified in every upstream stage (uat, qa), and not approved for it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := UnavailableReason(FreightRequest{Sources: tc.src}); got != tc.want {
				t.Errorf("UnavailableReason = %q, want %q", got, tc.want)
			}
		})
	}
}
