package testenv

// OCI registries on loopback for image and chart discovery tests: Debian's
// docker-registry (the reference distribution server) as a subprocess, or
// go-containerregistry's in-process registry with a request counter; and
// helpers that push random images, indexes and many tags.

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"
)

// DockerRegistryBinary is where Debian's docker-registry package installs
// the distribution server.
const DockerRegistryBinary = "/usr/bin/docker-registry"

// DockerRegistryOption configures StartDockerRegistry.
type DockerRegistryOption func(*dockerRegistryConfig)

type dockerRegistryConfig struct{ user, pass string }

// DockerRegistryAuth protects the registry with basic auth (htpasswd).
func DockerRegistryAuth(user, pass string) DockerRegistryOption {
	return func(c *dockerRegistryConfig) { c.user, c.pass = user, pass }
}

// StartDockerRegistry runs docker-registry on 127.0.0.1 with filesystem
// storage in a temporary directory and returns its host:port. It is killed
// when the test ends. The test is skipped when the binary is absent.
func StartDockerRegistry(t testing.TB, opts ...DockerRegistryOption) string {
	t.Helper()
	if _, err := os.Stat(DockerRegistryBinary); err != nil {
		t.Skipf("%s not installed (apt-get install -y docker-registry): %v", DockerRegistryBinary, err)
	}
	var cfg dockerRegistryConfig
	for _, o := range opts {
		o(&cfg)
	}
	dir := t.TempDir()
	host := "127.0.0.1:" + loopbackPort(t)
	conf := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"+
		"http:\n  addr: %s\n", filepath.Join(dir, "data"), host)
	if cfg.user != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(cfg.pass), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		htpasswd := filepath.Join(dir, "htpasswd")
		writeTestFile(t, htpasswd, cfg.user+":"+string(hash)+"\n")
		conf += fmt.Sprintf("auth:\n  htpasswd:\n    realm: railyard\n    path: %s\n", htpasswd)
	}
	confPath := filepath.Join(dir, "config.yml")
	writeTestFile(t, confPath, conf)
	cmd := exec.Command(DockerRegistryBinary, "serve", confPath)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting docker-registry: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitForV2(t, host, &logs)
	return host
}

func writeTestFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func waitForV2(t testing.TB, host string, logs *strings.Builder) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("docker-registry on %s did not answer /v2/: %s", host, logs.String())
}

// Registry is go-containerregistry's in-memory registry on loopback, with a
// counter of the requests it served.
type Registry struct {
	Host   string
	Server *httptest.Server
	reqs   atomic.Int64
}

// StartRegistry serves go-containerregistry's registry on 127.0.0.1 until
// the test ends. wrap, if given, wraps the registry's handler (auth, faults).
func StartRegistry(t testing.TB, wrap ...func(http.Handler) http.Handler) *Registry {
	t.Helper()
	r := &Registry{}
	var h http.Handler = registry.New(registry.Logger(nopLogger()))
	for _, w := range wrap {
		h = w(h)
	}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.reqs.Add(1)
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Server.Close)
	r.Host = strings.TrimPrefix(r.Server.URL, "http://")
	return r
}

// Requests is the number of requests served since the last reset.
func (r *Registry) Requests() int64 { return r.reqs.Load() }

// ResetRequests sets the request counter to zero.
func (r *Registry) ResetRequests() { r.reqs.Store(0) }

// ImageOption shapes an image pushed by PushImage.
type ImageOption func(*imageConfig)

type imageConfig struct {
	annotations map[string]string
	labels      map[string]string
	created     time.Time
	platforms   []string
	auth        authn.Authenticator
}

// WithAnnotations sets manifest annotations (of the index, with platforms).
func WithAnnotations(a map[string]string) ImageOption {
	return func(c *imageConfig) { c.annotations = a }
}

// WithLabels sets config labels.
func WithLabels(l map[string]string) ImageOption { return func(c *imageConfig) { c.labels = l } }

// WithCreated sets the config's created time.
func WithCreated(t time.Time) ImageOption { return func(c *imageConfig) { c.created = t } }

// WithPlatforms pushes an index with one image per "os/arch[/variant]".
func WithPlatforms(p ...string) ImageOption { return func(c *imageConfig) { c.platforms = p } }

// WithPushAuth pushes with basic auth.
func WithPushAuth(user, pass string) ImageOption {
	return func(c *imageConfig) { c.auth = &authn.Basic{Username: user, Password: pass} }
}

// PushImage pushes a small random image (or index) as host/repo:tag and
// returns its digest.
func PushImage(t testing.TB, host, repo, tag string, opts ...ImageOption) string {
	t.Helper()
	cfg := imageConfig{auth: authn.Anonymous}
	for _, o := range opts {
		o(&cfg)
	}
	ref, err := name.NewTag(host+"/"+repo+":"+tag, name.WeakValidation)
	if err != nil {
		t.Fatal(err)
	}
	auth := remote.WithAuth(cfg.auth)
	if len(cfg.platforms) == 0 {
		img := buildImage(t, cfg, cfg.annotations)
		if err := remote.Write(ref, img, auth); err != nil {
			t.Fatalf("pushing %s: %v", ref, err)
		}
		return digestOf(t, img)
	}
	var idx v1.ImageIndex = empty.Index
	for _, p := range cfg.platforms {
		parts := strings.SplitN(p, "/", 3)
		pl := &v1.Platform{OS: parts[0], Architecture: parts[1]}
		if len(parts) == 3 {
			pl.Variant = parts[2]
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: buildImage(t, cfg, nil),
			Descriptor: v1.Descriptor{Platform: pl}})
	}
	if len(cfg.annotations) > 0 {
		idx = mutate.Annotations(idx, cfg.annotations).(v1.ImageIndex)
	}
	if err := remote.WriteIndex(ref, idx, auth); err != nil {
		t.Fatalf("pushing index %s: %v", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func buildImage(t testing.TB, cfg imageConfig, annotations map[string]string) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.labels) > 0 {
		if img, err = mutate.Config(img, v1.Config{Labels: cfg.labels}); err != nil {
			t.Fatal(err)
		}
	}
	if !cfg.created.IsZero() {
		if img, err = mutate.CreatedAt(img, v1.Time{Time: cfg.created}); err != nil {
			t.Fatal(err)
		}
	}
	if len(annotations) > 0 {
		img = mutate.Annotations(img, annotations).(v1.Image)
	}
	return img
}

func digestOf(t testing.TB, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// TagMany points every tag at the manifest that host/repo:src names, with
// one manifest PUT per tag (concurrently): cheap fixtures of many tags.
func TagMany(t testing.TB, host, repo, src string, tags []string) {
	t.Helper()
	ref, err := name.NewTag(host+"/"+repo+":"+src, name.WeakValidation)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatalf("reading %s: %v", ref, err)
	}
	ctx := context.Background()
	sem := make(chan struct{}, 16)
	errs := make(chan error, len(tags))
	var wg sync.WaitGroup
	for _, tag := range tags {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- putManifest(ctx, host, repo, tag, string(desc.MediaType), desc.Manifest)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func putManifest(ctx context.Context, host, repo, tag, mediaType string, body []byte) error {
	u := fmt.Sprintf("http://%s/v2/%s/manifests/%s", host, repo, tag)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("PUT %s: %s", u, resp.Status)
	}
	return nil
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
