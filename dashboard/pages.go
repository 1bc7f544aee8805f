package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// page is what layout.html renders around every page.
type page struct {
	Title   string
	Project string
	Flash   string // the last action's outcome
	Error   string // the last action's refusal, one line
	Data    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, status int, p page) {
	p.Flash, p.Error = r.URL.Query().Get("ok"), r.URL.Query().Get("error")
	var buf bytes.Buffer
	tmpl := "layout"
	if name == "live" {
		tmpl = "live"
	}
	if err := s.pages[name].ExecuteTemplate(&buf, tmpl, p); err != nil {
		s.log.Error("rendering", "page", name, "error", err)
		http.Error(w, "rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail answers a read that went wrong: 404 for a missing workflow.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadGateway
	if errors.Is(err, errNotFound) {
		status = http.StatusNotFound
	}
	s.render(w, r, "index", status, page{Title: "error", Error: err.Error()})
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	names, err := s.projects(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slices.Sort(names)
	if len(names) == 1 && r.URL.Query().Get("all") == "" {
		http.Redirect(w, r, "/projects/"+names[0], http.StatusSeeOther)
		return
	}
	s.render(w, r, "index", http.StatusOK, page{Title: "projects", Data: names})
}

func (s *Server) project(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")
	snap, err := s.snapshot(r.Context(), project)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "project", http.StatusOK, page{Title: project, Project: project, Data: s.projectView(snap)})
}

// live is the project page's live part alone; the script swaps it in.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")
	snap, err := s.snapshot(r.Context(), project)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("X-Version", snap.Version)
	s.render(w, r, "live", http.StatusOK, page{Project: project, Data: s.projectView(snap)})
}

// version answers the project's snapshot fingerprint: a few bytes a page
// polls every second.
func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot(r.Context(), r.PathValue("project"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(snap.Version))
}

// freightPage is a Freight with its artifacts, where it has been and
// where it may go.
type freightPage struct {
	Card    freightCard
	Freight railyard.Freight
	History []stageVisit
	UI      string
}

// stageVisit is one collection of a stage that held the Freight.
type stageVisit struct {
	Stage, Promotion, When string
	Verification           railyard.AnalysisPhase
	Current                bool
}

func (s *Server) freight(w http.ResponseWriter, r *http.Request) {
	project, id := r.PathValue("project"), r.PathValue("freight")
	snap, err := s.snapshot(r.Context(), project)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for wh, fs := range snap.Freight {
		for _, f := range fs {
			if !f.Matches(id) {
				continue
			}
			p := freightPage{Card: s.freightCard(snap, f, s.now()), Freight: f,
				UI: s.ui(railyard.PipelineWorkflowID(project, wh))}
			for _, st := range snap.Resources.Stages {
				for i, rec := range snap.Stages[st.Name].History {
					if rec.Collection.Has(f.ID) {
						p.History = append(p.History, stageVisit{Stage: st.Name, Promotion: rec.Promotion,
							When: when(rec.PromotedAt), Verification: rec.Verification.Phase, Current: i == 0})
					}
				}
			}
			s.render(w, r, "freight", http.StatusOK, page{Title: "Freight " + f.DisplayName(), Project: project, Data: p})
			return
		}
	}
	s.fail(w, r, fmt.Errorf("%w: Freight %s in project %s", errNotFound, id, project))
}

// stagePage is a stage with its collection history (and each one's
// verification) and its promotions.
type stagePage struct {
	View         stageView
	State        workflows.StageState
	Downstream   []string
	Upstream     []string
	Measurements []measurement
	Unmeasured   string // why the measurements could not be read
}

func (s *Server) stage(w http.ResponseWriter, r *http.Request) {
	project, name := r.PathValue("project"), r.PathValue("stage")
	snap, err := s.snapshot(r.Context(), project)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, ok := snap.Resources.Stage(name)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: stage %s in project %s", errNotFound, name, project))
		return
	}
	p := stagePage{View: s.stageView(snap, st, s.now()), State: snap.Stages[name]}
	p.Upstream = p.View.Upstream
	for _, other := range snap.Resources.Stages {
		for _, req := range other.Spec.RequestedFreight {
			if slices.Contains(req.Sources.Stages, name) && !slices.Contains(p.Downstream, other.Name) {
				p.Downstream = append(p.Downstream, other.Name)
			}
		}
	}
	if p.Measurements, err = s.measurements(r.Context(), railyard.StageWorkflowID(project, name)); err != nil {
		p.Unmeasured = err.Error()
	}
	s.render(w, r, "stage", http.StatusOK, page{Title: "Stage " + name, Project: project, Data: p})
}

// promotionPage is one promotion's steps.
type promotionPage struct {
	Status workflows.PromotionStatus
	UI     string
}

func (s *Server) promotion(w http.ResponseWriter, r *http.Request) {
	project, name := r.PathValue("project"), r.PathValue("promotion")
	stage, _, ok := strings.Cut(name, ".")
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: %s is not a promotion name (<stage>.<id>.<freight>)", errNotFound, name))
		return
	}
	id := railyard.PromotionWorkflowID(project, stage, name)
	var st workflows.PromotionStatus
	if err := s.query(r.Context(), id, workflows.QueryStatus, &st); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "promotion", http.StatusOK, page{Title: "Promotion " + name, Project: project,
		Data: promotionPage{Status: st, UI: s.ui(id)}})
}
