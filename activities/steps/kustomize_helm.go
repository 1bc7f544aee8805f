package steps

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/kustomize/api/konfig"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// kustomizeHelmFile is the virtual file, next to a Kustomization, that holds
// the manifests rendered from its helmCharts.
const kustomizeHelmFile = "railyard-helm-charts.yaml"

// kustomizeInflater inflates the helmCharts of a Kustomization tree
// in-process, instead of kustomize's exec of a helm binary: each chart is
// rendered with Helm's library, and the Kustomization is served (virtually)
// without helmCharts and with the rendered manifests as one more resource.
// Those manifests carry kustomize's helm-generated annotation, so the
// namespace transformer leaves them to Helm as it does for its own plugin.
type kustomizeInflater struct {
	ctx    context.Context
	sc     *Context
	fs     *kustomizeFS
	plugin KustomizeHelmPlugin
	tmp    string
	seen   map[string]bool
}

func newKustomizeInflater(ctx context.Context, sc *Context, fsys *kustomizeFS, p *KustomizePlugin) (*kustomizeInflater, error) {
	k := &kustomizeInflater{ctx: ctx, sc: sc, fs: fsys, seen: map[string]bool{}}
	if p != nil && p.Helm != nil {
		k.plugin = *p.Helm
	}
	return k, nil
}

func (k *kustomizeInflater) close() {
	if k.tmp != "" {
		_ = os.RemoveAll(k.tmp)
	}
}

// prepare walks the Kustomization tree from dir.
func (k *kustomizeInflater) prepare(dir string) error { return k.visit(dir, "") }

// visit handles one Kustomization; parentNS is the namespace kustomize
// hands down to charts of nested Kustomizations.
func (k *kustomizeInflater) visit(dir, parentNS string) error {
	key := renderRealPath(dir) + "\x00" + parentNS
	if k.seen[key] {
		return nil
	}
	k.seen[key] = true
	file, content, kust, ok := k.load(dir)
	if !ok {
		return nil // not a Kustomization we can read: kustomize reports it
	}
	ns := kust.Namespace
	if ns == "" {
		ns = parentNS
	}
	for _, r := range append(append([]string{}, kust.Resources...), kust.Components...) {
		if p := filepath.Join(dir, r); k.fs.IsDir(p) {
			if err := k.visit(p, ns); err != nil {
				return err
			}
		}
	}
	if len(kust.HelmCharts) == 0 {
		return nil
	}
	return k.inflate(dir, file, content, kust, ns)
}

func (k *kustomizeInflater) load(dir string) (string, []byte, *kustypes.Kustomization, bool) {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		file := filepath.Join(dir, name)
		if !k.fs.Exists(file) {
			continue
		}
		b, err := k.fs.ReadFile(file)
		if err != nil {
			return "", nil, nil, false
		}
		var kust kustypes.Kustomization
		if err := yaml.Unmarshal(b, &kust); err != nil {
			return "", nil, nil, false
		}
		kust.FixKustomization()
		return file, b, &kust, true
	}
	return "", nil, nil, false
}

// inflate renders the charts and serves the rewritten Kustomization.
func (k *kustomizeInflater) inflate(dir, file string, content []byte, kust *kustypes.Kustomization, ns string) error {
	var globals kustypes.HelmGlobals
	if kust.HelmGlobals != nil {
		globals = *kust.HelmGlobals
	}
	var all []byte
	for _, c := range kust.HelmCharts {
		if c.Namespace == "" {
			c.Namespace = ns
		}
		out, err := k.render(dir, globals, c)
		if err != nil {
			return fmt.Errorf("helm chart %s in %s: %w", c.Name, file, err)
		}
		if len(all) > 0 {
			all = append(all, "---\n"...)
		}
		all = append(all, out...)
	}
	rewritten, err := kustomizeWithoutCharts(content)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	k.fs.setVirtual(filepath.Join(dir, kustomizeHelmFile), all)
	k.fs.setVirtual(file, rewritten)
	return nil
}

// kustomizeWithoutCharts drops the Helm fields from a Kustomization and
// lists the rendered manifests as a resource instead.
func kustomizeWithoutCharts(content []byte) ([]byte, error) {
	doc, err := kyaml.Parse(string(content))
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"helmCharts", "helmGlobals", "helmChartInflationGenerator"} {
		if _, err := doc.Pipe(kyaml.Clear(f)); err != nil {
			return nil, err
		}
	}
	list, err := doc.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "resources"))
	if err != nil {
		return nil, err
	}
	if err := list.PipeE(kyaml.Append(kyaml.NewScalarRNode(kustomizeHelmFile).YNode())); err != nil {
		return nil, err
	}
	s, err := doc.String()
	return []byte(s), err
}

// render renders one chart as `helm template` would print it.
func (k *kustomizeInflater) render(dir string, g kustypes.HelmGlobals, c kustypes.HelmChart) ([]byte, error) {
	if c.Name == "" {
		return nil, fmt.Errorf("chart name is required")
	}
	ch, err := k.chart(dir, g, c)
	if err != nil {
		return nil, err
	}
	vals, err := k.values(dir, ch, c)
	if err != nil {
		return nil, err
	}
	opts := helmRenderOptions{
		ReleaseName: c.ReleaseName, Namespace: c.Namespace, NameTemplate: c.NameTemplate,
		IncludeCRDs: c.IncludeCRDs, DisableHooks: c.SkipHooks, KubeVersion: c.KubeVersion, APIVersions: c.ApiVersions,
	}
	if k.plugin.KubeVersion != "" {
		opts.KubeVersion = k.plugin.KubeVersion
	}
	if len(k.plugin.APIVersions) > 0 {
		opts.APIVersions = k.plugin.APIVersions
	}
	rel, err := helmRender(k.ctx, ch, vals, opts)
	if err != nil {
		return nil, err
	}
	hooks := helmHooks(HelmTemplateConfig{DisableHooks: c.SkipHooks, SkipTests: c.SkipTests}, rel)
	return kustomizeMarkHelmGenerated(helmSingleFile(rel.Manifest, hooks))
}

// chart loads the chart from the chart home, or pulls it (into a temporary
// directory, never into the working tree) when it is not there.
func (k *kustomizeInflater) chart(dir string, g kustypes.HelmGlobals, c kustypes.HelmChart) (*chart.Chart, error) {
	home := g.ChartHome
	if home == "" {
		home = kustypes.HelmDefaultHome
	}
	if !filepath.IsAbs(home) {
		home = filepath.Join(dir, home)
	}
	if c.Version != "" && c.Repo != "" {
		home = filepath.Join(home, c.Name+"-"+c.Version)
	}
	local := filepath.Join(home, c.Name)
	if k.fs.IsDir(local) {
		return loader.Load(local)
	}
	if c.Repo == "" {
		return nil, fmt.Errorf("no chart at %s and no repo to pull it from", local)
	}
	archive, err := k.pull(c.Repo, c.Name, c.Version)
	if err != nil {
		return nil, fmt.Errorf("pull %s from %s: %w", c.Name, c.Repo, err)
	}
	return loader.Load(archive)
}

func (k *kustomizeInflater) pull(repoURL, name, version string) (string, error) {
	if k.tmp == "" {
		tmp, err := os.MkdirTemp("", "railyard-kustomize-helm-")
		if err != nil {
			return "", err
		}
		k.tmp = tmp
	}
	env, err := newHelmDepEnv(k.ctx, k.sc, []*chart.Dependency{{Name: name, Repository: repoURL, Version: version}})
	if err != nil {
		return "", err
	}
	defer env.close()
	return env.download(repoURL, name, version, k.tmp)
}

// download fetches one chart archive into dest and returns its path.
func (e *helmDepEnv) download(repoURL, name, version, dest string) (string, error) {
	dl := &downloader.ChartDownloader{
		Out: io.Discard, Verify: downloader.VerifyNever, Getters: getter.All(e.settings),
		RegistryClient: e.registry, RepositoryConfig: e.settings.RepositoryConfig,
		RepositoryCache: e.settings.RepositoryCache,
		Options:         []getter.Option{getter.WithRegistryClient(e.registry), getter.WithPlainHTTP(e.plain)},
	}
	ref := strings.TrimSuffix(repoURL, "/") + "/" + name
	if !registry.IsOCI(repoURL) {
		f, err := repo.LoadFile(e.settings.RepositoryConfig)
		if err != nil || len(f.Repositories) == 0 {
			return "", fmt.Errorf("repository config: %v", err)
		}
		cr, err := repo.NewChartRepository(f.Repositories[0], dl.Getters)
		if err != nil {
			return "", err
		}
		cr.CachePath = e.settings.RepositoryCache
		if _, err := cr.DownloadIndexFile(); err != nil {
			return "", err
		}
		ref = f.Repositories[0].Name + "/" + name
	}
	path, _, err := dl.DownloadTo(ref, version, dest)
	return path, err
}

// kustomizeMarkHelmGenerated adds kustomize's helm-generated annotation to
// every document (kustomize strips it from the output).
func kustomizeMarkHelmGenerated(b []byte) ([]byte, error) {
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(string(b)), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, fmt.Errorf("read rendered chart: %w", err)
	}
	for _, n := range nodes {
		if err := n.PipeE(kyaml.SetAnnotation(konfig.HelmGeneratedAnnotation, "true")); err != nil {
			return nil, err
		}
	}
	s, err := kio.StringAll(nodes)
	return []byte(s), err
}
