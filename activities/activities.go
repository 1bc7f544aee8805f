// Package activities holds every side effect Railyard's workflows ask for:
// discovering artifacts, starting and configuring entity workflows, creating
// promotion working directories and running promotion steps. Clients are
// fields of Activities, set once by the worker.
package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
	"github.com/railyard/railyard/activities/steps"
	"github.com/railyard/railyard/activities/verify"
)

// GitDiscoverer finds commits of a git subscription.
type GitDiscoverer interface {
	Discover(ctx context.Context, sub railyard.GitSubscription, prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error)
}

// ImageDiscoverer finds tags of an image subscription.
type ImageDiscoverer interface {
	Discover(ctx context.Context, sub railyard.ImageSubscription, prev *railyard.SubscriptionResult) (railyard.SubscriptionResult, error)
}

// ChartDiscoverer finds versions of a chart subscription. It keeps its own
// cache (index ETags), so it needs no previous result.
type ChartDiscoverer interface {
	Discover(ctx context.Context, sub railyard.ChartSubscription) (railyard.SubscriptionResult, error)
}

// Activities is the worker's set of activities. Every field is set once, by
// the worker, before registration.
type Activities struct {
	Client    client.Client // to start and signal entity workflows
	HostQueue string        // this worker's own task queue, for step affinity
	WorkRoot  string        // where promotion working directories live

	Git    GitDiscoverer
	Images ImageDiscoverer
	Charts ChartDiscoverer
	Steps  *steps.Engine
	Verify *verify.Measurer
	ArgoCD *argocd.Clusters // clusters holding Argo CD's Applications
	Shared SharedSource     // ClusterAnalysisTemplates, for verification plans
}

// Error types of non-retryable application errors, for workflows to match.
const (
	ErrTypeUnauthenticated = "Unauthenticated"
	ErrTypeNotFound        = "NotFound"
	ErrTypeInvalid         = "InvalidInput"
	ErrTypeNotSupported    = "NotSupported"
)

// classify makes the errors railyard.IsTerminal recognises non-retryable
// application errors, typed by their sentinel for workflows to match;
// everything else stays retryable.
func classify(err error) error {
	if err == nil || !railyard.IsTerminal(err) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), errType(err), nil)
}

func errType(err error) string {
	switch {
	case errors.Is(err, railyard.ErrUnauthenticated):
		return ErrTypeUnauthenticated
	case errors.Is(err, railyard.ErrNotFound):
		return ErrTypeNotFound
	case errors.Is(err, railyard.ErrNotSupported):
		return ErrTypeNotSupported
	}
	return ErrTypeInvalid
}
