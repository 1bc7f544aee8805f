package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
)

// Output formats of kustomize-build when writing to a directory.
const (
	KustomizeOutputKargo     = "kargo"     // [namespace-]kind-name.yaml
	KustomizeOutputKustomize = "kustomize" // [namespace_]group_version_kind_name.yaml
)

// kustomizeMu serialises builds: kustomize has shared maps that are not
// safe for concurrent builds (kubernetes-sigs/kustomize#3659).
var kustomizeMu sync.Mutex

// KustomizeBuild is the kustomize-build step: it renders a Kustomization
// in-process, inflating Helm charts in-process too.
type KustomizeBuild struct{}

// KustomizeBuildConfig is the step's configuration (Kargo's keys).
type KustomizeBuildConfig struct {
	Path         string           `json:"path"`
	OutPath      string           `json:"outPath"`
	OutputFormat string           `json:"outputFormat,omitempty"`
	Plugin       *KustomizePlugin `json:"plugin,omitempty"`
}

// KustomizePlugin configures kustomize's builtin plugins.
type KustomizePlugin struct {
	Helm *KustomizeHelmPlugin `json:"helm,omitempty"`
}

// KustomizeHelmPlugin overrides settings of every chart inflated.
type KustomizeHelmPlugin struct {
	APIVersions []string `json:"apiVersions,omitempty"`
	KubeVersion string   `json:"kubeVersion,omitempty"`
}

// Name implements Runner.
func (KustomizeBuild) Name() string { return "kustomize-build" }

// Run implements Runner.
func (s KustomizeBuild) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var cfg KustomizeBuildConfig
	if err := DecodeConfig(s.Name(), raw, &cfg); err != nil {
		return Result{}, err
	}
	if err := cfg.validate(); err != nil {
		return Result{}, Terminal(fmt.Errorf("kustomize-build config: %w", err))
	}
	dir, err := renderPath(sc.WorkDir, "path", cfg.Path)
	if err != nil {
		return Result{}, err
	}
	out, err := renderPath(sc.WorkDir, "outPath", cfg.OutPath)
	if err != nil {
		return Result{}, err
	}
	rm, err := kustomizeRun(ctx, sc, dir, cfg.Plugin)
	if err != nil {
		return Result{}, fmt.Errorf("kustomize-build %s: %w", cfg.Path, err)
	}
	if err := kustomizeWrite(rm, out, cfg.OutputFormat); err != nil {
		return Result{}, fmt.Errorf("kustomize-build write %s: %w", cfg.OutPath, err)
	}
	return Succeeded(nil), nil
}

func (c KustomizeBuildConfig) validate() error {
	switch c.OutputFormat {
	case "", KustomizeOutputKargo, KustomizeOutputKustomize:
	default:
		return fmt.Errorf("outputFormat %q is not one of kargo, kustomize: %w", c.OutputFormat, railyard.ErrInvalid)
	}
	if c.OutPath == "" {
		return fmt.Errorf("outPath is required: %w", railyard.ErrInvalid)
	}
	return nil
}

// kustomizeRun builds the Kustomization in dir.
func kustomizeRun(ctx context.Context, sc *Context, dir string, plugin *KustomizePlugin) (_ resmap.ResMap, err error) {
	fsys, err := newKustomizeFS(sc.WorkDir)
	if err != nil {
		return nil, err
	}
	inflater, err := newKustomizeInflater(ctx, sc, fsys, plugin)
	if err != nil {
		return nil, err
	}
	defer inflater.close()
	if err := inflater.prepare(dir); err != nil {
		return nil, err
	}
	kustomizeMu.Lock()
	defer kustomizeMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kustomize panicked: %v", r)
		}
	}()
	opts := &krusty.Options{
		Reorder:          krusty.ReorderOptionNone, // Kargo's order: as listed, unless sortOptions says otherwise
		LoadRestrictions: kustypes.LoadRestrictionsNone,
		PluginConfig:     kustypes.DisabledPluginConfig(),
	}
	rm, err := krusty.MakeKustomizer(opts).Run(fsys, dir)
	if err != nil {
		return nil, Terminal(err) // the same tree fails the same way again
	}
	return rm, nil
}

// kustomizeWrite writes the resources to one file, or one file per resource
// in a directory.
func kustomizeWrite(rm resmap.ResMap, out, format string) error {
	if renderIsYAMLFile(out) {
		b, err := rm.AsYaml()
		if err != nil {
			return err
		}
		return renderWriteFile(out, b)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	name := kustomizeFileNameKargo
	if format == KustomizeOutputKustomize {
		name = kustomizeFileNameKustomize
	}
	byNS := rm.GroupedByCurrentNamespace()
	multiNS := len(byNS) > 1
	for _, list := range byNS {
		for _, res := range list {
			if err := kustomizeWriteResource(out, name(res, multiNS), res); err != nil {
				return err
			}
		}
	}
	for _, res := range rm.ClusterScoped() {
		if err := kustomizeWriteResource(out, name(res, false), res); err != nil {
			return err
		}
	}
	return nil
}

func kustomizeWriteResource(dir, name string, res *resource.Resource) error {
	if err := renderSafeFileName(name); err != nil {
		return err
	}
	m, err := res.Map()
	if err != nil {
		return err
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(dir+string(os.PathSeparator)+name, b, 0o644)
}

// kustomizeFileNameKargo is "[namespace-]kind-name.yaml", lower case.
func kustomizeFileNameKargo(res *resource.Resource, _ bool) string {
	name := res.GetKind() + "-" + res.GetName() + ".yaml"
	if ns := res.GetNamespace(); ns != "" {
		name = ns + "-" + name
	}
	return strings.ToLower(name)
}

// kustomizeFileNameKustomize is `kustomize build -o dir/`'s naming:
// "[namespace_]group_version_kind_name.yaml", the namespace only when the
// resources span several namespaces.
func kustomizeFileNameKustomize(res *resource.Resource, multiNS bool) string {
	name := strings.ToLower(res.GetGvk().StringWoEmptyField()) + "_" + strings.ToLower(res.GetName()) + ".yaml"
	if ns := res.GetNamespace(); multiNS && ns != "" {
		name = strings.ToLower(ns) + "_" + name
	}
	return name
}
