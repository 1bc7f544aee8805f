package railyard

import (
	"crypto/sha1"
	"encoding/hex"
	"path"
	"sort"
	"strings"
	"time"
)

// OriginKindWarehouse is the only kind of Freight origin.
const OriginKindWarehouse = "Warehouse"

// FreightOrigin names where a Freight came from.
type FreightOrigin struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// WarehouseOrigin returns the origin of Freight minted by warehouse name.
func WarehouseOrigin(name string) FreightOrigin {
	return FreightOrigin{Kind: OriginKindWarehouse, Name: name}
}

// String renders the origin as Kargo keys collections: "Warehouse/<name>".
func (o FreightOrigin) String() string {
	kind := o.Kind
	if kind == "" {
		kind = OriginKindWarehouse
	}
	return kind + "/" + o.Name
}

// GitCommit is one commit of a git repository, as carried by Freight.
type GitCommit struct {
	RepoURL          string    `json:"repoURL"`
	ID               string    `json:"id,omitempty"`
	Branch           string    `json:"branch,omitempty"`
	Tag              string    `json:"tag,omitempty"`
	Message          string    `json:"message,omitempty"`
	Author           string    `json:"author,omitempty"`
	Committer        string    `json:"committer,omitempty"`
	CreatorDate      time.Time `json:"creatorDate,omitzero"`
	SubscriptionName string    `json:"subscriptionName,omitempty"`
}

// Image is one container image reference, as carried by Freight.
type Image struct {
	RepoURL          string            `json:"repoURL"`
	Tag              string            `json:"tag,omitempty"`
	Digest           string            `json:"digest,omitempty"`
	Annotations      map[string]string `json:"annotations,omitempty"`
	CreatedAt        time.Time         `json:"createdAt,omitzero"`
	SubscriptionName string            `json:"subscriptionName,omitempty"`
}

// Chart is one Helm chart version, as carried by Freight.
type Chart struct {
	RepoURL          string `json:"repoURL"`
	Name             string `json:"name,omitempty"`
	Version          string `json:"version,omitempty"`
	SubscriptionName string `json:"subscriptionName,omitempty"`
}

// Freight is an immutable set of artifact versions from one Warehouse.
type Freight struct {
	ID           string        `json:"id"`
	Alias        string        `json:"alias,omitempty"`
	Origin       FreightOrigin `json:"origin"`
	Commits      []GitCommit   `json:"commits,omitempty"`
	Images       []Image       `json:"images,omitempty"`
	Charts       []Chart       `json:"charts,omitempty"`
	DiscoveredAt time.Time     `json:"discoveredAt,omitzero"`
	Status       FreightStatus `json:"status,omitzero"`
}

// ComputeID returns the Freight's content-addressed ID, computed as Kargo
// computes it: one string per artifact, sorted, and the lowercase hex SHA-1
// of "<kind>/<name>:" followed by the strings joined with "|". The same
// artifacts from the same Warehouse therefore get the same ID in both.
func (f Freight) ComputeID() string {
	parts := make([]string, 0, len(f.Commits)+len(f.Images)+len(f.Charts))
	for _, c := range f.Commits {
		s := NormalizeGitURL(c.RepoURL) + ":" + c.ID
		if c.Tag != "" {
			s = NormalizeGitURL(c.RepoURL) + ":" + c.Tag + ":" + c.ID
		}
		parts = append(parts, withSubscription(s, c.SubscriptionName))
	}
	for _, i := range f.Images {
		parts = append(parts, withSubscription(i.RepoURL+":"+i.Tag+"@"+i.Digest, i.SubscriptionName))
	}
	for _, c := range f.Charts {
		s := path.Join(NormalizeChartURL(c.RepoURL), c.Name) + ":" + c.Version
		parts = append(parts, withSubscription(s, c.SubscriptionName))
	}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(f.Origin.String() + ":" + strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}

func withSubscription(s, name string) string {
	if name == "" {
		return s
	}
	return s + ":" + name
}

// ShortID is the first seven characters of the ID, for display.
func (f Freight) ShortID() string { return shortID(f.ID) }

// DisplayName is the alias when there is one, else the short ID.
func (f Freight) DisplayName() string { return displayName(f.Alias, f.ID) }

func shortID(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}

func displayName(alias, id string) string {
	if alias != "" {
		return alias
	}
	return shortID(id)
}

// Ref returns the reference to this Freight that collections hold.
func (f Freight) Ref() FreightRef {
	return FreightRef{ID: f.ID, Alias: f.Alias, Origin: f.Origin,
		Commits: f.Commits, Images: f.Images, Charts: f.Charts}
}

// Matches reports whether s names this Freight by ID, short ID or alias.
func (f Freight) Matches(s string) bool {
	return s != "" && (s == f.ID || s == f.Alias || (len(s) >= 7 && strings.HasPrefix(f.ID, s)))
}

// ArtifactNames renders the Freight's artifacts briefly for display:
// commits as repo@short-SHA (or tag), images as repo:tag, charts as name,
// chartSep and version.
func (f Freight) ArtifactNames(chartSep string) []string {
	var out []string
	for _, c := range f.Commits {
		ref := c.ID
		if len(ref) > 7 {
			ref = ref[:7]
		}
		if c.Tag != "" {
			ref = c.Tag
		}
		out = append(out, lastPathElem(c.RepoURL)+"@"+ref)
	}
	for _, i := range f.Images {
		out = append(out, lastPathElem(i.RepoURL)+":"+i.Tag)
	}
	for _, c := range f.Charts {
		out = append(out, c.Name+chartSep+c.Version)
	}
	return out
}

// lastPathElem is a repository URL's last path element, without ".git".
func lastPathElem(u string) string {
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	if i := strings.LastIndex(u, "/"); i >= 0 {
		return u[i+1:]
	}
	return u
}
