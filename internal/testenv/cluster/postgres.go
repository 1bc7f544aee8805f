package cluster

// Debian's PostgreSQL (package postgresql), run by the postgres user when
// the tests run as root (it refuses to run as root), in a temporary
// directory both users can traverse.

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Postgres is a running PostgreSQL cluster on 127.0.0.1.
type Postgres struct {
	Port     int
	User     string // the superuser Temporal connects as (compose's POSTGRES_USER)
	Password string
	bin      string // directory of initdb, pg_ctl, psql
	dir      string
	runAs    string // "" runs as the current user
}

// PostgresBin returns the directory of the newest installed PostgreSQL's
// programs, or an error naming the package to install.
func PostgresBin() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(found) == 0 {
		return "", fmt.Errorf("PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)")
	}
	slices.SortFunc(found, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	return filepath.Dir(found[len(found)-1]), nil
}

func pgMajor(pgCtl string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(pgCtl))))
	return n
}

// StartPostgres creates a database cluster in a fresh directory, starts it
// and creates the role Temporal connects as. It is removed when the test
// ends.
func StartPostgres(t testing.TB, bin string, port int, role, password string) *Postgres {
	t.Helper()
	dir, err := os.MkdirTemp("", "railyard-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	p := &Postgres{Port: port, User: role, Password: password, bin: bin, dir: dir}
	t.Cleanup(func() { p.stop("immediate"); _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		p.runAs = "postgres"
		if err := p.chownToPostgres(); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := p.run("initdb", "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.Start(t)
	sql := fmt.Sprintf("CREATE ROLE %s LOGIN SUPERUSER PASSWORD '%s'", role, password)
	if out, err := p.run("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres",
		"-v", "ON_ERROR_STOP=1", "-c", sql); err != nil {
		t.Fatalf("creating role %s: %v\n%s", role, err, out)
	}
	return p
}

func (p *Postgres) data() string { return filepath.Join(p.dir, "data") }

// chownToPostgres makes the directory the postgres user's; its parent
// (the system temporary directory) is traversable by everyone.
func (p *Postgres) chownToPostgres() error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("looking up the postgres user (Debian package postgresql): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(p.dir, uid, gid); err != nil {
		return fmt.Errorf("chown %s to postgres: %w", p.dir, err)
	}
	return os.Chmod(p.dir, 0o755)
}

// Start starts the server on its port and waits until it accepts
// connections.
func (p *Postgres) Start(t testing.TB) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.Port, p.dir)
	if out, err := p.run("pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "postgres.log"),
		"-o", opts, "-w", "-t", "60", "start"); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s\nlog:\n%s", err, out, p.Log())
	}
}

// Restart stops the server the way a crash does (immediate mode: no
// checkpoint, recovery from the WAL at start) and starts it again.
func (p *Postgres) Restart(t testing.TB) {
	t.Helper()
	p.stop("immediate")
	p.Start(t)
}

func (p *Postgres) stop(mode string) {
	_, _ = p.run("pg_ctl", "-D", p.data(), "-m", mode, "-w", "-t", "60", "stop")
}

// Log returns the server's log.
func (p *Postgres) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
	return string(b)
}

// run runs one of PostgreSQL's programs, as the postgres user when the
// tests run as root.
func (p *Postgres) run(prog string, args ...string) ([]byte, error) {
	name := filepath.Join(p.bin, prog)
	if p.runAs != "" {
		args = append([]string{"-u", p.runAs, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "PGPASSWORD="+p.Password)
	// Its own process group, killed whole after two minutes: killing
	// runuser alone would leave a hung child holding the output pipe, and
	// CombinedOutput waiting on it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			if cmd.Process != nil {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		}
	}()
	return cmd.CombinedOutput()
}
