// Package config turns Kargo-compatible manifests into validated Railyard
// domain values.
//
// Users write the resources they would write for Kargo (apiVersion
// kargo.akuity.io/v1alpha1: Project, ProjectConfig, Warehouse, Stage,
// PromotionTask, ClusterPromotionTask, Freight) plus Argo Rollouts
// AnalysisTemplates (argoproj.io/v1alpha1). Load reads files and
// directories; Parse reads bytes. Both return a Set holding one
// railyard.Resources per project, or Problems listing every problem found —
// unknown fields, wrong types, invalid values, dangling references, cycles
// and fields Railyard does not support yet — each naming the file, the
// resource and the field path.
//
// Decoding is strict. The generic YAML tree of each document is walked
// against the Go types it decodes into (their json tags), so every unknown
// field is reported with its path, not only the first. Fields Kargo has but
// Railyard does not act on are never ignored silently: they are a problem
// ("… is not supported yet"), or a warning when they are harmless.
//
// Railyard extensions, which Kargo does not have, are accepted where the
// domain defines them: a Stage request's sources.requireVerifiedCombination
// and a promotion policy's warehouses (each must name a Warehouse of the
// project). Manually assembled Freight gets its ID computed from its content,
// as Kargo does; the metadata name is ignored.
//
// The package knows nothing of Temporal, activities or workflows.
package config
