package railyard

import (
	"fmt"
	"time"
)

// DiscoveredArtifacts is what one discovery cycle of a Warehouse found: per
// subscription, in subscription order, candidates best first, capped at the
// subscription's discovery limit. Freight is built from element 0 of each.
type DiscoveredArtifacts struct {
	DiscoveredAt time.Time            `json:"discoveredAt,omitzero"`
	Results      []SubscriptionResult `json:"results"`
}

// SubscriptionResult is one subscription's discovery outcome.
type SubscriptionResult struct {
	Kind             string        `json:"kind"` // git, image, chart
	RepoURL          string        `json:"repoURL"`
	Name             string        `json:"name,omitempty"` // chart name
	SubscriptionName string        `json:"subscriptionName,omitempty"`
	Platform         string        `json:"platform,omitempty"`
	Commits          []GitCommit   `json:"commits,omitempty"`
	Images           []Image       `json:"images,omitempty"`
	Charts           []Chart       `json:"charts,omitempty"`
	ObservedRefs     *ObservedRefs `json:"observedRefs,omitempty"`
	// Error is why nothing was found ("no tag matches constraint ^1.2").
	Error string `json:"error,omitempty"`
}

// ObservedRefs are the remote refs a git discovery saw, so that the next
// cycle can stop early when nothing moved.
type ObservedRefs struct {
	BranchHead string            `json:"branchHead,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// Empty reports whether the subscription found nothing.
func (r SubscriptionResult) Empty() bool {
	return len(r.Commits)+len(r.Images)+len(r.Charts) == 0
}

// NewestFreight builds the Freight of origin from the best candidate of every
// subscription. It fails, naming the subscription, when one found nothing.
func (d DiscoveredArtifacts) NewestFreight(origin FreightOrigin) (Freight, error) {
	f := Freight{Origin: origin, DiscoveredAt: d.DiscoveredAt}
	if len(d.Results) == 0 {
		return Freight{}, fmt.Errorf("no subscriptions discovered: %w", ErrNotFound)
	}
	for _, r := range d.Results {
		if r.Empty() {
			reason := r.Error
			if reason == "" {
				reason = "no matching artifact"
			}
			return Freight{}, fmt.Errorf("%s subscription %s: %s: %w", r.Kind, r.RepoURL, reason, ErrNotFound)
		}
		switch {
		case len(r.Commits) > 0:
			f.Commits = append(f.Commits, r.Commits[0])
		case len(r.Images) > 0:
			f.Images = append(f.Images, r.Images[0])
		default:
			f.Charts = append(f.Charts, r.Charts[0])
		}
	}
	f.ID = f.ComputeID()
	return f, nil
}

// DiscoveryStatus is the outcome of a Warehouse's last discovery cycles.
type DiscoveryStatus struct {
	LastAttempt time.Time `json:"lastAttempt,omitzero"`
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	Cycles      int       `json:"cycles"`
	Error       string    `json:"error,omitempty"`
	Message     string    `json:"message,omitempty"`
	LastFreight string    `json:"lastFreight,omitempty"`
}

// Due reports whether a discovery cycle is due at now, every interval
// since the last attempt (at once when there was none).
func (d DiscoveryStatus) Due(interval time.Duration, now time.Time) bool {
	return d.LastAttempt.IsZero() || !now.Before(d.LastAttempt.Add(interval))
}

// MinWake is the shortest sleep of a Pipeline between two looks.
const MinWake = time.Second

// NextWake is how long a Pipeline sleeps from now: until the next
// discovery, or until soak (a soak ends, or a stage is asked again; 0:
// none) when that is sooner, never less than MinWake. soakFirst says which.
func (d DiscoveryStatus) NextWake(interval, soak time.Duration, now time.Time) (wait time.Duration, soakFirst bool) {
	wait = d.LastAttempt.Add(interval).Sub(now)
	if soak > 0 && soak < wait {
		wait, soakFirst = soak, true
	}
	return max(wait, MinWake), soakFirst
}
