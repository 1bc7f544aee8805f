package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// Actor names the dashboard in the promotions and approvals it asks for.
const Actor = "dashboard"

// action does one thing a form asks and says what happened.
type action func(ctx context.Context, project string, form url.Values) (string, error)

// actions are the POST endpoints, by path under /projects/{project}/.
func (s *Server) actions() map[string]http.HandlerFunc {
	all := map[string]action{
		"promote":            s.promote,
		"promote-collection": s.promoteCollection,
		"approve":            s.approve,
		"verify":             s.verify,
		"abort":              s.abort,
		"refresh":            s.refresh,
	}
	out := map[string]http.HandlerFunc{}
	for name, act := range all {
		out[name] = func(w http.ResponseWriter, r *http.Request) { s.act(w, r, name, act) }
	}
	return out
}

// act runs an action and sends the browser back to the page it came from
// (POST, redirect, GET), with the outcome or the one-line refusal.
func (s *Server) act(w http.ResponseWriter, r *http.Request, name string, act action) {
	project := r.PathValue("project")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	msg, err := act(ctx, project, r.PostForm)
	s.forget(project)
	q := url.Values{}
	if err != nil {
		s.log.Info("dashboard action refused", "action", name, "project", project, "reason", err)
		q.Set("error", oneLine(err.Error()))
	} else {
		q.Set("ok", msg)
	}
	http.Redirect(w, r, back(r.PostForm.Get("back"), project)+"?"+q.Encode(), http.StatusSeeOther)
}

// back is the page to return to: a local path, else the project page.
func back(path, project string) string {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.ContainsAny(path, "?#\\") {
		return "/projects/" + url.PathEscape(project)
	}
	return path
}

// need returns the form's values for names, or an error naming the first
// missing one.
func need(form url.Values, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		if out[i] = strings.TrimSpace(form.Get(n)); out[i] == "" {
			return nil, fmt.Errorf("%s is required", n)
		}
	}
	return out, nil
}

// update sends an update and waits for its result; a validator's refusal
// is the error.
func (s *Server) update(ctx context.Context, workflowID, name string, arg, out any) error {
	h, err := s.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return refusal(err)
	}
	if err := h.Get(ctx, out); err != nil {
		return refusal(err)
	}
	return nil
}

// refusal reduces an update's error to the validator's reason.
func refusal(err error) error {
	err = explain(err)
	msg := err.Error()
	for _, prefix := range []string{"unable to update workflow: ", "Update rejected: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	if i := strings.Index(msg, " (type: "); i > 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("%s", msg)
}

// promote asks the Freight's Pipeline to promote it into a stage.
func (s *Server) promote(ctx context.Context, project string, form url.Values) (string, error) {
	v, err := need(form, "warehouse", "freight", "stage")
	if err != nil {
		return "", err
	}
	var res workflows.PromoteResult
	req := workflows.PromoteRequest{Stage: v[2], Freight: v[1], Actor: Actor}
	if err := s.update(ctx, railyard.PipelineWorkflowID(project, v[0]), workflows.UpdatePromote, req, &res); err != nil {
		return "", err
	}
	return fmt.Sprintf("promotion %s queued: %s to %s", res.Promotion, short(v[1]), v[2]), nil
}

// promoteCollection moves an upstream stage's whole collection into a stage.
func (s *Server) promoteCollection(ctx context.Context, project string, form url.Values) (string, error) {
	v, err := need(form, "stage", "from")
	if err != nil {
		return "", err
	}
	var res workflows.PromoteResult
	req := workflows.PromoteCollectionRequest{From: v[1], Actor: Actor}
	if err := s.update(ctx, railyard.StageWorkflowID(project, v[0]), workflows.UpdatePromoteFrom, req, &res); err != nil {
		return "", err
	}
	return fmt.Sprintf("promotion %s queued: the collection of %s to %s", res.Promotion, v[1], v[0]), nil
}

func (s *Server) approve(ctx context.Context, project string, form url.Values) (string, error) {
	v, err := need(form, "warehouse", "freight", "stage")
	if err != nil {
		return "", err
	}
	req := workflows.ApproveRequest{Stage: v[2], Freight: v[1], Actor: Actor}
	if err := s.update(ctx, railyard.PipelineWorkflowID(project, v[0]), workflows.UpdateApprove, req, nil); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s approved for %s", short(v[1]), v[2]), nil
}

// verify re-verifies a stage's collection, or aborts its verification
// when the form has abort=true.
func (s *Server) verify(ctx context.Context, project string, form url.Values) (string, error) {
	v, err := need(form, "stage")
	if err != nil {
		return "", err
	}
	req := workflows.VerifyRequest{Abort: form.Get("abort") == "true", Actor: Actor}
	if err := s.update(ctx, railyard.StageWorkflowID(project, v[0]), workflows.UpdateVerify, req, nil); err != nil {
		return "", err
	}
	if req.Abort {
		return "verification of " + v[0] + " aborted", nil
	}
	return "verifying " + v[0] + " again", nil
}

func (s *Server) abort(ctx context.Context, project string, form url.Values) (string, error) {
	v, err := need(form, "stage", "promotion")
	if err != nil {
		return "", err
	}
	req := workflows.AbortRequest{Promotion: v[1], Actor: Actor}
	if err := s.update(ctx, railyard.StageWorkflowID(project, v[0]), workflows.UpdateAbort, req, nil); err != nil {
		return "", err
	}
	return "promotion " + v[1] + " aborted", nil
}

// refresh signals a Pipeline to discover now.
func (s *Server) refresh(ctx context.Context, project string, form url.Values) (string, error) {
	v, err := need(form, "warehouse")
	if err != nil {
		return "", err
	}
	if err := s.client.SignalWorkflow(ctx, railyard.PipelineWorkflowID(project, v[0]), "", workflows.SignalRefresh, nil); err != nil {
		return "", fmt.Errorf("refreshing %s: %w", v[0], explain(err))
	}
	return "warehouse " + v[0] + " refreshing", nil
}

func short(id string) string {
	if len(id) == 40 {
		return id[:7]
	}
	return id
}
