package railyard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Webhook receiver kinds, as Kargo names them (the key of the receiver's
// configuration block and the first segment of its URL path).
const (
	ReceiverGitHub      = "github"
	ReceiverGitLab      = "gitlab"
	ReceiverBitbucket   = "bitbucket"
	ReceiverGitea       = "gitea"
	ReceiverAzure       = "azure"
	ReceiverDockerHub   = "dockerhub"
	ReceiverQuay        = "quay"
	ReceiverHarbor      = "harbor"
	ReceiverArtifactory = "artifactory"
	ReceiverGeneric     = "generic"
)

// ReceiverKinds lists every receiver kind.
var ReceiverKinds = []string{ReceiverGitHub, ReceiverGitLab, ReceiverBitbucket, ReceiverGitea, ReceiverAzure,
	ReceiverDockerHub, ReceiverQuay, ReceiverHarbor, ReceiverArtifactory, ReceiverGeneric}

// receiverSecretKey is the key of the referenced Secret's data each kind
// reads: the shared secret, token or header value.
var receiverSecretKey = map[string]string{
	ReceiverGitHub: "secret", ReceiverGitLab: "secret-token", ReceiverBitbucket: "secret",
	ReceiverGitea: "secret", ReceiverAzure: "secret", ReceiverDockerHub: "secret", ReceiverQuay: "secret",
	ReceiverHarbor: "auth-header", ReceiverArtifactory: "secret-token", ReceiverGeneric: "secret",
}

// ReceiverSecretKey is the Secret data key a receiver kind needs.
func ReceiverSecretKey(kind string) string { return receiverSecretKey[kind] }

// LocalObjectReference names a resource of the same project (a Secret).
type LocalObjectReference struct {
	Name string `json:"name"`
}

// WebhookSecretRefConfig is the configuration of most receiver kinds: the
// Secret holding the shared secret.
type WebhookSecretRefConfig struct {
	SecretRef LocalObjectReference `json:"secretRef"`
}

// ArtifactoryWebhookConfig configures an Artifactory receiver.
type ArtifactoryWebhookConfig struct {
	SecretRef       LocalObjectReference `json:"secretRef"`
	VirtualRepoName string               `json:"virtualRepoName,omitempty"`
}

// GenericWebhookConfig configures a generic receiver: what to do when a
// request arrives.
type GenericWebhookConfig struct {
	SecretRef LocalObjectReference   `json:"secretRef"`
	Actions   []GenericWebhookAction `json:"actions,omitempty"`
}

// GenericWebhookAction is one action of a generic receiver. Refresh is the
// only action. WhenExpression (MatchExpression is its older name) is an
// expression over request and params that must be true for the action to
// run.
type GenericWebhookAction struct {
	Action                  string                 `json:"action,omitempty"`
	ActionType              string                 `json:"actionType,omitempty"`
	WhenExpression          string                 `json:"whenExpression,omitempty"`
	MatchExpression         string                 `json:"matchExpression,omitempty"`
	Parameters              WebhookParameters      `json:"parameters,omitempty"`
	TargetSelectionCriteria []GenericWebhookTarget `json:"targetSelectionCriteria,omitempty"`
	Targets                 []GenericWebhookTarget `json:"targets,omitempty"`
}

// Type is the action's type under either of Kargo's field names.
func (a GenericWebhookAction) Type() string {
	if a.Action != "" {
		return a.Action
	}
	return a.ActionType
}

// Condition is the action's expression under either of Kargo's field names.
func (a GenericWebhookAction) Condition() string {
	if a.WhenExpression != "" {
		return a.WhenExpression
	}
	return a.MatchExpression
}

// AllTargets is the action's targets under either of Kargo's field names.
func (a GenericWebhookAction) AllTargets() []GenericWebhookTarget {
	return append(append([]GenericWebhookTarget(nil), a.TargetSelectionCriteria...), a.Targets...)
}

// WebhookParameters are a generic action's parameters. Kargo's documentation
// shows them both as a map and as a list of one-entry maps; both are read.
type WebhookParameters map[string]string

// UnmarshalJSON accepts a map or a list of maps.
func (p *WebhookParameters) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		var list []map[string]string
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*p = WebhookParameters{}
		for _, m := range list {
			for k, v := range m {
				(*p)[k] = v
			}
		}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = m
	return nil
}

// GenericWebhookTarget selects the resources an action applies to; every
// criterion given must hold.
type GenericWebhookTarget struct {
	Kind          string                `json:"kind"`
	Name          string                `json:"name,omitempty"`
	LabelSelector *LabelSelector        `json:"labelSelector,omitempty"`
	IndexSelector *WebhookIndexSelector `json:"indexSelector,omitempty"`
}

// LabelSelector is a Kubernetes label selector; every term must hold.
type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// Matches reports whether labels satisfy the selector.
func (s LabelSelector) Matches(labels map[string]string) bool {
	for k, v := range s.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	for _, e := range s.MatchExpressions {
		if !e.matches(labels) {
			return false
		}
	}
	return true
}

// WebhookIndexSelector selects Warehouses by the repositories they subscribe to.
type WebhookIndexSelector struct {
	MatchIndices     []WebhookIndexRequirement `json:"matchIndices,omitempty"`
	MatchExpressions []WebhookIndexRequirement `json:"matchExpressions,omitempty"`
}

// Requirements lists the selector's requirements under either field name.
func (s WebhookIndexSelector) Requirements() []WebhookIndexRequirement {
	return append(append([]WebhookIndexRequirement(nil), s.MatchIndices...), s.MatchExpressions...)
}

// WebhookIndexRequirement compares an index (subscribedURLs) with a value,
// which may be an expression.
type WebhookIndexRequirement struct {
	Key      string `json:"key"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
}

// WebhookReceiver is one of a project's inbound webhook endpoints (Kargo's
// ProjectConfig.spec.webhookReceivers[]): a name and exactly one kind.
type WebhookReceiver struct {
	Name        string                    `json:"name"`
	GitHub      *WebhookSecretRefConfig   `json:"github,omitempty"`
	GitLab      *WebhookSecretRefConfig   `json:"gitlab,omitempty"`
	Bitbucket   *WebhookSecretRefConfig   `json:"bitbucket,omitempty"`
	Gitea       *WebhookSecretRefConfig   `json:"gitea,omitempty"`
	Azure       *WebhookSecretRefConfig   `json:"azure,omitempty"`
	DockerHub   *WebhookSecretRefConfig   `json:"dockerhub,omitempty"`
	Quay        *WebhookSecretRefConfig   `json:"quay,omitempty"`
	Harbor      *WebhookSecretRefConfig   `json:"harbor,omitempty"`
	Artifactory *ArtifactoryWebhookConfig `json:"artifactory,omitempty"`
	Generic     *GenericWebhookConfig     `json:"generic,omitempty"`
}

// Kinds lists the kinds configured on the receiver; a valid one has one.
func (w WebhookReceiver) Kinds() []string {
	var out []string
	for _, k := range ReceiverKinds {
		if w.secretRef(k) != nil {
			out = append(out, k)
		}
	}
	return out
}

// Kind is the receiver's kind, "" when not exactly one is set.
func (w WebhookReceiver) Kind() string {
	if ks := w.Kinds(); len(ks) == 1 {
		return ks[0]
	}
	return ""
}

// SecretName is the name of the Secret the receiver references.
func (w WebhookReceiver) SecretName() string {
	if ref := w.secretRef(w.Kind()); ref != nil {
		return ref.Name
	}
	return ""
}

func (w WebhookReceiver) secretRef(kind string) *LocalObjectReference {
	simple := map[string]*WebhookSecretRefConfig{
		ReceiverGitHub: w.GitHub, ReceiverGitLab: w.GitLab, ReceiverBitbucket: w.Bitbucket,
		ReceiverGitea: w.Gitea, ReceiverAzure: w.Azure, ReceiverDockerHub: w.DockerHub,
		ReceiverQuay: w.Quay, ReceiverHarbor: w.Harbor,
	}
	switch {
	case simple[kind] != nil:
		return &simple[kind].SecretRef
	case kind == ReceiverArtifactory && w.Artifactory != nil:
		return &w.Artifactory.SecretRef
	case kind == ReceiverGeneric && w.Generic != nil:
		return &w.Generic.SecretRef
	}
	return nil
}

// WebhookReceiverPath is the URL path of a receiver, derived as Kargo
// derives it so that a URL configured for Kargo works unchanged:
// /<kind>/<hex SHA-256 of project, receiver name and secret values, concatenated>.
// The path depends on the secret, so rotating the secret changes it.
func WebhookReceiverPath(project, kind, name string, secretValues ...string) string {
	sum := sha256.Sum256([]byte(project + name + strings.Join(secretValues, "")))
	return "/" + kind + "/" + hex.EncodeToString(sum[:])
}

// WebhookReceiverURL joins a base URL (scheme, host and an optional path
// prefix) with a receiver path.
func WebhookReceiverURL(base, path string) string {
	u, err := url.Parse(base)
	if err != nil || base == "" {
		return path
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	return u.String()
}

// WebhookReceiverStatus is what a project publishes about one receiver.
type WebhookReceiverStatus struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Path  string `json:"path,omitempty"`
	URL   string `json:"url,omitempty"`
	Error string `json:"error,omitempty"`
}

// NormalizeRepoURL normalizes a repository URL as subscriptions of kind
// ("git", "image", "chart") are compared: git URLs as for Freight IDs,
// image and chart references without tag or digest.
func NormalizeRepoURL(kind, repo string) string {
	switch kind {
	case "git":
		return NormalizeGitURL(repo)
	case "chart":
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(repo)), "oci://") {
			return "oci://" + NormalizeChartURL(repo)
		}
		return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(repo)), "/")
	}
	return NormalizeImageURL(strings.TrimSpace(repo))
}

// SubscribedURLs lists the normalized repository URLs a Warehouse
// subscribes to, sorted and without duplicates. An OCI chart repository is
// listed twice: with oci:// and as an image repository, since registries
// report chart pushes like image pushes.
func (w WarehouseSpec) SubscribedURLs() []string {
	seen := map[string]bool{}
	for _, s := range w.Subscriptions {
		u := NormalizeRepoURL(s.Kind(), s.RepoURL())
		seen[u] = true
		if s.Chart != nil && strings.HasPrefix(u, "oci://") {
			seen[strings.TrimPrefix(u, "oci://")] = true
		}
	}
	out := make([]string, 0, len(seen))
	for u := range seen {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// SubscribesToAny reports whether the Warehouse subscribes to one of the
// normalized repository URLs.
func (w WarehouseSpec) SubscribesToAny(normalized []string) bool {
	for _, u := range w.SubscribedURLs() {
		for _, n := range normalized {
			if n != "" && u == n {
				return true
			}
		}
	}
	return false
}

// String names a receiver for messages.
func (w WebhookReceiver) String() string { return fmt.Sprintf("%s receiver %s", w.Kind(), w.Name) }
