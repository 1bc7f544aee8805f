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
		match("commit", c.RepoURL, w.find(func(s Subscription) bool {
			return s.Git != nil && NormalizeGitURL(s.Git.RepoURL) == NormalizeGitURL(c.RepoURL)
		}))
	}
	for _, img := range f.Images {
		match("image", img.RepoURL, w.find(func(s Subscription) bool {
			return s.Image != nil && s.Image.RepoURL == img.RepoURL
		}))
	}
	for _, c := range f.Charts {
		match("chart", strings.TrimSuffix(c.RepoURL, "/")+"/"+c.Name, w.find(func(s Subscription) bool {
			return s.Chart != nil && sameChartRepo(s.Chart.RepoURL, c.RepoURL) && s.Chart.Name == c.Name
		}))
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

func (w WarehouseSpec) find(pred func(Subscription) bool) int {
	for i, s := range w.Subscriptions {
		if pred(s) {
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
