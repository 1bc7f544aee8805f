package railyard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path"
	"regexp"
	"sort"
	"strings"
)

// ProjectConfig is a project's policies (Kargo's ProjectConfig spec).
type ProjectConfig struct {
	PromotionPolicies []PromotionPolicy `json:"promotionPolicies,omitempty"`
	// WebhookReceivers are the project's inbound webhook endpoints; the
	// worker serves them (railyard-worker --webhook-addr).
	WebhookReceivers []WebhookReceiver `json:"webhookReceivers,omitempty"`
	// FreightLinks and StageLinks are links to show with a project's
	// Freight and Stages (Kargo's deep links).
	FreightLinks []DeepLink `json:"freightLinks,omitempty"`
	StageLinks   []DeepLink `json:"stageLinks,omitempty"`
}

// DeepLink is a link shown with a Freight or a Stage: URL is a Go
// text/template and If an expr-lang expression, both over the resource
// (see ResolveLinks).
type DeepLink struct {
	Title       string `json:"title"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
	If          string `json:"if,omitempty"`
}

// ConfigMap is a named set of non-secret values (a Kubernetes v1
// ConfigMap), read by the configMap() and sharedConfigMap() expression
// functions.
type ConfigMap struct {
	Name string            `json:"name"`
	Data map[string]string `json:"data,omitempty"`
}

// SharedNamespace is the namespace whose ConfigMaps every project shares
// (Kargo's default shared resources namespace).
const SharedNamespace = "kargo-shared-resources"

// PromotionPolicy enables auto-promotion for the stages it selects.
type PromotionPolicy struct {
	Stage                string         `json:"stage,omitempty"` // deprecated: exact name
	StageSelector        *StageSelector `json:"stageSelector,omitempty"`
	AutoPromotionEnabled bool           `json:"autoPromotionEnabled,omitempty"`
	// Warehouses is a Railyard extension: when set, the policy applies only
	// to the slots of these origins, so a stage may auto-promote images but
	// not configuration.
	Warehouses []string `json:"warehouses,omitempty"`
}

// StageSelector selects stages by name (exact, "glob:", "regex:") and labels.
type StageSelector struct {
	Name             string                     `json:"name,omitempty"`
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is a Kubernetes-style label expression.
type LabelSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// Matches reports whether the selector selects stage.
func (s StageSelector) Matches(stage Stage) bool {
	if s.Name != "" && !MatchName(s.Name, stage.Name) {
		return false
	}
	for k, v := range s.MatchLabels {
		if stage.Labels[k] != v {
			return false
		}
	}
	for _, e := range s.MatchExpressions {
		if !e.matches(stage.Labels) {
			return false
		}
	}
	return true
}

func (e LabelSelectorRequirement) matches(labels map[string]string) bool {
	v, ok := labels[e.Key]
	in := false
	for _, x := range e.Values {
		in = in || x == v
	}
	switch e.Operator {
	case "In":
		return ok && in
	case "NotIn":
		return !ok || !in
	case "Exists":
		return ok
	case "DoesNotExist":
		return !ok
	}
	return false
}

// MatchName matches name against a pattern: exact, "glob:<pattern>" or
// "regex:<expression>" (also "regexp:").
func MatchName(pattern, name string) bool {
	switch {
	case strings.HasPrefix(pattern, "glob:"):
		ok, _ := path.Match(strings.TrimPrefix(pattern, "glob:"), name)
		return ok
	case strings.HasPrefix(pattern, "regex:"), strings.HasPrefix(pattern, "regexp:"):
		re, err := regexp.Compile(pattern[strings.Index(pattern, ":")+1:])
		return err == nil && re.MatchString(name)
	}
	return pattern == name
}

// AutoPromotionEnabled decides whether stage auto-promotes Freight from
// origin warehouse: the first policy that selects the stage decides.
func (c ProjectConfig) AutoPromotionEnabled(stage Stage, warehouse string) bool {
	for _, p := range c.PromotionPolicies {
		sel := p.StageSelector
		if sel == nil {
			if p.Stage == "" {
				continue
			}
			sel = &StageSelector{Name: p.Stage}
		}
		if !sel.Matches(stage) {
			continue
		}
		if len(p.Warehouses) > 0 && !contains(p.Warehouses, warehouse) {
			continue
		}
		return p.AutoPromotionEnabled
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Resources is one project's whole configuration, as applied.
type Resources struct {
	Project           string             `json:"project"`
	Config            ProjectConfig      `json:"config"`
	Warehouses        []Warehouse        `json:"warehouses,omitempty"`
	Stages            []Stage            `json:"stages,omitempty"`
	Tasks             []PromotionTask    `json:"tasks,omitempty"`
	AnalysisTemplates []AnalysisTemplate `json:"analysisTemplates,omitempty"`
	Freight           []Freight          `json:"freight,omitempty"`
	ConfigMaps        []ConfigMap        `json:"configMaps,omitempty"`
}

// Hash is a stable digest of the resources, used to tell a changed
// configuration from a re-applied one.
func (r Resources) Hash() string {
	c := r
	c.Warehouses = sortedBy(r.Warehouses, func(w Warehouse) string { return w.Name })
	c.Stages = sortedBy(r.Stages, func(s Stage) string { return s.Name })
	c.Tasks = sortedBy(r.Tasks, func(t PromotionTask) string { return t.Kind + "/" + t.Name })
	c.AnalysisTemplates = sortedBy(r.AnalysisTemplates, func(a AnalysisTemplate) string { return a.Name })
	c.Freight = sortedBy(r.Freight, func(f Freight) string { return f.ID })
	c.ConfigMaps = sortedBy(r.ConfigMaps, func(m ConfigMap) string { return m.Name })
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func sortedBy[T any](xs []T, key func(T) string) []T {
	out := append([]T(nil), xs...)
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

// Warehouse returns the named Warehouse.
func (r Resources) Warehouse(name string) (Warehouse, bool) {
	for _, w := range r.Warehouses {
		if w.Name == name {
			return w, true
		}
	}
	return Warehouse{}, false
}

// Stage returns the named Stage.
func (r Resources) Stage(name string) (Stage, bool) {
	for _, s := range r.Stages {
		if s.Name == name {
			return s, true
		}
	}
	return Stage{}, false
}

// Task returns the task of that kind and name.
func (r Resources) Task(ref TaskRef) (PromotionTask, bool) {
	kind := ref.Kind
	if kind == "" {
		kind = KindPromotionTask
	}
	for _, t := range r.Tasks {
		if t.Name == ref.Name && t.Kind == kind {
			return t, true
		}
	}
	return PromotionTask{}, false
}
