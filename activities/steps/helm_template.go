package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/release"

	"github.com/railyard/railyard"
)

// Output layouts of helm-template when writing to a directory.
const (
	HelmLayoutHelm = "helm" // <outPath>/<chart or release>/templates/…, as `helm template --output-dir`
	HelmLayoutFlat = "flat" // one file per resource directly in outPath
)

// HelmTemplate is the helm-template step: `helm template`, in-process.
type HelmTemplate struct{}

// HelmTemplateConfig is the step's configuration (Kargo's keys).
type HelmTemplateConfig struct {
	Path                    string         `json:"path"`
	OutPath                 string         `json:"outPath"`
	OutLayout               string         `json:"outLayout,omitempty"`
	ReleaseName             string         `json:"releaseName"`
	UseReleaseName          bool           `json:"useReleaseName,omitempty"`
	Namespace               string         `json:"namespace,omitempty"`
	ValuesFiles             []string       `json:"valuesFiles,omitempty"`
	IgnoreMissingValueFiles bool           `json:"ignoreMissingValueFiles,omitempty"`
	SetValues               []HelmSetValue `json:"setValues,omitempty"`
	BuildDependencies       bool           `json:"buildDependencies,omitempty"`
	IncludeCRDs             bool           `json:"includeCRDs,omitempty"`
	DisableHooks            bool           `json:"disableHooks,omitempty"`
	SkipTests               bool           `json:"skipTests,omitempty"`
	KubeVersion             string         `json:"kubeVersion,omitempty"`
	APIVersions             []string       `json:"apiVersions,omitempty"`
}

// HelmSetValue is one `--set` (or `--set-literal`) value.
type HelmSetValue struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Literal bool   `json:"literal,omitempty"`
}

// Name implements Runner.
func (HelmTemplate) Name() string { return "helm-template" }

// Run implements Runner.
func (s HelmTemplate) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var cfg HelmTemplateConfig
	if err := DecodeConfig(s.Name(), raw, &cfg); err != nil {
		return Result{}, err
	}
	if err := cfg.validate(); err != nil {
		return Result{}, Terminal(fmt.Errorf("helm-template config: %w", err))
	}
	chartDir, err := renderPath(sc.WorkDir, "path", cfg.Path)
	if err != nil {
		return Result{}, err
	}
	out, err := renderPath(sc.WorkDir, "outPath", cfg.OutPath)
	if err != nil {
		return Result{}, err
	}
	vals, err := helmComposeValues(sc.WorkDir, cfg)
	if err != nil {
		return Result{}, err
	}
	if cfg.BuildDependencies {
		if err := helmBuildDependencies(ctx, sc, chartDir); err != nil {
			return Result{}, fmt.Errorf("helm-template build dependencies of %s: %w", cfg.Path, err)
		}
	}
	ch, err := helmLoadChart(chartDir)
	if err != nil {
		return Result{}, fmt.Errorf("helm-template %s: %w", cfg.Path, err)
	}
	opts := helmRenderOptions{
		ReleaseName: cfg.ReleaseName, Namespace: cfg.Namespace, IncludeCRDs: cfg.IncludeCRDs,
		DisableHooks: cfg.DisableHooks, KubeVersion: cfg.KubeVersion, APIVersions: cfg.APIVersions,
		UseReleaseName: cfg.UseReleaseName,
	}
	if opts.Namespace == "" {
		opts.Namespace = sc.Project
	}
	if !renderIsYAMLFile(out) && cfg.OutLayout != HelmLayoutFlat {
		opts.OutputDir = out
	}
	rel, err := helmRender(ctx, ch, vals, opts)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("helm-template render %s: %w", cfg.Path, err))
	}
	if err := helmWriteOutput(cfg, rel, out); err != nil {
		return Result{}, fmt.Errorf("helm-template write %s: %w", cfg.OutPath, err)
	}
	return Succeeded(nil), nil
}

func (c HelmTemplateConfig) validate() error {
	switch {
	case c.ReleaseName == "":
		return fmt.Errorf("releaseName is required: %w", railyard.ErrInvalid)
	case c.OutLayout != "" && c.OutLayout != HelmLayoutHelm && c.OutLayout != HelmLayoutFlat:
		return fmt.Errorf("outLayout %q is not one of helm, flat: %w", c.OutLayout, railyard.ErrInvalid)
	}
	for i, v := range c.SetValues {
		if v.Key == "" {
			return fmt.Errorf("setValues[%d].key is required: %w", i, railyard.ErrInvalid)
		}
	}
	return nil
}

// helmComposeValues merges the values files in order, then the set values,
// as `helm template -f … --set …` does.
func helmComposeValues(workDir string, cfg HelmTemplateConfig) (map[string]any, error) {
	var opts values.Options
	for i, f := range cfg.ValuesFiles {
		p, err := renderPath(workDir, fmt.Sprintf("valuesFiles[%d]", i), f)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(p); err != nil {
			if os.IsNotExist(err) && cfg.IgnoreMissingValueFiles {
				continue
			}
			return nil, Terminal(fmt.Errorf("helm-template values file %s: %w", f, railyard.ErrNotFound))
		}
		opts.ValueFiles = append(opts.ValueFiles, p)
	}
	for _, v := range cfg.SetValues {
		if v.Literal {
			opts.LiteralValues = append(opts.LiteralValues, v.Key+"="+v.Value)
		} else {
			opts.Values = append(opts.Values, v.Key+"="+v.Value)
		}
	}
	vals, err := opts.MergeValues(nil)
	if err != nil {
		return nil, Terminal(fmt.Errorf("helm-template values: %w", err))
	}
	return vals, nil
}

// helmLoadChart loads a chart directory and checks that its dependencies
// are present.
func helmLoadChart(dir string) (*chart.Chart, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, Terminal(fmt.Errorf("load chart: %w", err))
	}
	if deps := ch.Metadata.Dependencies; len(deps) > 0 {
		if err := action.CheckDependencies(ch, deps); err != nil {
			return nil, Terminal(fmt.Errorf("%w (set buildDependencies or run helm-update-chart)", err))
		}
	}
	return ch, nil
}

// helmRenderOptions are the `helm template` flags Railyard uses.
type helmRenderOptions struct {
	ReleaseName    string
	Namespace      string
	NameTemplate   string
	IncludeCRDs    bool
	DisableHooks   bool
	SkipTests      bool
	KubeVersion    string
	APIVersions    []string
	OutputDir      string
	UseReleaseName bool
}

// helmRender renders a chart client-side, as `helm template` does.
func helmRender(ctx context.Context, ch *chart.Chart, vals map[string]any, o helmRenderOptions) (*release.Release, error) {
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.DryRun = true
	install.DryRunOption = "client"
	install.ClientOnly = true
	install.Replace = true
	install.ReleaseName = o.ReleaseName
	if o.NameTemplate != "" {
		name, err := action.TemplateName(o.NameTemplate)
		if err != nil {
			return nil, fmt.Errorf("nameTemplate: %w", err)
		}
		install.ReleaseName = name
	}
	if install.ReleaseName == "" {
		install.ReleaseName = "release-name" // helm template's default; deterministic, unlike --generate-name
	}
	install.Namespace = o.Namespace
	install.IncludeCRDs = o.IncludeCRDs
	install.DisableHooks = o.DisableHooks
	install.APIVersions = o.APIVersions
	install.OutputDir = o.OutputDir
	install.UseReleaseName = o.UseReleaseName
	if o.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(o.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("kubeVersion %q: %w", o.KubeVersion, err)
		}
		install.KubeVersion = kv
	}
	return install.RunWithContext(ctx, ch, vals)
}
