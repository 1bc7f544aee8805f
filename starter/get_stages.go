package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// stageView is a Stage with its workflow's state.
type stageView struct {
	Name       string                  `json:"name"`
	Spec       railyard.StageSpec      `json:"spec"`
	Links      []railyard.ResolvedLink `json:"links,omitempty"` // the ProjectConfig's stageLinks
	LinkErrors []string                `json:"linkErrors,omitempty"`
	Status     workflows.StageState    `json:"status"`
}

func (a *app) getStages(ctx context.Context, o *getOpts) error {
	r, err := a.resources(ctx, o.project)
	if err != nil {
		return err
	}
	var views []stageView
	var rows [][]string
	for _, s := range r.Stages {
		if o.name != "" && s.Name != o.name {
			continue
		}
		v := stageView{Name: s.Name, Spec: s.Spec}
		v.Links, v.LinkErrors = railyard.ResolveLinks(r.Config.StageLinks, railyard.StageLinkContext(o.project, s))
		if err := a.query(ctx, railyard.StageWorkflowID(o.project, s.Name), workflows.QueryStatus, &v.Status); err != nil {
			return err
		}
		v.Status.Config = nil
		if cur := v.Status.Current; cur != nil && cur.Message == "" && cur.WorkflowID != "" {
			// A step that waits (git-wait-for-pr) says so in the promotion's
			// own status: "waiting for PR #12 (url) …".
			var ps workflows.PromotionStatus
			if a.query(ctx, cur.WorkflowID, workflows.QueryStatus, &ps) == nil {
				cur.Message = ps.Message
			}
		}
		views = append(views, v)
		rows = append(rows, stageRow(v))
	}
	if o.name != "" && len(views) == 0 {
		return fmt.Errorf("stage %q not found in project %s", o.name, o.project)
	}
	return emit(o.output, views, []string{"STAGE", "SLOTS", "HEALTH", "VERIFICATION", "COMBINATION", "PROMOTING", "QUEUED", "WAITING", "PROMOTED"}, rows)
}

func stageRow(v stageView) []string {
	var cur workflows.CollectionRecord
	if len(v.Status.History) > 0 {
		cur = v.Status.History[0]
	}
	var slots []string
	for _, req := range v.Spec.RequestedFreight {
		name := "-"
		if ref, ok := cur.Collection.Get(req.Origin); ok {
			name = ref.DisplayName()
		}
		slots = append(slots, req.Origin.Name+"="+name)
	}
	promoting := "-"
	if v.Status.Current != nil {
		promoting = v.Status.Current.Name
		if m := v.Status.Current.Message; m != "" {
			promoting += ": " + m
		}
	}
	combo := "-"
	if cur.Provenance != "" {
		combo = "unverified upstream"
		if len(cur.VerifiedUpstream) > 0 {
			combo = "verified in " + strings.Join(cur.VerifiedUpstream, ",")
		}
	}
	return []string{v.Name, strings.Join(slots, " "), healthCell(cur.Health), orDash(string(cur.Verification.Phase)), combo, promoting,
		fmt.Sprint(v.Status.Queue.Len()), orDash(strings.Join(v.Status.Queue.Waiting(), "; ")), age(cur.PromotedAt)}
}

func (a *app) getPromotions(ctx context.Context, o *getOpts) error {
	if o.name != "" {
		return a.getPromotion(ctx, o)
	}
	all, err := a.stagePromotions(ctx, o.project)
	if err != nil {
		return err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name > all[j].Name })
	var rows [][]string
	for _, p := range all {
		rows = append(rows, []string{p.Name, p.Stage, short(p.Freight), string(p.Phase), orDash(p.Actor),
			age(p.StartedAt), orDash(p.Message)})
	}
	return emit(o.output, all, []string{"NAME", "STAGE", "FREIGHT", "PHASE", "ACTOR", "AGE", "MESSAGE"}, rows)
}

// getPromotion shows one promotion with its steps.
func (a *app) getPromotion(ctx context.Context, o *getOpts) error {
	stage, _, ok := strings.Cut(o.name, ".")
	if !ok {
		return fmt.Errorf("%q is not a promotion name (<stage>.<id>.<freight>)", o.name)
	}
	var st workflows.PromotionStatus
	if err := a.query(ctx, railyard.PromotionWorkflowID(o.project, stage, o.name), workflows.QueryStatus, &st); err != nil {
		return err
	}
	var rows [][]string
	for _, s := range st.Steps {
		rows = append(rows, []string{s.Alias, s.Uses, string(s.Status), s.Duration.String(), orDash(s.Message)})
	}
	if o.output == "table" || o.output == "" {
		fmt.Printf("promotion %s to %s: %s %s\n", o.name, stage, st.Phase, st.Message)
	}
	return emit(o.output, st, []string{"STEP", "USES", "STATUS", "DURATION", "MESSAGE"}, rows)
}

func short(ids []string) string {
	var out []string
	for _, id := range ids {
		if len(id) > 7 {
			id = id[:7]
		}
		out = append(out, id)
	}
	return strings.Join(out, ",")
}

// stagePromotions lists every stage's promotions: the stages own them.
func (a *app) stagePromotions(ctx context.Context, project string) ([]workflows.PromotionRecord, error) {
	r, err := a.resources(ctx, project)
	if err != nil {
		return nil, err
	}
	var out []workflows.PromotionRecord
	for _, s := range r.Stages {
		var st workflows.StageState
		if err := a.query(ctx, railyard.StageWorkflowID(project, s.Name), workflows.QueryStatus, &st); err != nil {
			return nil, err
		}
		out = append(out, st.Promotions...)
	}
	return out, nil
}

// healthCell is the Argo CD health of the current collection: the phase,
// with Argo CD's message unless Healthy; "-" without Applications.
func healthCell(h *railyard.StageHealth) string {
	switch {
	case h == nil:
		return "-"
	case h.Phase == railyard.HealthHealthy || h.Message == "":
		return h.Phase
	}
	return h.Phase + ": " + h.Message
}
