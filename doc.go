// Package railyard holds Railyard's domain: Freight and its content-addressed
// ID, Warehouses and their subscriptions, Stages and their slots, collections,
// promotion templates, and the pure decisions made over them (availability,
// auto-promotion candidates, workflow IDs).
//
// Everything here is a plain value with pure functions: no Temporal, no I/O.
// The config package turns Kargo-compatible manifests into these values;
// activities perform the side effects they describe; workflows orchestrate.
package railyard
