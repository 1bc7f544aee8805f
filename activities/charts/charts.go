// Package charts discovers Helm chart versions for chart subscriptions, in
// classic HTTP repositories (index.yaml) and OCI registries (tags).
//
// A classic repository's index is fetched with a conditional GET (ETag /
// If-Modified-Since) when the server supports it, so a quiet cycle costs one
// 304 instead of the whole index, which Kargo downloads on every cycle. OCI
// tags are listed through a registry.Client, sharing its per-host rate
// limits and connections with image discovery.
package charts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/registry"
)

// Client discovers chart versions. One Client serves every subscription of
// a worker; the zero value is ready to use.
type Client struct {
	// Creds supplies credentials of kind "helm".
	Creds creds.Source
	// Registry lists OCI tags (nil: a Client of its own, made on first use).
	Registry *registry.Client
	// Transport is the base HTTP transport for classic repositories.
	Transport http.RoundTripper

	mu      sync.Mutex
	indexes map[string]*index // by index URL
}

// Discover finds the versions of sub's chart, greatest first, at most its
// discovery limit. Finding none is not an error: the result is empty with
// Error set.
func (c *Client) Discover(ctx context.Context, sub railyard.ChartSubscription) (railyard.SubscriptionResult, error) {
	res := railyard.SubscriptionResult{Kind: "chart", RepoURL: sub.RepoURL, Name: sub.Name}
	con, err := validate(sub)
	if err != nil {
		return res, err
	}
	var versions []string
	if isOCI(sub.RepoURL) {
		versions, err = c.ociVersions(ctx, sub)
	} else {
		versions, err = c.classicVersions(ctx, sub)
	}
	if err != nil {
		return res, err
	}
	// Chart subscriptions parse versions leniently: Kargo has no
	// strictSemvers for charts.
	selected := railyard.SelectVersions(versions, railyard.VersionRule{Constraint: con}, sub.Limit())
	if len(selected) == 0 {
		res.Error = noMatch(sub, len(versions))
		return res, nil
	}
	for _, v := range selected {
		res.Charts = append(res.Charts, railyard.Chart{RepoURL: sub.RepoURL, Name: sub.Name, Version: v})
	}
	return res, nil
}

func isOCI(u string) bool { return strings.HasPrefix(strings.ToLower(strings.TrimSpace(u)), "oci://") }

func validate(sub railyard.ChartSubscription) (*semver.Constraints, error) {
	var errs []error
	switch {
	case strings.TrimSpace(sub.RepoURL) == "":
		errs = append(errs, errors.New("repoURL is required"))
	case isOCI(sub.RepoURL) && sub.Name != "":
		errs = append(errs, errors.New("name must be empty for an oci:// repository (the chart is the URL's last element)"))
	case !isOCI(sub.RepoURL) && sub.Name == "":
		errs = append(errs, errors.New("name is required for an http(s) chart repository"))
	case !isOCI(sub.RepoURL) && !strings.HasPrefix(sub.RepoURL, "http://") && !strings.HasPrefix(sub.RepoURL, "https://"):
		errs = append(errs, errors.New("repoURL must start with http://, https:// or oci://"))
	}
	con, err := railyard.ParseConstraint(sub.SemverConstraint)
	if err != nil {
		errs = append(errs, fmt.Errorf("semverConstraint: %w", err))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("chart subscription %s: %w: %w", sub.RepoURL, railyard.ErrInvalid, errors.Join(errs...))
	}
	return con, nil
}

func noMatch(sub railyard.ChartSubscription, n int) string {
	what := "chart " + sub.Name
	if sub.Name == "" {
		what = "chart"
	}
	if sub.SemverConstraint != "" {
		return fmt.Sprintf("no version of %s in %s satisfies %q (of %d versions)", what, sub.RepoURL, sub.SemverConstraint, n)
	}
	return fmt.Sprintf("no semantic version of %s in %s (of %d versions)", what, sub.RepoURL, n)
}

// ociVersions lists the tags of an OCI chart; Helm stores "+" of a version
// as "_" in tags.
func (c *Client) ociVersions(ctx context.Context, sub railyard.ChartSubscription) ([]string, error) {
	c.mu.Lock()
	if c.Registry == nil {
		c.Registry = &registry.Client{Creds: c.Creds}
	}
	reg := c.Registry
	c.mu.Unlock()
	tags, err := reg.ListTags(ctx, sub.RepoURL, creds.KindHelm, sub.InsecureSkipTLSVerify)
	if err != nil {
		return nil, err
	}
	for i, t := range tags {
		tags[i] = strings.ReplaceAll(t, "_", "+")
	}
	return tags, nil
}
