package steps

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	helmregistry "helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// renderChart builds a small real chart.
func renderChart(name, version string) *chart.Chart {
	return &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version},
		Values:   map[string]any{"who": name},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte(
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-" + name +
				"\ndata:\n  version: " + version + "\n")}},
	}
}

// renderChartRepo serves a classic chart repository (archives and
// index.yaml made with Helm's own packages) on loopback.
func renderChartRepo(t testing.TB, charts map[string][]string) string {
	dir := t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	for name, versions := range charts {
		for _, v := range versions {
			if _, err := chartutil.Save(renderChart(name, v), dir); err != nil {
				t.Fatal(err)
			}
		}
	}
	index, err := repo.IndexDirectory(dir, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv.URL
}

// renderOCIRegistry serves an OCI registry on loopback and pushes the
// charts to <host>/charts/<name> with Helm's registry client.
func renderOCIRegistry(t testing.TB, charts map[string][]string) string {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	client, err := helmregistry.NewClient(helmregistry.ClientOptPlainHTTP(),
		helmregistry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, versions := range charts {
		for _, v := range versions {
			path, err := chartutil.Save(renderChart(name, v), dir)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Push(data, host+"/charts/"+name+":"+v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return "oci://" + host
}

func renderChartServers(t testing.TB) map[string]string {
	return map[string]string{
		"REPO": renderChartRepo(t, map[string][]string{"dep1": {"1.0.0", "1.1.0", "2.0.0"}}),
		"OCI":  renderOCIRegistry(t, map[string][]string{"dep2": {"0.1.0", "0.2.0"}}),
	}
}

func TestHelmUpdateChartGolden(t *testing.T) {
	renderGolden(t, "helm-update-chart", renderChartServers(t))
}

// TestHelmUpdateChartTwice runs the step again on its own result: nothing
// changes and there is no commit message.
func TestHelmUpdateChartTwice(t *testing.T) {
	vars := renderChartServers(t)
	work := t.TempDir()
	renderCopyIn(t, filepath.Join("testdata", "helm-update-chart", "from-freight", "in"), work, vars)
	sc := &Context{WorkDir: work, Creds: creds.None{}, Collection: railyard.NewCollection(railyard.FreightRef{
		ID: "f1", Origin: railyard.WarehouseOrigin("charts"),
		Charts: []railyard.Chart{{RepoURL: vars["REPO"], Name: "dep1", Version: "2.0.0"}},
	})}
	cfg := []byte(`{"path":"umbrella"}`)
	first, err := (HelmUpdateChart{}).Run(context.Background(), sc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.Output["commitMessage"] == nil {
		t.Fatalf("first run: no commit message: %+v", first)
	}
	before := renderTree(t, work, nil)
	second, err := (HelmUpdateChart{}).Run(context.Background(), sc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if msg, ok := second.Output["commitMessage"]; ok {
		t.Errorf("second run: commit message %q, want none", msg)
	}
	renderDiffTrees(t, before, renderTree(t, work, nil))
}

func TestHelmTemplateBuildDependencies(t *testing.T) {
	vars := renderChartServers(t)
	work := t.TempDir()
	renderCopyIn(t, filepath.Join("testdata", "helm-update-chart", "from-freight", "in"), work, vars)
	sc := &Context{WorkDir: work, Project: "demo", Creds: creds.None{}}
	cfg := []byte(`{"path":"umbrella","outPath":"out.yaml","releaseName":"r","buildDependencies":true}`)
	if _, err := (HelmTemplate{}).Run(context.Background(), sc, cfg); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(work, "out.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: r-dep1", "version: 1.0.0", "name: r-dep2", "version: 0.1.0"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("rendered output lacks %q:\n%s", want, b)
		}
	}
}

// TestKustomizeBuildPullsCharts inflates helmCharts that must be pulled
// from a classic repository and an OCI registry, in-process, without
// writing them into the working tree. Like kustomize with a helm binary,
// the namespace transformer leaves chart output to Helm (these templates
// set no namespace).
func TestKustomizeBuildPullsCharts(t *testing.T) {
	vars := renderChartServers(t)
	work := t.TempDir()
	kust := "namespace: apps\nhelmCharts:\n" +
		"- {name: dep1, repo: " + vars["REPO"] + ", version: 1.1.0, releaseName: a}\n" +
		"- {name: dep2, repo: " + vars["OCI"] + "/charts, version: 0.2.0, releaseName: b, valuesInline: {who: me}}\n"
	if err := renderWriteFile(filepath.Join(work, "app", "kustomization.yaml"), []byte(kust)); err != nil {
		t.Fatal(err)
	}
	sc := &Context{WorkDir: work, Creds: creds.None{}}
	cfg := []byte(`{"path":"app","outPath":"out"}`)
	if _, err := (KustomizeBuild{}).Run(context.Background(), sc, cfg); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"configmap-a-dep1.yaml", "configmap-b-dep2.yaml"} {
		if _, err := os.Stat(filepath.Join(work, "out", name)); err != nil {
			entries, _ := os.ReadDir(filepath.Join(work, "out"))
			t.Errorf("%s: %v (have %v)", name, err, entries)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "app", "charts")); !os.IsNotExist(err) {
		t.Errorf("charts were pulled into the working tree (err %v)", err)
	}
}
