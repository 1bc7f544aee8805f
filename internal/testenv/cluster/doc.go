// Package cluster starts, for tests, Railyard as an operator runs it beyond
// one machine: Debian's PostgreSQL as its own user in a temporary directory,
// the Temporal server v1.32.1 (built by tools/temporal-server/build.sh from
// the go.temporal.io/server module in go.mod) with its schema set up by its
// SQL tool, the namespace and search attributes registered, and
// railyard-worker processes without --dev, configured only through
// TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE.
//
// The commands and settings are read from deploy/compose.yaml itself (its
// schema and setup scripts, the server's and the worker's environment and
// arguments); only host names, ports and paths are swapped for loopback
// ones, so the cluster tests exercise what the compose file runs. Every
// process listens on 127.0.0.1 and stops when the test ends.
package cluster
