package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// DiscoverInput asks for one discovery cycle of a Warehouse.
type DiscoverInput struct {
	Project   string                        `json:"project"`
	Warehouse string                        `json:"warehouse"`
	Spec      railyard.WarehouseSpec        `json:"spec"`
	Previous  *railyard.DiscoveredArtifacts `json:"previous,omitempty"`
}

// DiscoverOutput is what the cycle found and whether the Warehouse's
// creation criteria accept the newest artifacts.
type DiscoverOutput struct {
	Artifacts         railyard.DiscoveredArtifacts `json:"artifacts"`
	CriteriaSatisfied bool                         `json:"criteriaSatisfied"`
	CriteriaMessage   string                       `json:"criteriaMessage,omitempty"`
}

// Discover runs every subscription of a Warehouse in order. A subscription
// that cannot be reached fails the cycle (retryable); one that finds nothing
// is recorded with its reason.
func (a *Activities) Discover(ctx context.Context, in DiscoverInput) (DiscoverOutput, error) {
	ctx = creds.WithProject(ctx, in.Project) // project-scoped credentials only
	out := DiscoverOutput{Artifacts: railyard.DiscoveredArtifacts{DiscoveredAt: activity.GetInfo(ctx).StartedTime}}
	for i, sub := range in.Spec.Subscriptions {
		prev := previousResult(in.Previous, i, sub)
		r, err := a.discoverOne(ctx, sub, prev)
		if err != nil {
			return DiscoverOutput{}, classify(fmt.Errorf("warehouse %s: %s subscription %s: %w",
				in.Warehouse, sub.Kind(), sub.RepoURL(), err))
		}
		r.SubscriptionName = sub.Name
		out.Artifacts.Results = append(out.Artifacts.Results, r)
		activity.RecordHeartbeat(ctx, i)
	}
	ok, msg, err := evalCriteria(in.Spec, out.Artifacts)
	if err != nil {
		return DiscoverOutput{}, classify(fmt.Errorf("warehouse %s: freightCreationCriteria: %w", in.Warehouse, err))
	}
	out.CriteriaSatisfied, out.CriteriaMessage = ok, msg
	return out, nil
}

func (a *Activities) discoverOne(ctx context.Context, sub railyard.Subscription, prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error) {
	switch {
	case sub.Git != nil && a.Git != nil:
		return a.Git.Discover(ctx, *sub.Git, prev)
	case sub.Image != nil && a.Images != nil:
		return a.Images.Discover(ctx, *sub.Image, prev)
	case sub.Chart != nil && a.Charts != nil:
		return a.Charts.Discover(ctx, *sub.Chart)
	}
	return railyard.SubscriptionResult{}, fmt.Errorf("%s discovery on this worker: %w", sub.Kind(), railyard.ErrNotSupported)
}

// previousResult returns the last cycle's result for subscription i when it
// still describes the same repository.
func previousResult(prev *railyard.DiscoveredArtifacts, i int, sub railyard.Subscription) *railyard.SubscriptionResult {
	if prev == nil || i >= len(prev.Results) {
		return nil
	}
	r := prev.Results[i]
	if r.Kind != sub.Kind() || r.RepoURL != sub.RepoURL() {
		return nil
	}
	return &r
}
