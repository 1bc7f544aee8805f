package charts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	helmregistry "helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/registry"
	"github.com/railyard/railyard/internal/testenv"
)

// packageChart writes <name>-<version>.tgz into dir and returns its path.
func packageChart(t *testing.T, dir, name, version string) string {
	t.Helper()
	c := &chart.Chart{Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version, Type: "application"}}
	p, err := chartutil.Save(c, dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// chartRepo is a classic Helm repository on loopback: packaged charts and an
// index.yaml from repo.IndexDirectory, served with ETags.
type chartRepo struct {
	dir       string
	srv       *httptest.Server
	requests  atomic.Int64
	fullGets  atomic.Int64
	user, pwd string
}

func newChartRepo(t *testing.T, user, pwd string) *chartRepo {
	r := &chartRepo{dir: t.TempDir(), user: user, pwd: pwd}
	files := http.FileServer(http.Dir(r.dir))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		if u, p, _ := req.BasicAuth(); r.user != "" && (u != r.user || p != r.pwd) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if b, err := os.ReadFile(filepath.Join(r.dir, filepath.Clean(req.URL.Path))); err == nil {
			sum := sha256.Sum256(b)
			w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		}
		rec := &statusRecorder{ResponseWriter: w}
		files.ServeHTTP(rec, req)
		if rec.status == http.StatusOK {
			r.fullGets.Add(1)
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (r *chartRepo) publish(t *testing.T, name string, versions ...string) {
	t.Helper()
	for _, v := range versions {
		packageChart(t, r.dir, name, v)
	}
	idx, err := repo.IndexDirectory(r.dir, r.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(filepath.Join(r.dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func versionsOf(res railyard.SubscriptionResult) []string {
	var out []string
	for _, c := range res.Charts {
		out = append(out, c.Version)
	}
	return out
}

func TestClassicRepository(t *testing.T) {
	r := newChartRepo(t, "", "")
	r.publish(t, "app", "0.1.0", "0.2.0", "1.0.0", "1.1.0-rc.1", "1.0.1")
	r.publish(t, "other", "9.0.0")
	tests := []struct {
		name     string
		sub      railyard.ChartSubscription
		want     []string
		reason   bool
		sentinel error
	}{
		{"greatest first", railyard.ChartSubscription{Name: "app"}, []string{"1.1.0-rc.1", "1.0.1", "1.0.0", "0.2.0", "0.1.0"}, false, nil},
		{"constraint", railyard.ChartSubscription{Name: "app", SemverConstraint: "^1.0.0"}, []string{"1.0.1", "1.0.0"}, false, nil},
		{"limit", railyard.ChartSubscription{Name: "app", DiscoveryLimit: 2}, []string{"1.1.0-rc.1", "1.0.1"}, false, nil},
		{"nothing satisfies", railyard.ChartSubscription{Name: "app", SemverConstraint: ">=5"}, nil, true, nil},
		{"unknown chart", railyard.ChartSubscription{Name: "nope"}, nil, false, railyard.ErrNotFound},
		{"name required", railyard.ChartSubscription{}, nil, false, railyard.ErrInvalid},
		{"bad constraint", railyard.ChartSubscription{Name: "app", SemverConstraint: "not a constraint!"}, nil, false, railyard.ErrInvalid},
		{"missing repository", railyard.ChartSubscription{RepoURL: r.srv.URL + "/nope", Name: "app"}, nil, false, railyard.ErrNotFound},
	}
	c := &Client{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sub.RepoURL == "" {
				tt.sub.RepoURL = r.srv.URL + "/"
			}
			res, err := c.Discover(context.Background(), tt.sub)
			if tt.sentinel != nil {
				if !errors.Is(err, tt.sentinel) || !railyard.IsTerminal(err) {
					t.Fatalf("error = %v, want %v", err, tt.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := versionsOf(res); !slices.Equal(got, tt.want) {
				t.Errorf("versions = %v, want %v", got, tt.want)
			}
			if (res.Error != "") != tt.reason {
				t.Errorf("Error = %q", res.Error)
			}
			for _, ch := range res.Charts {
				if ch.RepoURL != tt.sub.RepoURL || ch.Name != tt.sub.Name || res.Kind != "chart" {
					t.Errorf("chart %+v", ch)
				}
			}
		})
	}
}

func TestClassicConditionalGet(t *testing.T) {
	r := newChartRepo(t, "", "")
	r.publish(t, "app", "1.0.0")
	c := &Client{}
	sub := railyard.ChartSubscription{RepoURL: r.srv.URL, Name: "app"}
	steps := []struct {
		name     string
		publish  string
		want     string
		fullGets int64
	}{
		{"first cycle downloads the index", "", "1.0.0", 1},
		{"quiet cycle: 304", "", "1.0.0", 0},
		{"new version: downloads again", "1.1.0", "1.1.0", 1},
		{"quiet again", "", "1.1.0", 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.publish != "" {
				r.publish(t, "app", s.publish)
			}
			r.requests.Store(0)
			r.fullGets.Store(0)
			res, err := c.Discover(context.Background(), sub)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Charts) == 0 || res.Charts[0].Version != s.want {
				t.Fatalf("versions %v", versionsOf(res))
			}
			if r.requests.Load() != 1 || r.fullGets.Load() != s.fullGets {
				t.Errorf("requests %d, full downloads %d, want 1, %d", r.requests.Load(), r.fullGets.Load(), s.fullGets)
			}
		})
	}
}

func TestClassicCredentials(t *testing.T) {
	r := newChartRepo(t, "bot", "pw")
	r.publish(t, "app", "1.0.0")
	body := func(allow bool) string {
		s := "credentials:\n- kind: helm\n  repoURL: " + r.srv.URL + "\n  username: bot\n  password: {value: pw}\n"
		if allow {
			s += "  allowInsecureHTTP: true\n"
		}
		return s
	}
	tests := []struct {
		name     string
		file     string
		sentinel error
	}{
		{"no credentials", "", railyard.ErrUnauthenticated},
		{"refused over http", body(false), railyard.ErrRejected},
		{"allowed over http", body(true), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{}
			if tt.file != "" {
				s, err := creds.Parse("creds.yaml", []byte(tt.file))
				if err != nil {
					t.Fatal(err)
				}
				c.Creds = s
			}
			res, err := c.Discover(context.Background(), railyard.ChartSubscription{RepoURL: r.srv.URL, Name: "app"})
			if !errors.Is(err, tt.sentinel) || (tt.sentinel == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tt.sentinel)
			}
			if tt.sentinel == nil && len(res.Charts) != 1 {
				t.Errorf("charts %v", res.Charts)
			}
		})
	}
}

func TestOCICharts(t *testing.T) {
	reg := testenv.StartRegistry(t)
	hc, err := helmregistry.NewClient(helmregistry.ClientOptPlainHTTP(), helmregistry.ClientOptWriter(&strings.Builder{}))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, v := range []string{"0.1.0", "0.2.0", "1.0.0+build.1", "1.0.0-rc.1"} {
		data, err := os.ReadFile(packageChart(t, dir, "app", v))
		if err != nil {
			t.Fatal(err)
		}
		ref := reg.Host + "/charts/app:" + v
		if _, err := hc.Push(data, ref); err != nil {
			t.Fatalf("pushing %s: %v", ref, err)
		}
	}
	c := &Client{Registry: &registry.Client{RateLimit: -1, Keychain: authn.NewMultiKeychain()}}
	tests := []struct {
		name     string
		sub      railyard.ChartSubscription
		want     []string
		sentinel error
	}{
		{"all", railyard.ChartSubscription{}, []string{"1.0.0+build.1", "1.0.0-rc.1", "0.2.0", "0.1.0"}, nil},
		{"constraint", railyard.ChartSubscription{SemverConstraint: "<1"}, []string{"0.2.0", "0.1.0"}, nil},
		{"limit", railyard.ChartSubscription{DiscoveryLimit: 1}, []string{"1.0.0+build.1"}, nil},
		{"name must be empty", railyard.ChartSubscription{Name: "app"}, nil, railyard.ErrInvalid},
		{"unknown chart", railyard.ChartSubscription{RepoURL: "oci://" + reg.Host + "/charts/nope"}, nil, railyard.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sub.RepoURL == "" {
				tt.sub.RepoURL = "oci://" + reg.Host + "/charts/app"
			}
			res, err := c.Discover(context.Background(), tt.sub)
			if tt.sentinel != nil {
				if !errors.Is(err, tt.sentinel) {
					t.Fatalf("error = %v, want %v", err, tt.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := versionsOf(res); !slices.Equal(got, tt.want) {
				t.Errorf("versions = %v, want %v", got, tt.want)
			}
			if res.Charts[0].RepoURL != tt.sub.RepoURL {
				t.Errorf("repoURL %s", res.Charts[0].RepoURL)
			}
		})
	}
}
