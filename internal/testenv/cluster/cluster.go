package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is PostgreSQL and a Temporal server set up as deploy/compose.yaml
// sets them up, on loopback.
type Cluster struct {
	Address   string // the frontend, 127.0.0.1:<port>
	Namespace string
	Postgres  *Postgres
	Server    *Server
	Compose   *Compose
	// Timings of the start, for the CI cost figures.
	Timings []Timing

	bins Binaries
	root string
}

// Timing is how long one part of the start took.
type Timing struct {
	What string
	Took time.Duration
}

// Start brings up PostgreSQL, the schema, the Temporal server and the
// namespace with its search attributes; root is the repository root.
func Start(t testing.TB, root string) *Cluster {
	t.Helper()
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	bins := FindBinaries(t, root)
	compose, err := LoadCompose(filepath.Join(root, "deploy/compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Compose: compose, bins: bins, root: root}
	ports := lowPorts(t, 10)
	c.timed("PostgreSQL initdb + start", func() {
		c.Postgres = StartPostgres(t, bins.Postgres, ports[0], compose.ServerEnv["POSTGRES_USER"], compose.ServerEnv["POSTGRES_PWD"])
	})
	c.timed("schema (temporal-schema script)", func() { c.runSchema(t) })
	c.Server = newServer(t, bins.Server, c.serverEnv(t, ports[1:]))
	c.Address = c.Server.Address
	c.timed("Temporal server start to healthy", func() { c.Server.Start(t) })
	c.timed("namespace + search attributes (temporal-setup script)", func() { c.runSetup(t) })
	c.Namespace = compose.SetupEnv["TEMPORAL_NAMESPACE"]
	return c
}

func (c *Cluster) timed(what string, f func()) {
	start := time.Now()
	f()
	c.Timings = append(c.Timings, Timing{what, time.Since(start)})
}

// serverEnv is compose's temporal service environment on loopback ports.
// NUM_HISTORY_SHARDS 1 (compose keeps the image's 4) suits one test
// machine; LOG_LEVEL warn keeps the log short.
func (c *Cluster) serverEnv(t testing.TB, p []int) map[string]string {
	env := map[string]string{}
	for k, v := range c.Compose.ServerEnv {
		env[k] = v
	}
	set := map[string]string{
		"POSTGRES_SEEDS": "127.0.0.1", "DB_PORT": strconv.Itoa(c.Postgres.Port),
		"BIND_ON_IP": "127.0.0.1", "TEMPORAL_BROADCAST_ADDRESS": "127.0.0.1",
		"DYNAMIC_CONFIG_FILE_PATH": filepath.Join(c.root, "deploy/dynamicconfig.yaml"),
		"NUM_HISTORY_SHARDS":       "1", "LOG_LEVEL": "warn",
		"FRONTEND_GRPC_PORT": strconv.Itoa(p[0]), "FRONTEND_HTTP_PORT": strconv.Itoa(p[1]),
		"FRONTEND_MEMBERSHIP_PORT": strconv.Itoa(p[2]),
		"HISTORY_GRPC_PORT":        strconv.Itoa(p[3]), "HISTORY_MEMBERSHIP_PORT": strconv.Itoa(p[4]),
		"MATCHING_GRPC_PORT": strconv.Itoa(p[5]), "MATCHING_MEMBERSHIP_PORT": strconv.Itoa(p[6]),
		"WORKER_GRPC_PORT": strconv.Itoa(p[7]), "WORKER_MEMBERSHIP_PORT": strconv.Itoa(p[8]),
	}
	for _, k := range []string{"POSTGRES_SEEDS", "DB_PORT", "BIND_ON_IP", "DYNAMIC_CONFIG_FILE_PATH", "DB", "POSTGRES_USER", "POSTGRES_PWD"} {
		if _, ok := env[k]; !ok {
			t.Fatalf("%s: the temporal service no longer sets %s; update the cluster test", c.Compose.Path, k)
		}
	}
	for k, v := range set {
		env[k] = v
	}
	return env
}

// runSchema runs compose's temporal-schema script against the loopback
// PostgreSQL, with the server module's schema files where the admin-tools
// image keeps them.
func (c *Cluster) runSchema(t testing.TB) {
	t.Helper()
	script, err := replaceAll(c.Compose.Path+" temporal-schema", c.Compose.SchemaScript,
		"--ep postgresql -p 5432", fmt.Sprintf("--ep 127.0.0.1 -p %d", c.Postgres.Port),
		"/etc/temporal/schema/", c.bins.Schema+"/")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := c.shell(script, c.Compose.SchemaEnv, time.Minute); err != nil {
		t.Fatalf("temporal-schema script: %v\n%s", err, out)
	}
}

// runSetup runs compose's temporal-setup script (namespace and search
// attributes with the temporal CLI). The frontend may call itself unhealthy
// for a moment after it first answers, so a failed run is retried: the
// script is written to be rerun.
func (c *Cluster) runSetup(t testing.TB) {
	t.Helper()
	env := map[string]string{}
	for k, v := range c.Compose.SetupEnv {
		env[k] = v
	}
	env["TEMPORAL_ADDRESS"] = c.Address
	var out string
	var err error
	for try := 0; try < 5; try++ {
		if out, err = c.shell(c.Compose.SetupScript, env, time.Minute); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("temporal-setup script: %v\n%s", err, out)
}

// shell runs a compose script with sh -euc, as the compose entrypoints do,
// with the cluster's programs first on PATH and only env's variables set
// besides PATH and HOME.
func (c *Cluster) shell(script string, env map[string]string, limit time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-euc", script)
	path := strings.Join([]string{filepath.Dir(c.bins.SQLTool), filepath.Dir(c.bins.Temporal), os.Getenv("PATH")}, ":")
	cmd.Env = []string{"PATH=" + path, "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
