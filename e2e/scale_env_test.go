package e2e

import (
	"testing"
)

// scaleEnv is an env for the scale test and benchmark: an info-level
// worker log, so that hundreds of workflows cost the worker little.
type scaleEnv struct{ *env }

func newScaleEnv(tb testing.TB) *scaleEnv {
	return &scaleEnv{newEnv(tb, withLogLevel("info"))}
}
