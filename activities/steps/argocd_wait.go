package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
)

// ArgoCDWait is the `argocd-wait` step: it returns Running until every
// Application meets its waitFor conditions (default: Healthy, Synced and
// no operation running), the Promotion workflow polling on durable timers.
// When its timeout (retry.timeout, default 5m) would pass before the next
// look, it fails with what the Application itself says.
type ArgoCDWait struct{ Clusters *argocd.Clusters }

type argoCDWaitConfig struct {
	Apps []argoCDAppWait `json:"apps"`
}

type argoCDAppWait struct {
	Name      string         `json:"name,omitempty"`
	Namespace string         `json:"namespace,omitempty"`
	Selector  map[string]any `json:"selector,omitempty"`
	WaitFor   []string       `json:"waitFor,omitempty"`
}

// Name implements Runner.
func (ArgoCDWait) Name() string { return "argocd-wait" }

// DefaultTimeout bounds the wait without retry.timeout.
func (ArgoCDWait) DefaultTimeout() time.Duration { return 5 * time.Minute }

// Run implements Runner.
func (a ArgoCDWait) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c argoCDWaitConfig
	if err := DecodeConfig("argocd-wait", raw, &c); err != nil {
		return Result{}, err
	}
	if err := c.validate(); err != nil {
		return Result{}, Terminal(err)
	}
	cl, err := a.Clusters.For(sc.Project)
	if err != nil {
		return Result{}, Terminal(err)
	}
	var waiting []string
	for _, w := range c.Apps {
		ref := a.Clusters.Ref(sc.Project, w.Namespace, w.Name)
		app, err := cl.Get(ctx, ref.Namespace, ref.Name)
		if err != nil {
			return Result{}, err
		}
		if why := unmet(argocd.Observe(app), waitConditions(w.WaitFor)); why != "" {
			waiting = append(waiting, fmt.Sprintf("Application %s: %s", ref, why))
		}
	}
	if len(waiting) == 0 {
		return Result{Status: StatusSucceeded, Message: fmt.Sprintf("%d Application(s) ready", len(c.Apps))}, nil
	}
	msg := strings.Join(waiting, "; ")
	next := argoPoll(sc.StartedAt)
	if sc.Timeout > 0 && time.Since(sc.StartedAt)+next >= sc.Timeout {
		return Result{Status: StatusFailed, Message: fmt.Sprintf("not ready after %s: %s", sc.Timeout, msg)}, nil
	}
	return Result{Status: StatusRunning, RetryAfter: next, Message: "waiting: " + msg}, nil
}

func (c argoCDWaitConfig) validate() error {
	if len(c.Apps) == 0 {
		return errors.New("argocd-wait config: apps: at least one Application is required")
	}
	for i, w := range c.Apps {
		switch {
		case w.Selector != nil:
			return fmt.Errorf("argocd-wait config: apps[%d].selector: selecting Applications by label is %w", i, railyard.ErrNotSupported)
		case w.Name == "":
			return fmt.Errorf("argocd-wait config: apps[%d].name is required", i)
		}
	}
	return nil
}

func waitConditions(w []string) []string {
	if len(w) == 0 {
		return []string{"health", "sync", "operation"}
	}
	return w
}

// unmet says which waitFor conditions an Application does not meet ("" when
// it meets them all). The health conditions (health, suspended, degraded)
// are alternatives; the others must all hold.
func unmet(o railyard.AppObservation, conds []string) string {
	if !o.Found {
		return "not found"
	}
	var healthOK []string
	var why []string
	for _, c := range conds {
		switch c {
		case "health":
			healthOK = append(healthOK, "Healthy")
		case "suspended":
			healthOK = append(healthOK, "Suspended")
		case "degraded":
			healthOK = append(healthOK, "Degraded")
		case "sync":
			if o.Sync != "Synced" {
				why = append(why, "sync status "+orElse(o.Sync, "unknown"))
			}
		case "operation":
			if o.OperationPhase == "Running" || o.OperationPhase == "Terminating" {
				why = append(why, "operation "+strings.ToLower(o.OperationPhase)+prefixed(": ", o.OperationMsg))
			}
		}
	}
	if len(healthOK) > 0 && !slices.Contains(healthOK, o.Health) {
		why = append([]string{"health " + orElse(o.Health, "unknown") + prefixed(": ", o.HealthMessage)}, why...)
	}
	return strings.Join(why, ", ")
}
