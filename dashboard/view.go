package dashboard

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// maxTimeline is how many Freight a Warehouse's timeline shows.
const maxTimeline = 12

// projectView is the project page's live part.
type projectView struct {
	Project    string
	Version    string
	ReadFor    time.Duration
	Warehouses []warehouseView
	Graph      Graph
	Nodes      []nodeView
	Unreadable []string
	UI         string // Web UI link of the Project workflow
}

type warehouseView struct {
	Name      string
	Discovery railyard.DiscoveryStatus
	Freight   []freightCard
	More      int
	UI        string
}

// freightCard is one Freight in a timeline or on its own page.
type freightCard struct {
	ID, Short, Alias, Name, Warehouse, Age string
	Artifacts                              []string
	In, Verified, Approved, Soaking        []string
	Options                                []promoteOption
}

// promoteOption is one stage a Freight could go to: offered when
// available, else with the reason.
type promoteOption struct {
	Stage     string
	Available bool
	Approved  bool
	Reason    string
}

type nodeView struct {
	Node
	Stage stageView
}

type stageView struct {
	Name          string
	Slots         []slotView
	Verification  workflows.VerificationRecord
	Provenance    string // as the Stage says it: "combination verified in uat"
	ProvenanceBad bool
	Waiting       []string
	Current       *workflows.PromotionRecord
	Queued        []railyard.PromotionRequest
	Upstream      []string
	UI            string
}

type slotView struct {
	Origin, Freight, FreightID, Age string
}

// ui links a workflow to the Temporal Web UI, or is empty without one.
func (s *Server) ui(workflowID string) string {
	if s.uiURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", strings.TrimSuffix(s.uiURL, "/"),
		url.PathEscape(s.namespace), url.PathEscape(workflowID))
}

func (s *Server) projectView(snap *snapshot) projectView {
	now := s.now()
	v := projectView{Project: snap.Project, Version: snap.Version, ReadFor: snap.ReadFor,
		Unreadable: snap.Unreadable, UI: s.ui(railyard.ProjectWorkflowID(snap.Project))}
	for _, w := range snap.Resources.Warehouses {
		wv := warehouseView{Name: w.Name, Discovery: snap.Pipelines[w.Name].Discovery,
			UI: s.ui(railyard.PipelineWorkflowID(snap.Project, w.Name))}
		fs := snap.Freight[w.Name]
		for i, f := range fs {
			if i == maxTimeline {
				wv.More = len(fs) - i
				break
			}
			wv.Freight = append(wv.Freight, s.freightCard(snap, f, now))
		}
		v.Warehouses = append(v.Warehouses, wv)
	}
	var in []GraphInput
	stages := map[string]stageView{}
	for _, st := range snap.Resources.Stages {
		sv := s.stageView(snap, st, now)
		stages[st.Name] = sv
		in = append(in, GraphInput{Name: st.Name, Upstream: sv.Upstream, Lines: sv.lines()})
	}
	v.Graph = LayOut(in)
	for _, n := range v.Graph.Nodes {
		v.Nodes = append(v.Nodes, nodeView{Node: n, Stage: stages[n.Name]})
	}
	return v
}

// lines is how many lines the stage's node holds (see node in project.html).
func (v stageView) lines() int {
	n := 2 + len(v.Slots) + len(v.Waiting) + min(len(v.Queued), maxQueued)
	if v.Provenance != "" {
		n++
	}
	if v.Current != nil {
		n++
		if v.Current.Message != "" {
			n++ // what the running step waits for
		}
	}
	if len(v.Queued) > maxQueued {
		n++
	}
	if v.Verification.Phase == railyard.AnalysisRunning || v.Verification.Phase == railyard.AnalysisPending {
		n++ // "Abort verification" wraps the actions onto a second line
	}
	return n
}

// maxQueued is how many queued promotions a node lists.
const maxQueued = 3

func (s *Server) stageView(snap *snapshot, st railyard.Stage, now time.Time) stageView {
	state := snap.Stages[st.Name]
	v := stageView{Name: st.Name, Current: state.Current, UI: s.ui(railyard.StageWorkflowID(snap.Project, st.Name))}
	var cur workflows.CollectionRecord
	if len(state.History) > 0 {
		cur = state.History[0]
	}
	for _, req := range st.Spec.RequestedFreight {
		for _, u := range req.Sources.Stages {
			if !slices.Contains(v.Upstream, u) {
				v.Upstream = append(v.Upstream, u)
			}
		}
		slot := slotView{Origin: req.Origin.Name, Freight: "empty"}
		if ref, ok := cur.Collection.Get(req.Origin); ok {
			slot.Freight, slot.FreightID, slot.Age = ref.DisplayName(), ref.ID, age(cur.PromotedAt, now)
			for _, rec := range state.History {
				if r, ok := rec.Collection.Get(req.Origin); ok && r.ID == ref.ID {
					slot.Age = age(rec.PromotedAt, now) // since this Freight entered
				}
			}
		}
		v.Slots = append(v.Slots, slot)
	}
	v.Verification = cur.Verification
	v.Provenance, v.ProvenanceBad = cur.Provenance, cur.Provenance != "" && len(cur.VerifiedUpstream) == 0
	v.Queued = append(append(v.Queued, state.Queue.Pending...), state.Queue.Parked...)
	for _, r := range v.Queued {
		if r.Waiting != "" && !slices.Contains(v.Waiting, r.Waiting) {
			v.Waiting = append(v.Waiting, r.Waiting)
		}
	}
	return v
}

func (s *Server) freightCard(snap *snapshot, f railyard.Freight, now time.Time) freightCard {
	c := freightCard{ID: f.ID, Short: f.ShortID(), Alias: f.Alias, Name: f.DisplayName(), Warehouse: f.Origin.Name,
		Age: age(f.DiscoveredAt, now), Artifacts: f.ArtifactNames(" "), In: keys(f.Status.CurrentlyIn),
		Verified: keys(f.Status.VerifiedIn), Approved: keys(f.Status.ApprovedFor)}
	for _, st := range snap.Resources.Stages {
		req, ok := st.Spec.Request(f.Origin)
		if !ok {
			continue
		}
		for _, up := range req.Sources.Stages {
			if left := f.Status.SoakRemaining(up, req.Sources.RequiredSoakTime.Duration(), now); left > 0 {
				c.Soaking = append(c.Soaking, fmt.Sprintf("%s (%s left for %s)", up, left.Round(time.Second), st.Name))
			}
		}
		if _, in := f.Status.CurrentlyIn[st.Name]; in {
			continue
		}
		_, approved := f.Status.ApprovedFor[st.Name]
		o := promoteOption{Stage: st.Name, Available: f.Status.AvailableTo(st.Name, req, now), Approved: approved}
		if !o.Available {
			o.Reason = unavailable(f.Status, req, now)
		}
		c.Options = append(c.Options, o)
	}
	return c
}

// unavailable says why Freight may not go to a stage yet.
func unavailable(s railyard.FreightStatus, req railyard.FreightRequest, now time.Time) string {
	soak := req.Sources.RequiredSoakTime.Duration()
	var why []string
	for _, up := range req.Sources.Stages {
		if _, ok := s.VerifiedIn[up]; !ok {
			why = append(why, "not verified in "+up)
		} else if left := s.SoakRemaining(up, soak, now); left > 0 || !s.SoakedIn(up, soak, now) {
			why = append(why, fmt.Sprintf("soaking in %s (needs %s)", up, soak))
		}
	}
	if len(why) == 0 {
		return "not available"
	}
	sep := " and "
	if req.Sources.AvailabilityStrategy != railyard.AvailableAll {
		sep = " or "
	}
	return strings.Join(why, sep)
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// age is a short duration since t ("42s", "5m", "3h", "2d"), or "" for a
// zero time.
func age(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// oneLine keeps the first line of a message.
func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
