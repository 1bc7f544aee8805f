package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

const (
	dbFileName        = "temporal.db"
	clusterIDFileName = "cluster-id"
	clusterName       = "active"
)

// sqlConfig describes the SQLite database: a WAL-journaled file in dataDir,
// or a private shared-cache in-memory database when dataDir is empty.
func sqlConfig(dataDir string) *config.SQL {
	cfg := &config.SQL{PluginName: sqliteplugin.PluginName}
	if dataDir == "" {
		cfg.DatabaseName = "railyard-" + strconv.FormatUint(rand.Uint64(), 36)
		cfg.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		return cfg
	}
	cfg.DatabaseName = filepath.Join(dataDir, dbFileName)
	cfg.ConnectAttributes = map[string]string{
		"mode":         "rwc",
		"journal_mode": "wal",
		"synchronous":  "2", // FULL: a committed workflow task survives a power cut
	}
	return cfg
}

// prepareDB creates the schema when the database file is new and registers
// the namespaces (a no-op for those that already exist). It reports whether
// the database was new. In-memory databases get their schema from the plugin.
func prepareDB(cfg *config.SQL, o Options) (bool, error) {
	fresh := true
	if o.DataDir != "" {
		_, err := os.Stat(cfg.DatabaseName)
		fresh = errors.Is(err, fs.ErrNotExist)
		if err != nil && !fresh {
			return false, fmt.Errorf("devserver: inspect database: %w", err)
		}
	}
	if fresh && o.DataDir != "" {
		if err := sqliteschema.SetupSchema(cfg); err != nil {
			return false, fmt.Errorf("devserver: create schema in %s: %w", cfg.DatabaseName, err)
		}
	}
	return fresh, registerNamespaces(cfg, o)
}

func registerNamespaces(cfg *config.SQL, o Options) error {
	attrs := make(map[string]enumspb.IndexedValueType, len(o.SearchAttributes))
	for _, name := range o.SearchAttributes {
		attrs[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	var nss []*sqliteschema.NamespaceConfig
	for _, name := range o.namespaces() {
		ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, attrs)
		if err != nil {
			return fmt.Errorf("devserver: namespace %s: %w", name, err)
		}
		nss = append(nss, ns)
	}
	if err := sqliteschema.CreateNamespaces(cfg, nss...); err != nil {
		return fmt.Errorf("devserver: register namespaces: %w", err)
	}
	return nil
}

// clusterID returns the ID stored in dataDir, creating it on first use, so
// that the configured ID always matches the one persisted in the database.
// In-memory servers get a fresh one.
func clusterID(dataDir string) (string, error) {
	if dataDir == "" {
		return primitives.NewUUID().String(), nil
	}
	path := filepath.Join(dataDir, clusterIDFileName)
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("devserver: read cluster ID: %w", err)
	}
	id := primitives.NewUUID().String()
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("devserver: store cluster ID: %w", err)
	}
	return id, nil
}
