//go:build tools

// Package temporalserver pins the Temporal server and its SQL schema tool in
// the project's module graph so that build.sh builds them at the version the
// SDK tests already use. The cluster tests (e2e/cluster) start both.
package temporalserver

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
