package steps

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli"
	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// helmDepEnv is a throw-away Helm home for one dependency operation: a
// repositories.yaml naming every HTTP repository the chart depends on (with
// credentials), a registry client logged in to its OCI registries, and a
// cache. Nothing is read from or written to the user's Helm configuration.
type helmDepEnv struct {
	home     string
	settings *cli.EnvSettings
	registry *registry.Client
	plain    bool // the OCI registries speak plain HTTP
}

func newHelmDepEnv(ctx context.Context, sc *Context, deps []*chart.Dependency) (*helmDepEnv, error) {
	home, err := os.MkdirTemp("", "railyard-helm-")
	if err != nil {
		return nil, err
	}
	e := &helmDepEnv{home: home, settings: &cli.EnvSettings{
		RepositoryConfig: filepath.Join(home, "repositories.yaml"),
		RepositoryCache:  filepath.Join(home, "cache"),
		RegistryConfig:   filepath.Join(home, "registry.json"),
	}}
	if err := e.setup(ctx, sc.Creds, deps); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *helmDepEnv) close() { _ = os.RemoveAll(e.home) }

func (e *helmDepEnv) setup(ctx context.Context, cs creds.Source, deps []*chart.Dependency) error {
	file := repo.NewFile()
	logins := map[string]creds.Credentials{}
	plain := true
	sawOCI := false
	for _, d := range deps {
		switch {
		case strings.HasPrefix(d.Repository, "http://"), strings.HasPrefix(d.Repository, "https://"):
			entry := &repo.Entry{Name: helmRepoName(d.Repository), URL: d.Repository}
			if c, ok, err := helmLookup(ctx, cs, d.Repository); err != nil {
				return err
			} else if ok {
				entry.Username, entry.Password = c.Username, c.Password
			}
			file.Update(entry)
		case registry.IsOCI(d.Repository):
			host := helmOCIHost(d.Repository)
			sawOCI = true
			plain = plain && helmPlainHTTP(ctx, host)
			c, ok, err := helmLookup(ctx, cs, strings.TrimSuffix(d.Repository, "/")+"/"+d.Name)
			if err != nil {
				return err
			}
			if ok {
				logins[host] = c
			}
		}
	}
	if err := file.WriteFile(e.settings.RepositoryConfig, 0o600); err != nil {
		return err
	}
	return e.login(sawOCI && plain, logins)
}

func (e *helmDepEnv) login(plain bool, logins map[string]creds.Credentials) error {
	opts := []registry.ClientOption{
		registry.ClientOptCredentialsFile(e.settings.RegistryConfig),
		registry.ClientOptWriter(io.Discard),
	}
	if plain {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	e.plain = plain
	client, err := registry.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("registry client: %w", err)
	}
	for host, c := range logins {
		err := client.Login(host, registry.LoginOptBasicAuth(c.Username, c.Password), registry.LoginOptPlainText(plain))
		if err != nil {
			return fmt.Errorf("log in to %s: %w", host, railyard.ErrUnauthenticated)
		}
	}
	e.registry = client
	return nil
}

// manager returns Helm's dependency manager for the chart in dir.
func (e *helmDepEnv) manager(dir string) *downloader.Manager {
	return &downloader.Manager{
		Out:              io.Discard,
		ChartPath:        dir,
		Verify:           downloader.VerifyNever,
		Getters:          getter.All(e.settings),
		RegistryClient:   e.registry,
		RepositoryConfig: e.settings.RepositoryConfig,
		RepositoryCache:  e.settings.RepositoryCache,
	}
}

func helmLookup(ctx context.Context, cs creds.Source, url string) (creds.Credentials, bool, error) {
	if cs == nil {
		return creds.Credentials{}, false, nil
	}
	c, ok, err := cs.Lookup(ctx, creds.KindHelm, url)
	if err != nil {
		return c, false, fmt.Errorf("credentials for %s: %w", url, err)
	}
	return c, ok, nil
}

// helmRepoName names a repository entry after its URL.
func helmRepoName(url string) string {
	return fmt.Sprintf("railyard-%x", sha256.Sum256([]byte(strings.TrimSuffix(url, "/"))))[:41]
}

func helmOCIHost(ref string) string {
	host, _, _ := strings.Cut(strings.TrimPrefix(ref, "oci://"), "/")
	return host
}

// helmPlainHTTP reports whether an OCI registry speaks plain HTTP: its
// answer to a TLS handshake is an HTTP response.
func helmPlainHTTP(ctx context.Context, host string) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		return false
	}
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// helmChartDependencies reads the dependencies declared in dir/Chart.yaml
// and checks that local (file://) ones stay inside the working directory.
func helmChartDependencies(workDir, dir string) ([]*chart.Dependency, error) {
	meta, err := chartutil.LoadChartfile(filepath.Join(dir, chartutil.ChartfileName))
	if err != nil {
		return nil, Terminal(fmt.Errorf("read Chart.yaml: %w", err))
	}
	root := renderRealPath(workDir)
	for _, d := range meta.Dependencies {
		local, ok := strings.CutPrefix(d.Repository, "file://")
		if !ok {
			continue
		}
		p := renderRealPath(filepath.Join(dir, filepath.FromSlash(local)))
		if filepath.IsAbs(local) || !renderWithin(root, p) {
			return nil, Terminal(fmt.Errorf("dependency %s at %s leaves the working directory: %w",
				d.Name, d.Repository, railyard.ErrRejected))
		}
	}
	return meta.Dependencies, nil
}

// helmBuildDependencies downloads a chart's dependencies into charts/, per
// Chart.lock when there is one (`helm dependency build`).
func helmBuildDependencies(ctx context.Context, sc *Context, dir string) error {
	deps, err := helmChartDependencies(sc.WorkDir, dir)
	if err != nil || len(deps) == 0 {
		return err
	}
	env, err := newHelmDepEnv(ctx, sc, deps)
	if err != nil {
		return err
	}
	defer env.close()
	return helmManagerError(env.manager(dir).Build())
}

// helmManagerError marks errors that retrying cannot fix as terminal.
func helmManagerError(err error) error {
	var notFound downloader.ErrRepoNotFound
	if errors.As(err, &notFound) || (err != nil && strings.Contains(err.Error(), "can't get a valid version")) {
		return Terminal(err)
	}
	return err
}
