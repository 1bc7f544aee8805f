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

func commitFreight(sha string) Freight {
	return Freight{Commits: []GitCommit{{RepoURL: "https://git.example/app.git", ID: sha}}}
}

func TestTimelineAdd(t *testing.T) {
	old := commitFreight("aaa")
	old.ID, old.Origin = old.ComputeID(), WarehouseOrigin("app")
	old.Alias = "calm-otter"
	old.Status = verifiedIn("dev", t0, 0)
	named := commitFreight("bbb")
	named.Alias = "release-1"
	taken := commitFreight("ccc")
	taken.Alias = "calm-otter"
	stale := commitFreight("ddd")
	stale.Status = verifiedIn("prod", t0, 0)
	other := commitFreight("eee")
	other.Origin = WarehouseOrigin("elsewhere")
	tests := []struct {
		name   string
		f      Freight
		added  bool
		alias  string // "" for generated
		origin string
	}{
		{"existing artifacts", commitFreight("aaa"), false, "calm-otter", "app"},
		{"alias kept", named, true, "release-1", "app"},
		{"taken alias replaced", taken, true, "", "app"},
		{"status cleared", stale, true, "", "app"},
		{"origin kept", other, true, "", "elsewhere"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := Timeline{old}
			got, f, added := tl.Add(tc.f, "app", t0.Add(time.Hour))
			if added != tc.added || f.ID != tc.f.ComputeID() {
				t.Fatalf("added = %v, ID %q; want %v and the computed ID", added, f.ID, tc.added)
			}
			if !added {
				if len(got) != 1 || got[0].Alias != tc.alias {
					t.Fatalf("timeline changed: %+v", got)
				}
				return
			}
			if len(got) != 2 || got[0].ID != f.ID || got[1].ID != old.ID {
				t.Fatalf("timeline = %+v, want the new Freight first", got)
			}
			switch {
			case tc.alias != "" && f.Alias != tc.alias:
				t.Errorf("alias = %q, want %q", f.Alias, tc.alias)
			case tc.alias == "" && (f.Alias == "" || f.Alias == old.Alias || ValidAlias(f.Alias) != nil):
				t.Errorf("generated alias %q", f.Alias)
			}
			if f.Origin.Name != tc.origin || !f.DiscoveredAt.Equal(t0.Add(time.Hour)) || len(f.Status.VerifiedIn) > 0 {
				t.Errorf("added %+v", f)
			}
		})
	}
}

func TestTimelineTrim(t *testing.T) {
	held := FreightStatus{CurrentlyIn: map[string]time.Time{"prod": t0}}
	approved := FreightStatus{ApprovedFor: map[string]time.Time{"prod": t0}}
	tl := func(statuses ...FreightStatus) Timeline {
		var out Timeline
		for i, s := range statuses {
			out = append(out, Freight{ID: string(rune('a' + i)), Status: s})
		}
		return out
	}
	ids := func(t Timeline) string {
		s := ""
		for _, f := range t {
			s += f.ID
		}
		return s
	}
	none := FreightStatus{}
	tests := []struct {
		name string
		tl   Timeline
		want string
	}{
		{"short enough", tl(none, none), "ab"},
		{"oldest dropped", tl(none, none, none, none), "ab"},
		{"held and approved kept", tl(none, none, held, none, approved), "abce"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.tl.Trim(2)); got != tc.want {
				t.Errorf("Trim(2) = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTimelineCheckAlias(t *testing.T) {
	tl := Timeline{{ID: "a", Alias: "calm-otter"}}
	tests := []struct {
		alias, err string
	}{
		{"bold-yak", ""},
		{"calm-otter", `alias "calm-otter" is taken`},
		{"Not_Valid", `alias "Not_Valid": use lower-case letters, digits and '-', at most 63 characters`},
	}
	for _, tc := range tests {
		t.Run(tc.alias, func(t *testing.T) {
			err := tl.CheckAlias(tc.alias)
			if (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
				t.Errorf("CheckAlias(%q) = %v, want %q", tc.alias, err, tc.err)
			}
			if taken := tl.AliasTaken(tc.alias); taken != (tc.alias == "calm-otter") {
				t.Errorf("AliasTaken(%q) = %v", tc.alias, taken)
			}
		})
	}
}

func TestTimelineStageChanged(t *testing.T) {
	at := t0.Add(time.Hour)
	tests := []struct {
		name       string
		verified   bool
		in, left   string // Freight in uat afterwards, and the one that left it
		verifiedIn bool   // whether the Freight in uat is verified there
	}{
		{"promoted", false, "b", "a", false},
		{"verified", true, "b", "a", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := Timeline{{ID: "a", Status: verifiedIn("uat", t0, 0)}, {ID: "b"}}
			tl.StageChanged("uat", NewCollection(FreightRef{ID: "b", Origin: WarehouseOrigin("app")}), tc.verified, at)
			inUAT := func(f Freight) bool { _, ok := f.Status.CurrentlyIn["uat"]; return ok }
			if !inUAT(tl[1]) || inUAT(tl[0]) {
				t.Fatalf("in uat: a %v, b %v; want b only", inUAT(tl[0]), inUAT(tl[1]))
			}
			if _, ok := tl[1].Status.VerifiedIn["uat"]; ok != tc.verifiedIn {
				t.Errorf("b verified in uat: %v, want %v", ok, tc.verifiedIn)
			}
			if got := tl[0].Status.VerifiedIn["uat"].LongestSoak; got != time.Hour {
				t.Errorf("a's longest soak in uat = %s, want 1h", got)
			}
		})
	}
}

func TestTimelineTakeAliases(t *testing.T) {
	tests := []struct {
		name    string
		aliases map[string]string
		want    [2]string
	}{
		{"renamed", map[string]string{"a": "first"}, [2]string{"first", "bold-yak"}},
		{"invalid ignored", map[string]string{"a": "Not Valid"}, [2]string{"calm-otter", "bold-yak"}},
		{"taken ignored", map[string]string{"a": "bold-yak"}, [2]string{"calm-otter", "bold-yak"}},
		{"unknown Freight ignored", map[string]string{"zzz": "new"}, [2]string{"calm-otter", "bold-yak"}},
		{"first by ID wins a clash", map[string]string{"b": "same", "a": "same"}, [2]string{"same", "bold-yak"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := Timeline{{ID: "a", Alias: "calm-otter"}, {ID: "b", Alias: "bold-yak"}}
			tl.TakeAliases(tc.aliases)
			if got := [2]string{tl[0].Alias, tl[1].Alias}; got != tc.want {
				t.Errorf("aliases = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTimelineApplyMetadata(t *testing.T) {
	tests := []struct {
		name string
		u    MetadataUpdate
		want any // a's "k" afterwards
	}{
		{"by ID", MetadataUpdate{Kind: MetadataKindFreight, Name: "a", Values: map[string]any{"k": "v"}}, "v"},
		{"by alias ignored", MetadataUpdate{Kind: MetadataKindFreight, Name: "calm-otter", Values: map[string]any{"k": 1}}, nil},
		{"stage update ignored", MetadataUpdate{Kind: MetadataKindStage, Name: "a", Values: map[string]any{"k": "v"}}, nil},
		{"other Freight ignored", MetadataUpdate{Kind: MetadataKindFreight, Name: "zzz", Values: map[string]any{"k": "v"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := Timeline{{ID: "a", Alias: "calm-otter"}}
			tl.ApplyMetadata([]MetadataUpdate{tc.u})
			if got := tl[0].Status.Metadata["k"]; got != tc.want {
				t.Errorf("metadata k = %v, want %v", got, tc.want)
			}
		})
	}
}
