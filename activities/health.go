package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/railyard/railyard"
)

// HealthInput asks for the health of a Stage's Applications once it
// differs from Last, or after MaxWait.
type HealthInput struct {
	Stage   string                `json:"stage"`
	Apps    []railyard.AppRef     `json:"apps"`
	Last    *railyard.StageHealth `json:"last,omitempty"`
	MaxWait time.Duration         `json:"maxWait"`
}

// WatchHealth returns the Applications' health when it differs from the
// last one the Stage knows, or after MaxWait. It reads the worker's shared
// watch of each cluster and namespace (one watch whatever the number of
// stages) and heartbeats while it waits, so a lost worker is noticed in a
// minute.
func (a *Activities) WatchHealth(ctx context.Context, in HealthInput) (railyard.StageHealth, error) {
	var last railyard.StageHealth
	if in.Last != nil {
		last = *in.Last
	}
	h, err := a.ArgoCD.WaitHealth(ctx, in.Apps, last, in.MaxWait, func() { activity.RecordHeartbeat(ctx) })
	return h, classify(err)
}
