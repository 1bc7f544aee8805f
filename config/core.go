package config

import (
	"encoding/json"

	railyard "github.com/railyard/railyard"
)

// Kubernetes core kinds Railyard reads (apiVersion v1).
const (
	kindNamespace = "Namespace"
	kindConfigMap = "ConfigMap"

	// projectLabel marks a namespace that a Project may adopt.
	projectLabel = "kargo.akuity.io/project"
)

type namespaceManifest struct {
	header
	Spec json.RawMessage `json:"spec"`
}

type configMapManifest struct {
	header
	Data       map[string]string `json:"data"`
	BinaryData json.RawMessage   `json:"binaryData"`
	Immutable  *bool             `json:"immutable"`
}

// namespaceDoc is a Namespace labelled for a Project to adopt. It has no
// effect of its own: the Project resource makes the project.
type namespaceDoc struct{ name string }

// parseCoreObject reads a v1 Namespace or ConfigMap.
func parseCoreObject(tree, meta map[string]any, src source, r *report) any {
	if src.Name == "" {
		src.Name = "(document)"
		r.add(src, "metadata.name", "is required")
		return nil
	}
	if src.Kind == kindNamespace {
		src.Namespace = ""
		m := decodeManifest[namespaceManifest](tree, src, r)
		checkLabel(r, src, "metadata.name", src.Name)
		if m.Metadata.Labels[projectLabel] != "true" {
			r.add(src, "metadata.labels", "a Namespace is read only when labelled %s: \"true\" (a namespace for a Project of the same name to adopt)", projectLabel)
			return nil
		}
		return &namespaceDoc{name: src.Name}
	}
	m := decodeManifest[configMapManifest](tree, src, r)
	checkMeta(meta, kindInfo{}, src, r, true)
	if len(m.BinaryData) > 0 && string(m.BinaryData) != "{}" && string(m.BinaryData) != "null" {
		r.add(src, "binaryData", "binaryData is not supported yet; expressions read data")
	}
	return &configMapDoc{shared: src.Namespace == railyard.SharedNamespace,
		val: railyard.ConfigMap{Name: src.Name, Data: m.Data}}
}

// configMapDoc is a ConfigMap of a project, or of the shared namespace.
type configMapDoc struct {
	shared bool
	val    railyard.ConfigMap
}
