package railyard

import (
	"fmt"
	"regexp"
	"strings"
)

// CheckFreight reports why a manually assembled Freight does not fit a
// Warehouse, as Kargo checks it: exactly one artifact per subscription and
// none from a repository the Warehouse does not subscribe to. Git and chart
// URLs are compared normalized, image URLs exactly.
func (w WarehouseSpec) CheckFreight(f Freight) []string {
	var problems []string
	used := make([]int, len(w.Subscriptions))
	match := func(kind, what string, i int) {
		if i < 0 {
			problems = append(problems, fmt.Sprintf("%s %s: the warehouse does not subscribe to it", kind, what))
			return
		}
		used[i]++
	}
	for _, c := range f.Commits {
		match("commit", c.RepoURL, w.SubscriptionFor("git", c.RepoURL, "", c.SubscriptionName))
	}
	for _, img := range f.Images {
		match("image", img.RepoURL, w.SubscriptionFor("image", img.RepoURL, "", img.SubscriptionName))
	}
	for _, c := range f.Charts {
		match("chart", strings.TrimSuffix(c.RepoURL, "/")+"/"+c.Name,
			w.SubscriptionFor("chart", c.RepoURL, c.Name, c.SubscriptionName))
	}
	for i, n := range used {
		switch {
		case n == 0:
			problems = append(problems, fmt.Sprintf("no artifact for the %s subscription %s", w.Subscriptions[i].Kind(), w.Subscriptions[i].RepoURL()))
		case n > 1:
			problems = append(problems, fmt.Sprintf("%d artifacts for the %s subscription %s; exactly one is allowed", n, w.Subscriptions[i].Kind(), w.Subscriptions[i].RepoURL()))
		}
	}
	return problems
}

// sameChartRepo compares chart repositories normalized and regardless of a
// trailing "/" (NormalizeChartURL itself stays exactly Kargo's, for IDs).
func sameChartRepo(a, b string) bool {
	return strings.TrimSuffix(NormalizeChartURL(a), "/") == strings.TrimSuffix(NormalizeChartURL(b), "/")
}

// SubscriptionFor returns the index of the subscription an artifact of kind
// ("git", "image", "chart") belongs to, or -1: git and chart repositories
// compare normalized, images exactly, and a subscription name, when the
// artifact has one, must match too.
func (w WarehouseSpec) SubscriptionFor(kind, repoURL, chartName, subscriptionName string) int {
	for i, s := range w.Subscriptions {
		if s.Kind() != kind || (subscriptionName != "" && subscriptionName != s.Name) {
			continue
		}
		switch {
		case s.Git != nil && NormalizeGitURL(repoURL) == NormalizeGitURL(s.Git.RepoURL),
			s.Image != nil && repoURL == s.Image.RepoURL,
			s.Chart != nil && sameChartRepo(repoURL, s.Chart.RepoURL) && chartName == s.Chart.Name:
			return i
		}
	}
	return -1
}

var aliasPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// ValidAlias reports whether s may be a Freight alias: a lower-case DNS label
// of at most 63 characters that does not look like a Freight ID.
func ValidAlias(s string) error {
	switch {
	case len(s) == 0 || len(s) > 63 || !aliasPattern.MatchString(s):
		return fmt.Errorf("alias %q: use lower-case letters, digits and '-', at most 63 characters", s)
	case len(s) == 40 && regexp.MustCompile(`^[0-9a-f]+$`).MatchString(s):
		return fmt.Errorf("alias %q looks like a Freight ID", s)
	}
	return nil
}
