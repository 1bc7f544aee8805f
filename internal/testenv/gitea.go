package testenv

// A real Gitea (v1.26.0, built by tools/gitea/build.sh into a cache
// directory keyed by version) on loopback, with SQLite in a temporary
// directory, an admin user and a token made by its own CLI.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// GiteaVersion is the Gitea the forge tests run against (tools/gitea/go.mod).
const GiteaVersion = "v1.26.0"

// Gitea is a running Gitea server, stopped when the test ends.
type Gitea struct {
	URL   string // http://127.0.0.1:<port>
	User  string // the admin user
	Pass  string
	Token string // an access token of User with every scope
	// Calls counts the requests made through API.
	Calls atomic.Int64

	t      testing.TB
	bin    string
	config string
	dir    string
}

// GiteaBinary returns the cached Gitea binary. When it is missing it is
// built (about 9 minutes cold) if $CI or $RAILYARD_BUILD_TOOLS is set;
// otherwise the test is skipped and told how to build it.
func GiteaBinary(t testing.TB) string {
	t.Helper()
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	bin := filepath.Join(cache, "railyard", "tools", "gitea-"+GiteaVersion, "gitea")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "tools", "gitea", "build.sh")
	if os.Getenv("CI") == "" && os.Getenv("RAILYARD_BUILD_TOOLS") == "" {
		t.Skipf("Gitea %s is not built: run %s once (about 9 minutes cold; cached in %s), or set RAILYARD_BUILD_TOOLS=1",
			GiteaVersion, script, filepath.Dir(bin))
	}
	out, err := exec.Command(script).CombinedOutput()
	if err != nil {
		t.Fatalf("building Gitea: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:]))
}

// StartGitea starts Gitea on a free loopback port and waits until its API
// answers.
func StartGitea(t testing.TB) *Gitea {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	g := &Gitea{t: t, bin: GiteaBinary(t), dir: t.TempDir(), User: "railyard", Pass: "railyard-admin-1"}
	port := loopbackPort(t)
	g.URL = "http://127.0.0.1:" + port
	g.config = filepath.Join(g.dir, "app.ini")
	if err := os.WriteFile(g.config, []byte(g.appINI(port)), 0o600); err != nil {
		t.Fatal(err)
	}
	g.cli("migrate")
	g.cli("admin", "user", "create", "--admin", "--username", g.User, "--password", g.Pass,
		"--email", "railyard@example.test", "--must-change-password=false")
	g.Token = g.NewToken(g.User, "all")
	g.serve()
	return g
}

func (g *Gitea) appINI(port string) string {
	static := ""
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		static = filepath.Join(strings.TrimSpace(string(out)), "code.gitea.io", "gitea@"+GiteaVersion)
	}
	return fmt.Sprintf(`APP_NAME = railyard-test
RUN_MODE = prod
WORK_PATH = %[1]s
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[2]s
ROOT_URL = http://127.0.0.1:%[2]s/
DISABLE_SSH = true
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = %[3]s
APP_DATA_PATH = %[1]s/data

[database]
DB_TYPE = sqlite3
PATH = %[1]s/gitea.db

[repository]
ROOT = %[1]s/repos
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true

[service]
DISABLE_REGISTRATION = true

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[queue]
TYPE = channel

[cron]
ENABLED = false

[mailer]
ENABLED = false

[webhook]
ALLOWED_HOST_LIST = loopback

[indexer]
ISSUE_INDEXER_TYPE = db

[log]
MODE = file
LEVEL = warn
ROOT_PATH = %[1]s/log
`, g.dir, port, static)
}

func (g *Gitea) env() []string {
	return append(os.Environ(), "GITEA_WORK_DIR="+g.dir, "HOME="+g.dir, "GIT_CONFIG_NOSYSTEM=1")
}

func (g *Gitea) cli(args ...string) string {
	g.t.Helper()
	cmd := exec.Command(g.bin, append([]string{"--config", g.config, "--work-path", g.dir}, args...)...)
	cmd.Env, cmd.Dir = g.env(), g.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		g.t.Fatalf("gitea %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// NewToken creates an access token of user with scopes ("all",
// "read:repository" …) through Gitea's CLI.
func (g *Gitea) NewToken(user, scopes string) string {
	out := g.cli("admin", "user", "generate-access-token", "--username", user,
		"--token-name", fmt.Sprintf("t%d", time.Now().UnixNano()), "--scopes", scopes, "--raw")
	lines := strings.Split(out, "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// NewUser creates a non-admin user and returns its password.
func (g *Gitea) NewUser(name string) string {
	pass := name + "-pass-1"
	g.cli("admin", "user", "create", "--username", name, "--password", pass,
		"--email", name+"@example.test", "--must-change-password=false")
	return pass
}

func (g *Gitea) serve() {
	g.t.Helper()
	logf, err := os.Create(filepath.Join(g.dir, "web.log"))
	if err != nil {
		g.t.Fatal(err)
	}
	cmd := exec.Command(g.bin, "--config", g.config, "--work-path", g.dir, "web")
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = g.env(), g.dir, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	g.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		_ = logf.Close()
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(g.URL + "/api/v1/version")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logf.Name())
			g.t.Fatalf("gitea web exited:\n%s", log)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("gitea web not ready after 60s")
		}
	}
}

// API calls Gitea's REST API as the admin (or with token when given) and
// decodes the answer into out. It returns the HTTP status.
func (g *Gitea) API(method, path string, body, out any, token ...string) int {
	g.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, g.URL+"/api/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	tok := g.Token
	if len(token) > 0 {
		tok = token[0]
	}
	req.Header.Set("Authorization", "token "+tok)
	g.Calls.Add(1)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			g.t.Fatalf("%s %s: decoding %s: %v", method, path, data, err)
		}
	}
	return res.StatusCode
}

// CreateRepo creates a repository of the admin with a first commit on
// main and returns its clone URL (without credentials).
func (g *Gitea) CreateRepo(name string) string {
	g.t.Helper()
	if st := g.API(http.MethodPost, "/user/repos", map[string]any{"name": name, "auto_init": true,
		"default_branch": "main", "readme": "Default"}, nil); st != http.StatusCreated {
		g.t.Fatalf("creating repository %s: status %d", name, st)
	}
	return g.RepoURL(name)
}

// RepoURL is the clone URL of the admin's repository name.
func (g *Gitea) RepoURL(name string) string { return g.URL + "/" + g.User + "/" + name + ".git" }

// AddHook makes Gitea deliver events of repo to url as a Gitea webhook
// signed with secret.
func (g *Gitea) AddHook(repo, url, secret string, events ...string) {
	g.t.Helper()
	body := map[string]any{"type": "gitea", "active": true, "events": events,
		"config": map[string]string{"url": url, "content_type": "json", "secret": secret}}
	if st := g.API(http.MethodPost, "/repos/"+g.User+"/"+repo+"/hooks", body, nil); st != http.StatusCreated {
		g.t.Fatalf("adding a webhook to %s: status %d", repo, st)
	}
}

// WaitBranch waits until Gitea lists branch of repo (its branch table is
// filled asynchronously after a push).
func (g *Gitea) WaitBranch(repo, branch string) {
	g.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for g.API(http.MethodGet, "/repos/"+g.User+"/"+repo+"/branches/"+branch, nil, nil) != http.StatusOK {
		if time.Now().After(deadline) {
			g.t.Fatalf("branch %s of %s not listed after 30s", branch, repo)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
