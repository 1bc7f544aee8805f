package steps

import (
	"fmt"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
)

// The argocd-update configuration (Kargo's schema) and how it rewrites an
// Application's sources: pure functions over the sources as decoded JSON.

type argoCDUpdateConfig struct {
	Apps []argoCDAppUpdate `json:"apps"`
}

type argoCDAppUpdate struct {
	Name      string               `json:"name,omitempty"`
	Namespace string               `json:"namespace,omitempty"`
	Selector  map[string]any       `json:"selector,omitempty"`
	Sources   []argoCDSourceUpdate `json:"sources,omitempty"`
}

type argoCDSourceUpdate struct {
	RepoURL              string                  `json:"repoURL"`
	Chart                string                  `json:"chart,omitempty"`
	DesiredRevision      string                  `json:"desiredRevision,omitempty"`
	UpdateTargetRevision bool                    `json:"updateTargetRevision,omitempty"`
	Kustomize            *argoCDKustomizeUpdate  `json:"kustomize,omitempty"`
	Helm                 *argoCDHelmParamsUpdate `json:"helm,omitempty"`
}

type argoCDKustomizeUpdate struct {
	Images []argoCDKustomizeImage `json:"images,omitempty"`
}

type argoCDKustomizeImage struct {
	RepoURL string `json:"repoURL"`
	Tag     string `json:"tag,omitempty"`
	Digest  string `json:"digest,omitempty"`
	NewName string `json:"newName,omitempty"`
}

type argoCDHelmParamsUpdate struct {
	Images []argoCDHelmImage `json:"images"`
}

type argoCDHelmImage struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// matches reports whether an update is for source: chart sources by exact
// repoURL and chart, git sources by normalised repoURL.
func (u argoCDSourceUpdate) matches(source map[string]any) bool {
	repo, _ := source["repoURL"].(string)
	chart, _ := source["chart"].(string)
	if chart != "" || u.Chart != "" {
		return repo == u.RepoURL && chart == u.Chart
	}
	return railyard.NormalizeGitURL(repo) == railyard.NormalizeGitURL(u.RepoURL)
}

func (u argoCDSourceUpdate) String() string {
	if u.Chart != "" {
		return fmt.Sprintf("repoURL %s and chart %s", u.RepoURL, u.Chart)
	}
	return "repoURL " + u.RepoURL
}

// desiredRevisions lists, per source of the Application, the revision the
// matching update desires ("" where none).
func desiredRevisions(updates []argoCDSourceUpdate, sources []map[string]any) []string {
	out := make([]string, len(sources))
	for i, src := range sources {
		for _, u := range updates {
			if u.matches(src) {
				out[i] = u.DesiredRevision
				break
			}
		}
	}
	return out
}

// applySourceUpdates returns copies of sources with every update applied
// to the first source it matches; an update matching no source is an
// error.
func applySourceUpdates(app string, updates []argoCDSourceUpdate, sources []map[string]any) ([]map[string]any, error) {
	out := make([]map[string]any, len(sources))
	for i, s := range sources {
		out[i] = deepCopyMap(s)
	}
	for _, u := range updates {
		i := indexOfSource(u, out)
		if i < 0 {
			return nil, fmt.Errorf("Application %s has no source with %s", app, u)
		}
		applySourceUpdate(u, out[i])
	}
	return out, nil
}

func indexOfSource(u argoCDSourceUpdate, sources []map[string]any) int {
	for i, s := range sources {
		if u.matches(s) {
			return i
		}
	}
	return -1
}

func applySourceUpdate(u argoCDSourceUpdate, src map[string]any) {
	if u.UpdateTargetRevision && u.DesiredRevision != "" {
		src["targetRevision"] = u.DesiredRevision
	}
	if u.Kustomize != nil && len(u.Kustomize.Images) > 0 {
		k := childMap(src, "kustomize")
		images := make([]any, 0, len(u.Kustomize.Images))
		for _, img := range u.Kustomize.Images {
			images = append(images, kustomizeImage(img))
		}
		k["images"] = images
	}
	if u.Helm != nil && len(u.Helm.Images) > 0 {
		h := childMap(src, "helm")
		params, _ := h["parameters"].([]any)
		for _, img := range u.Helm.Images {
			params = setHelmParameter(params, img.Key, img.Value)
		}
		h["parameters"] = params
	}
}

// kustomizeImage is Argo CD's kustomize image override:
// repo[=newName](:tag|@digest).
func kustomizeImage(img argoCDKustomizeImage) string {
	s := img.RepoURL
	if img.NewName != "" {
		s += "=" + img.NewName
	}
	switch {
	case img.Digest != "":
		return s + "@" + img.Digest
	case img.Tag != "":
		return s + ":" + img.Tag
	}
	return s
}

func setHelmParameter(params []any, name, value string) []any {
	for i, p := range params {
		if m, ok := p.(map[string]any); ok && m["name"] == name {
			m = deepCopyMap(m)
			m["value"] = value
			params[i] = m
			return params
		}
	}
	return append(params, map[string]any{"name": name, "value": value})
}

func childMap(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}

func deepCopyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopyValue(e)
		}
		return out
	}
	return v
}

// syncAction is what argocd-update does about one Application on this run.
type syncAction int

const (
	actionRequest syncAction = iota // patch and request a sync
	actionWait                      // an operation is running: poll again
	actionDone                      // our sync ended well
	actionFailed                    // our sync ended badly
)

// decideSync looks at the Application's current operation: none, or
// someone else's that has ended, or ours that ended without reaching the
// desired revisions → request one; anyone's still running → wait; ours
// ended → done or failed as Argo CD says.
func decideSync(op argocd.Operation, promotion string, desired []string) (syncAction, string) {
	switch {
	case op.Requested == promotion:
		return actionWait, "sync requested; waiting for Argo CD to start it"
	case op.Requested != "":
		return actionWait, "waiting for Argo CD to start an operation requested by someone else"
	case op.Phase == "":
		return actionRequest, ""
	case op.Promotion != promotion && !op.Done():
		return actionWait, fmt.Sprintf("waiting for the running operation (started by %s) to finish",
			orElse(op.Initiator, orElse(op.Promotion, "someone else")))
	case op.Promotion != promotion:
		return actionRequest, ""
	case !op.Done():
		return actionWait, "sync " + strings.ToLower(op.Phase) + orElse(prefixed(": ", op.Message), "")
	case op.Phase != "Succeeded":
		return actionFailed, fmt.Sprintf("sync %s: %s", strings.ToLower(op.Phase), orElse(op.Message, "no message from Argo CD"))
	case !op.HasResult:
		return actionRequest, ""
	}
	for i, want := range desired {
		if want != "" && (i >= len(op.Synced) || op.Synced[i] != want) {
			return actionRequest, ""
		}
	}
	return actionDone, orElse(op.Message, "synced")
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
