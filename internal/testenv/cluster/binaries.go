package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ServerVersion is the Temporal server the cluster runs: the version of
// go.temporal.io/server in go.mod, which tools/temporal-server/build.sh
// builds, and the tag of deploy/compose.yaml's images.
const ServerVersion = "v1.32.1"

// Binaries are the programs the cluster runs.
type Binaries struct {
	Server   string // temporal-server
	SQLTool  string // temporal-sql-tool
	Temporal string // the temporal CLI (compose's admin-tools image has it)
	Postgres string // directory of PostgreSQL's programs
	Schema   string // the server module's schema/ directory
}

// FindBinaries locates everything the cluster needs from the repository
// root. A missing piece skips the test with the reason, or fails it when CI
// is set (.ci/run builds and installs all of them).
func FindBinaries(t testing.TB, root string) Binaries {
	t.Helper()
	b, err := findBinaries(root)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cluster test environment: %v", err)
		}
		t.Skipf("cluster test environment: %v", err)
	}
	return b
}

func findBinaries(root string) (Binaries, error) {
	var b Binaries
	dir := os.Getenv("RAILYARD_TEMPORAL_SERVER_DIR")
	if dir == "" {
		out, err := exec.Command(filepath.Join(root, "tools/temporal-server/build.sh"), "--print-only").Output()
		if err != nil {
			return b, fmt.Errorf("tools/temporal-server/build.sh --print-only: %w", err)
		}
		dir = strings.TrimSpace(string(out))
	}
	b.Server, b.SQLTool = filepath.Join(dir, "temporal-server"), filepath.Join(dir, "temporal-sql-tool")
	for _, p := range []string{b.Server, b.SQLTool} {
		if _, err := os.Stat(p); err != nil {
			return b, fmt.Errorf("%s is not built (run tools/temporal-server/build.sh, ~10 min cold)", p)
		}
	}
	var err error
	if b.Temporal, err = exec.LookPath("temporal"); err != nil {
		return b, errors.New("the temporal CLI is not installed (.ci/run installs it)")
	}
	if b.Postgres, err = PostgresBin(); err != nil {
		return b, err
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/server")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return b, fmt.Errorf("locating the go.temporal.io/server module: %w", err)
	}
	b.Schema = filepath.Join(strings.TrimSpace(string(out)), "schema")
	if _, err := os.Stat(filepath.Join(b.Schema, "postgresql/v12/temporal/versioned")); err != nil {
		return b, fmt.Errorf("the server module has no PostgreSQL schema: %w", err)
	}
	return b, nil
}
