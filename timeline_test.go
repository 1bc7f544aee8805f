package railyard

import (
	"testing"
	"time"
)

func TestTimelineFind(t *testing.T) {
	tl := Timeline{{ID: "0123456789abcdef", Alias: "calm-otter"}, {ID: "fedcba9876543210", Alias: "bold-yak"}}
	tests := []struct {
		s    string
		want int
	}{
		{"fedcba9876543210", 1},
		{"calm-otter", 0},
		{"fedcba9", 1},
		{"fedcba", -1}, // a short ID has 7 characters at least
		{"", -1},
		{"nobody", -1},
	}
	for _, tc := range tests {
		t.Run(tc.s+"_", func(t *testing.T) {
			if got := tl.Find(tc.s); got != tc.want {
				t.Errorf("Find(%q) = %d, want %d", tc.s, got, tc.want)
			}
		})
	}
}

func TestTimelineSoakWait(t *testing.T) {
	req := FreightRequest{Sources: FreightSources{Stages: []string{"uat", "qa"}, RequiredSoakTime: "1h"}}
	now := t0.Add(20 * time.Minute)
	tests := []struct {
		name string
		tl   Timeline
		req  FreightRequest
		want time.Duration
	}{
		{"nothing verified", Timeline{{ID: "a"}}, req, 0},
		{"one soaking", Timeline{{ID: "a", Status: verifiedIn("uat", t0, 0)}}, req, 40 * time.Minute},
		{"the soonest of two", Timeline{{ID: "a", Status: verifiedIn("uat", t0, 0)},
			{ID: "b", Status: verifiedIn("qa", t0.Add(-30*time.Minute), 0)}}, req, 10 * time.Minute},
		{"soaked already", Timeline{{ID: "a", Status: verifiedIn("uat", t0.Add(-2*time.Hour), 0)}}, req, 0},
		{"no soak required", Timeline{{ID: "a", Status: verifiedIn("uat", t0, 0)}},
			FreightRequest{Sources: FreightSources{Stages: []string{"uat"}}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.tl.SoakWait(tc.req, now); got != tc.want {
				t.Errorf("SoakWait = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTimelineAutoPromotion(t *testing.T) {
	soak := FreightRequest{Sources: FreightSources{Stages: []string{"dev"}, RequiredSoakTime: "1h"}}
	direct := FreightRequest{Sources: FreightSources{Direct: true}}
	newest := Freight{ID: "new", DiscoveredAt: t0.Add(time.Hour)}
	inProd := Freight{ID: "new", DiscoveredAt: t0.Add(time.Hour), Status: FreightStatus{CurrentlyIn: map[string]time.Time{"prod": t0}}}
	soaking := Freight{ID: "old", DiscoveredAt: t0, Status: verifiedIn("dev", t0.Add(90*time.Minute), 0)}
	soaked := Freight{ID: "old", DiscoveredAt: t0, Status: verifiedIn("dev", t0, 0)}
	now := t0.Add(2 * time.Hour)
	auto := func(req FreightRequest) RouteStage { return RouteStage{Stage: "prod", Request: req, AutoPromote: true} }
	tests := []struct {
		name      string
		tl        Timeline
		r         RouteStage
		holds     Holds
		requested string
		ask       string // "" for none
		wait      time.Duration
	}{
		{"newest, direct", Timeline{newest}, auto(direct), nil, "", "new", 0},
		{"no auto-promotion", Timeline{newest}, RouteStage{Stage: "prod", Request: direct}, nil, "", "", 0},
		{"control flow", Timeline{newest}, RouteStage{Stage: "prod", Request: direct, AutoPromote: true, ControlFlow: true}, nil, "", "", 0},
		{"held", Timeline{newest}, auto(direct), Holds{"prod": {Freight: "x"}}, "", "", 0},
		{"held elsewhere", Timeline{newest}, auto(direct), Holds{"uat": {Freight: "x"}}, "", "new", 0},
		{"asked already", Timeline{newest}, auto(direct), nil, "new", "", 0},
		{"in the stage already", Timeline{inProd}, auto(direct), nil, "", "", 0},
		{"soaking: wait", Timeline{newest, soaking}, auto(soak), nil, "", "", 30 * time.Minute},
		{"soaked", Timeline{newest, soaked}, auto(soak), nil, "", "old", 0},
		{"nothing available", Timeline{newest}, auto(soak), nil, "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ask, wait := tc.tl.AutoPromotion(tc.r, tc.holds, tc.requested, now)
			got := ""
			if ask {
				got = f.ID
			}
			if got != tc.ask || wait != tc.wait {
				t.Errorf("AutoPromotion = %q, %s; want %q, %s", got, wait, tc.ask, tc.wait)
			}
		})
	}
}

func TestTimelinePassControlFlow(t *testing.T) {
	gate := RouteStage{Stage: "gate", ControlFlow: true, Request: FreightRequest{Sources: FreightSources{Stages: []string{"dev"}}}}
	plain := gate
	plain.ControlFlow = false
	tests := []struct {
		name   string
		r      RouteStage
		status FreightStatus
		want   bool // verified in gate afterwards
	}{
		{"available: passed", gate, verifiedIn("dev", t0, 0), true},
		{"not available", gate, FreightStatus{}, false},
		{"not a control-flow stage", plain, verifiedIn("dev", t0, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := Timeline{{ID: "a", Status: tc.status}}
			tl.PassControlFlow(tc.r, t0.Add(time.Minute))
			v, ok := tl[0].Status.VerifiedIn["gate"]
			if ok != tc.want || (ok && !v.VerifiedAt.Equal(t0.Add(time.Minute))) {
				t.Errorf("verified in gate: %v (%+v), want %v", ok, v, tc.want)
			}
		})
	}
}
