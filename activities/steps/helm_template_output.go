package steps

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/release"
	"sigs.k8s.io/yaml"
)

var (
	helmDocSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)
	helmSourceLine   = regexp.MustCompile(`(?m)^# Source: (.+)$`)
)

// helmWriteOutput writes what helm did not already write: everything for a
// single file or the flat layout, the hooks for the helm layout.
func helmWriteOutput(cfg HelmTemplateConfig, rel *release.Release, out string) error {
	hooks := helmHooks(cfg, rel)
	switch {
	case renderIsYAMLFile(out):
		return renderWriteFile(out, helmSingleFile(rel.Manifest, hooks))
	case cfg.OutLayout == HelmLayoutFlat:
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		docs := helmSplit(rel.Manifest)
		for _, h := range hooks {
			docs = append(docs, helmSplit(h.Manifest)...)
		}
		return helmWriteFlat(out, docs)
	}
	dir := out
	if cfg.UseReleaseName {
		dir = filepath.Join(out, cfg.ReleaseName)
	}
	return helmWriteHooks(dir, rel.Manifest, hooks)
}

// helmHooks returns the hooks to write: none when hooks are disabled, and
// no test hooks when tests are skipped.
func helmHooks(cfg HelmTemplateConfig, rel *release.Release) []*release.Hook {
	if cfg.DisableHooks {
		return nil
	}
	var out []*release.Hook
	for _, h := range rel.Hooks {
		if cfg.SkipTests && slices.Contains(h.Events, release.HookTest) {
			continue
		}
		out = append(out, h)
	}
	return out
}

func helmSingleFile(manifest string, hooks []*release.Hook) []byte {
	var b bytes.Buffer
	b.WriteString(strings.TrimSpace(manifest) + "\n")
	for _, h := range hooks {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	return b.Bytes()
}

// helmWriteHooks writes hooks the way `helm template --output-dir` does:
// appended to the file of their template when helm wrote it in this run,
// else into a new file (so a retried step never appends twice).
func helmWriteHooks(dir, manifest string, hooks []*release.Hook) error {
	written := map[string]bool{}
	for _, m := range helmSourceLine.FindAllStringSubmatch(manifest, -1) {
		written[m[1]] = true
	}
	for _, h := range hooks {
		p := filepath.Join(dir, filepath.FromSlash(h.Path))
		if !renderWithin(dir, p) {
			return fmt.Errorf("hook %s would be written outside %s", h.Path, dir)
		}
		if err := helmAppend(p, fmt.Sprintf("---\n# Source: %s\n%s\n", h.Path, h.Manifest), written[h.Path]); err != nil {
			return err
		}
		written[h.Path] = true
	}
	return nil
}

func helmAppend(path, data string, appendTo bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// helmSplit splits a multi-document manifest into its non-empty documents.
func helmSplit(manifest string) []string {
	var out []string
	for _, doc := range helmDocSeparator.Split(manifest, -1) {
		if strings.TrimSpace(helmSourceLine.ReplaceAllString(doc, "")) != "" {
			out = append(out, strings.TrimSpace(doc))
		}
	}
	return out
}

// helmWriteFlat writes one file per resource, named as Kargo names them:
// "[group-]kind[-namespace]-name.yaml", dots of the group as underscores.
func helmWriteFlat(dir string, docs []string) error {
	for i, doc := range docs {
		name := helmFlatName(doc)
		if name == "" {
			name = fmt.Sprintf("resource-%d.yaml", i)
		}
		if err := renderSafeFileName(name); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func helmFlatName(doc string) string {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal([]byte(doc), &meta); err != nil || meta.Kind == "" || meta.Metadata.Name == "" {
		return ""
	}
	name := meta.Kind
	if i := strings.LastIndex(meta.APIVersion, "/"); i > 0 {
		name = strings.ReplaceAll(meta.APIVersion[:i], ".", "_") + "-" + name
	}
	if meta.Metadata.Namespace != "" {
		name += "-" + meta.Metadata.Namespace
	}
	return strings.ToLower(name + "-" + meta.Metadata.Name + ".yaml")
}
