package railyard

import "time"

// Commit selection strategies of git subscriptions.
const (
	CommitNewestFromBranch = "NewestFromBranch"
	CommitSemVer           = "SemVer"
	CommitLexical          = "Lexical"
	CommitNewestTag        = "NewestTag"
)

// Image selection strategies of image subscriptions.
const (
	ImageSemVer      = "SemVer"
	ImageLexical     = "Lexical"
	ImageDigest      = "Digest"
	ImageNewestBuild = "NewestBuild"
)

// Freight creation policies.
const (
	FreightCreationAutomatic = "Automatic"
	FreightCreationManual    = "Manual"
)

// DefaultWarehouseInterval is Kargo's default discovery interval.
const DefaultWarehouseInterval = 5 * time.Minute

// DefaultDiscoveryLimit is the default number of candidates kept per
// subscription.
const DefaultDiscoveryLimit = 20

// Warehouse is a named set of subscriptions: the origin of one pipeline.
type Warehouse struct {
	Name string `json:"name"`
	// Labels are the manifest's metadata.labels; generic webhook receivers
	// select Warehouses by them.
	Labels map[string]string `json:"labels,omitempty"`
	Spec   WarehouseSpec     `json:"spec"`
}

// WarehouseSpec is a Warehouse's desired behaviour (Kargo's field names).
type WarehouseSpec struct {
	Shard                   string                   `json:"shard,omitempty"`
	Interval                Duration                 `json:"interval,omitempty"`
	FreightCreationPolicy   string                   `json:"freightCreationPolicy,omitempty"`
	FreightCreationCriteria *FreightCreationCriteria `json:"freightCreationCriteria,omitempty"`
	Subscriptions           []Subscription           `json:"subscriptions"`
}

// FreightCreationCriteria gates automatic Freight creation.
type FreightCreationCriteria struct {
	Expression string `json:"expression,omitempty"`
}

// PollInterval is the effective discovery interval.
func (w WarehouseSpec) PollInterval() time.Duration {
	if d := w.Interval.Duration(); d > 0 {
		return d
	}
	return DefaultWarehouseInterval
}

// ManualFreightOnly reports whether the Warehouse only discovers, never mints.
func (w WarehouseSpec) ManualFreightOnly() bool {
	return w.FreightCreationPolicy == FreightCreationManual
}

// Subscription is one artifact source; exactly one of Git, Image, Chart is set.
type Subscription struct {
	Name  string             `json:"name,omitempty"`
	Git   *GitSubscription   `json:"git,omitempty"`
	Image *ImageSubscription `json:"image,omitempty"`
	Chart *ChartSubscription `json:"chart,omitempty"`
}

// Kind returns "git", "image" or "chart".
func (s Subscription) Kind() string {
	switch {
	case s.Git != nil:
		return "git"
	case s.Image != nil:
		return "image"
	case s.Chart != nil:
		return "chart"
	}
	return ""
}

// RepoURL returns the subscribed repository.
func (s Subscription) RepoURL() string {
	switch {
	case s.Git != nil:
		return s.Git.RepoURL
	case s.Image != nil:
		return s.Image.RepoURL
	case s.Chart != nil:
		return s.Chart.RepoURL
	}
	return ""
}

// GitSubscription subscribes to commits of a git repository.
type GitSubscription struct {
	RepoURL                 string   `json:"repoURL"`
	CommitSelectionStrategy string   `json:"commitSelectionStrategy,omitempty"`
	Branch                  string   `json:"branch,omitempty"`
	StrictSemvers           *bool    `json:"strictSemvers,omitempty"`
	SemverConstraint        string   `json:"semverConstraint,omitempty"`
	AllowTagsRegexes        []string `json:"allowTagsRegexes,omitempty"`
	IgnoreTagsRegexes       []string `json:"ignoreTagsRegexes,omitempty"`
	ExpressionFilter        string   `json:"expressionFilter,omitempty"`
	IncludePaths            []string `json:"includePaths,omitempty"`
	ExcludePaths            []string `json:"excludePaths,omitempty"`
	DiscoveryLimit          int      `json:"discoveryLimit,omitempty"`
	Since                   string   `json:"since,omitempty"`
	InsecureSkipTLSVerify   bool     `json:"insecureSkipTLSVerify,omitempty"`
	Blobless                *bool    `json:"blobless,omitempty"`
}

// Strategy returns the commit selection strategy, defaulted.
func (g GitSubscription) Strategy() string {
	if g.CommitSelectionStrategy == "" {
		return CommitNewestFromBranch
	}
	return g.CommitSelectionStrategy
}

// Limit returns the discovery limit, defaulted.
func (g GitSubscription) Limit() int { return limitOrDefault(g.DiscoveryLimit) }

// ImageSubscription subscribes to tags of a container image repository.
type ImageSubscription struct {
	RepoURL                string   `json:"repoURL"`
	ImageSelectionStrategy string   `json:"imageSelectionStrategy,omitempty"`
	Constraint             string   `json:"constraint,omitempty"`
	StrictSemvers          *bool    `json:"strictSemvers,omitempty"`
	AllowTagsRegexes       []string `json:"allowTagsRegexes,omitempty"`
	IgnoreTagsRegexes      []string `json:"ignoreTagsRegexes,omitempty"`
	Platform               string   `json:"platform,omitempty"`
	DiscoveryLimit         int      `json:"discoveryLimit,omitempty"`
	CacheByTag             bool     `json:"cacheByTag,omitempty"`
	InsecureSkipTLSVerify  bool     `json:"insecureSkipTLSVerify,omitempty"`
}

// Strategy returns the image selection strategy, defaulted.
func (i ImageSubscription) Strategy() string {
	if i.ImageSelectionStrategy == "" {
		return ImageSemVer
	}
	return i.ImageSelectionStrategy
}

// Limit returns the discovery limit, defaulted.
func (i ImageSubscription) Limit() int { return limitOrDefault(i.DiscoveryLimit) }

// ChartSubscription subscribes to versions of a Helm chart.
type ChartSubscription struct {
	RepoURL               string `json:"repoURL"`
	Name                  string `json:"name,omitempty"`
	SemverConstraint      string `json:"semverConstraint,omitempty"`
	DiscoveryLimit        int    `json:"discoveryLimit,omitempty"`
	InsecureSkipTLSVerify bool   `json:"insecureSkipTLSVerify,omitempty"`
}

// Limit returns the discovery limit, defaulted.
func (c ChartSubscription) Limit() int { return limitOrDefault(c.DiscoveryLimit) }

func limitOrDefault(n int) int {
	if n <= 0 {
		return DefaultDiscoveryLimit
	}
	return n
}

// StrictOrDefault reads an optional strictSemvers flag, which defaults to true.
func StrictOrDefault(b *bool) bool { return b == nil || *b }
