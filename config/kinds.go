package config

import (
	"fmt"
	"regexp"

	railyard "github.com/railyard/railyard"
)

// kindInfo says how to read one kind of manifest.
type kindInfo struct {
	apiVersion    string
	clusterScoped bool
	decode        func(tree map[string]any, src source, r *report) any
}

var kinds = map[string]kindInfo{
	kindProject:              {apiVersion: kargoAPIVersion, clusterScoped: true, decode: decodeProject},
	kindProjectConfig:        {apiVersion: kargoAPIVersion, decode: decodeProjectConfig},
	kindWarehouse:            {apiVersion: kargoAPIVersion, decode: decodeWarehouse},
	kindStage:                {apiVersion: kargoAPIVersion, decode: decodeStage},
	kindPromotionTask:        {apiVersion: kargoAPIVersion, decode: decodeTask},
	kindClusterPromotionTask: {apiVersion: kargoAPIVersion, clusterScoped: true, decode: decodeTask},
	kindFreight:              {apiVersion: kargoAPIVersion, decode: decodeFreight},
	kindAnalysisTemplate:     {apiVersion: argoAPIVersion, decode: decodeAnalysisTemplate},
	kindClusterAnalysisTemplate: {apiVersion: argoAPIVersion, clusterScoped: true, decode: func(tree map[string]any, src source, r *report) any {
		return &clusterTemplateDoc{val: decodeAnalysisTemplate(tree, src, r).(*railyard.AnalysisTemplate)}
	}},
}

// clusterTemplateDoc is a ClusterAnalysisTemplate: shared by every project,
// applied once to the Shared workflow.
type clusterTemplateDoc struct{ val *railyard.AnalysisTemplate }

// notYet lists kinds Railyard knows of but does not read, and why.
var notYet = map[string]string{
	"Promotion":        "Promotion resources are not read from manifests; promotions are requested with `railyard promote`",
	"ClusterConfig":    "ClusterConfig is not supported yet",
	"PromotionRequest": "PromotionRequest is not supported yet",
	"Target":           "Target is not supported yet",
	"AnalysisRun":      "AnalysisRun is not read from manifests; Railyard runs verification itself",
}

var (
	subdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// checkSubdomain reports a name that is not an RFC 1123 subdomain (the rule
// for Kubernetes resource names).
func checkSubdomain(r *report, src source, field, name string) {
	if len(name) > 253 || !subdomainRE.MatchString(name) {
		r.add(src, field, "%q is not a valid name: lower case letters, digits, '-' and '.', starting and ending with a letter or digit (RFC 1123)", name)
	}
}

// checkLabel reports a name that is not an RFC 1123 label (the rule for
// namespaces, hence projects, and subscription names).
func checkLabel(r *report, src source, field, name string) {
	if len(name) > 63 || !labelRE.MatchString(name) {
		r.add(src, field, "%q is not a valid name: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit (RFC 1123 label)", name)
	}
}

// parseObject reads one manifest (already a generic tree) and returns its
// decoded domain value, or nil when it cannot be used at all, and where it
// came from. defaultNS is the namespace of a namespaced resource that names
// none.
func parseObject(tree map[string]any, src source, defaultNS string, r *report) (any, source) {
	apiVersion, _ := tree["apiVersion"].(string)
	kind, _ := tree["kind"].(string)
	meta, _ := tree["metadata"].(map[string]any)
	src.Kind = kind
	src.Name, _ = meta["name"].(string)
	src.Namespace, _ = meta["namespace"].(string)
	if apiVersion == "" || kind == "" {
		src.Kind = ""
		r.add(src, "", "apiVersion and kind are required")
		return nil, src
	}
	info, ok := kinds[kind]
	if src.Namespace == "" && defaultNS != "" && meta != nil && !info.clusterScoped && kind != kindNamespace {
		src.Namespace = defaultNS
		meta["namespace"] = defaultNS
	}
	switch {
	case apiVersion == "v1" && (kind == kindNamespace || kind == kindConfigMap):
		return parseCoreObject(tree, meta, src, r), src
	case kind == "Secret" && apiVersion == "v1":
		r.warn(src, "", "Secrets are not sent to Temporal: repository credentials, secret() values and webhook receivers' "+
			"secretRefs are read by the worker from its credentials (railyard-worker --credentials DIR, a directory "+
			"of Kargo Secret manifests, or FILE), never from workflow history; move this one there")
		return nil, src
	case !ok && notYet[kind] != "":
		r.add(src, "", "%s", notYet[kind])
		return nil, src
	case !ok:
		r.add(src, "", "kind %q (apiVersion %q) is not a Railyard resource", kind, apiVersion)
		return nil, src
	case apiVersion != info.apiVersion:
		r.add(src, "apiVersion", "%s must have apiVersion %s, not %q", kind, info.apiVersion, apiVersion)
		return nil, src
	}
	if info.clusterScoped {
		src.Namespace = ""
	}
	if src.Name == "" {
		src.Name = fmt.Sprintf("(document %d)", src.Doc)
		checkMeta(meta, info, src, r, false)
	} else {
		checkMeta(meta, info, src, r, true)
	}
	return info.decode(tree, src, r), src
}

// checkMeta reports a missing or malformed name or namespace.
func checkMeta(meta map[string]any, info kindInfo, src source, r *report, named bool) {
	if !info.clusterScoped && src.Namespace == "" {
		r.add(src, "metadata.namespace", "is required: the namespace is the project")
	} else if !info.clusterScoped {
		checkLabel(r, src, "metadata.namespace", src.Namespace)
	}
	switch {
	case src.Kind == kindFreight:
		// Freight is named by its content; a name given is replaced.
	case !named && meta["generateName"] != nil:
		r.add(src, "metadata.name", "is required (generateName is not supported)")
	case !named:
		r.add(src, "metadata.name", "is required")
	case src.Kind == kindProject:
		checkLabel(r, src, "metadata.name", src.Name)
	default:
		checkSubdomain(r, src, "metadata.name", src.Name)
	}
}

var projectSpecials = []special{
	{pattern: "spec.promotionPolicies", message: "was removed from Project in Kargo v1.7; set promotionPolicies in the project's ProjectConfig"},
}

func decodeProject(tree map[string]any, src source, r *report) any {
	takeSpecials(tree, projectSpecials, r, src)
	decodeManifest[projectManifest](tree, src, r)
	return &projectDoc{name: src.Name}
}

// projectDoc marks a Project document.
type projectDoc struct{ name string }

var taskSpecials []special

func decodeTask(tree map[string]any, src source, r *report) any {
	takeSpecials(tree, taskSpecials, r, src)
	m := decodeManifest[taskManifest](tree, src, r)
	t := &railyard.PromotionTask{Name: src.Name, Kind: src.Kind, Spec: m.Spec}
	validateTask(t, src, r)
	return t
}
