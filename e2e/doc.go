// Package e2e holds Railyard's end-to-end tests: the real railyard and
// railyard-worker binaries against the embedded Temporal server and real
// servers (git over smart HTTP, registries) on loopback. They link the
// Temporal server, so they live apart from the fast unit tests.
package e2e
