package config

import (
	"encoding/json"
	"reflect"
	"time"

	railyard "github.com/railyard/railyard"
)

// API versions Railyard reads.
const (
	kargoAPIVersion = "kargo.akuity.io/v1alpha1"
	argoAPIVersion  = "argoproj.io/v1alpha1"
)

// Kinds Railyard reads.
const (
	kindProject                 = "Project"
	kindProjectConfig           = "ProjectConfig"
	kindWarehouse               = "Warehouse"
	kindStage                   = "Stage"
	kindPromotionTask           = railyard.KindPromotionTask
	kindClusterPromotionTask    = railyard.KindClusterPromotionTask
	kindFreight                 = "Freight"
	kindAnalysisTemplate        = "AnalysisTemplate"
	kindClusterAnalysisTemplate = railyard.KindClusterAnalysisTemplate
)

// objectMeta is the part of Kubernetes metadata Railyard reads. Fields that
// clusters add (and exports keep) are accepted and ignored.
type objectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`

	GenerateName               json.RawMessage `json:"generateName"`
	UID                        json.RawMessage `json:"uid"`
	ResourceVersion            json.RawMessage `json:"resourceVersion"`
	CreationTimestamp          json.RawMessage `json:"creationTimestamp"`
	DeletionTimestamp          json.RawMessage `json:"deletionTimestamp"`
	DeletionGracePeriodSeconds json.RawMessage `json:"deletionGracePeriodSeconds"`
	Generation                 json.RawMessage `json:"generation"`
	Finalizers                 json.RawMessage `json:"finalizers"`
	OwnerReferences            json.RawMessage `json:"ownerReferences"`
	ManagedFields              json.RawMessage `json:"managedFields"`
	SelfLink                   json.RawMessage `json:"selfLink"`
}

// header is what every manifest has. A status block is accepted and ignored.
type header struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   objectMeta      `json:"metadata"`
	Status     json.RawMessage `json:"status"`
}

type projectManifest struct {
	header
	Spec *struct{} `json:"spec"`
}

type projectConfigManifest struct {
	header
	Spec railyard.ProjectConfig `json:"spec"`
}

type warehouseManifest struct {
	header
	Spec railyard.WarehouseSpec `json:"spec"`
}

type stageManifest struct {
	header
	Spec railyard.StageSpec `json:"spec"`
}

type taskManifest struct {
	header
	Spec railyard.PromotionTaskSpec `json:"spec"`
}

type analysisManifest struct {
	header
	Spec railyard.AnalysisTemplateSpec `json:"spec"`
}

type freightManifest struct {
	header
	Alias        string                 `json:"alias"`
	Origin       railyard.FreightOrigin `json:"origin"`
	Commits      []railyard.GitCommit   `json:"commits"`
	Images       []railyard.Image       `json:"images"`
	Charts       []railyard.Chart       `json:"charts"`
	DiscoveredAt *time.Time             `json:"discoveredAt"`
}

// decodeManifest checks tree strictly against T's fields and decodes it.
func decodeManifest[T any](tree map[string]any, src source, r *report) *T {
	m := new(T)
	errs, clean := checkTree(tree, reflect.TypeOf(m).Elem(), "")
	for _, e := range errs {
		r.addDecode(src, e.path, e.msg)
	}
	if err := decodeInto(clean, m); err != nil {
		r.add(src, "", "%v", err) // checkTree should have caught this
	}
	return m
}
