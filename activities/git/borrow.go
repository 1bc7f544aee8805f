package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gitcfg "github.com/go-git/go-git/v5/plumbing/format/config"
)

// Borrow creates a bare repository at repo that borrows every object of the
// mirror at mirror (an alternate: nothing is copied) and holds no refs, with
// settings ("section.name" or "section.subsection.name" to value) written
// into its configuration and the mirror as its remote "mirror". It is
// `git clone --bare --shared` without the ref copy, and without the local
// transport that clone starts to make it: one git process, for the init.
func (c *Client) Borrow(ctx context.Context, mirror, repo string, settings [][2]string) error {
	format, err := objectFormat(mirror)
	if err != nil {
		return fmt.Errorf("reading %s: %w", mirror, err)
	}
	args := []string{"init", "--quiet", "--bare", "--template=", "--object-format=" + format, repo}
	if _, err := c.Git(ctx, "", args...); err != nil {
		return err
	}
	alternates := filepath.Join(repo, "objects", "info", "alternates")
	if err := os.MkdirAll(filepath.Dir(alternates), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(alternates, []byte(filepath.Join(mirror, "objects")+"\n"), 0o644); err != nil {
		return err
	}
	return addSettings(filepath.Join(repo, "config"), append(settings, [2]string{"remote.mirror.url", mirror}))
}

// objectFormat is the object format (sha1, sha256) of the repository at dir.
func objectFormat(dir string) (string, error) {
	cfg, err := readConfig(filepath.Join(dir, "config"))
	if err != nil {
		return "", err
	}
	if f := cfg.Section("extensions").Option("objectformat"); f != "" {
		return strings.ToLower(f), nil
	}
	return "sha1", nil
}

func readConfig(path string) (*gitcfg.Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg := gitcfg.New()
	if err := gitcfg.NewDecoder(bytes.NewReader(raw)).Decode(cfg); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return cfg, nil
}

// addSettings appends each key and its value to the git configuration file
// at path, every value quoted as git reads it back exactly.
func addSettings(path string, settings [][2]string) error {
	var out strings.Builder
	for _, kv := range settings {
		section, rest, ok := strings.Cut(kv[0], ".")
		i := strings.LastIndex(rest, ".")
		switch {
		case !ok || section == "" || rest == "" || strings.HasSuffix(rest, "."):
			return fmt.Errorf("configuration key %q: want section.name or section.subsection.name", kv[0])
		case i < 0:
			fmt.Fprintf(&out, "[%s]\n\t%s = %s\n", section, rest, quoteConfig(kv[1]))
		default:
			fmt.Fprintf(&out, "[%s %s]\n\t%s = %s\n", section, quoteConfig(rest[:i]), rest[i+1:], quoteConfig(kv[1]))
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(out.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// quoteConfig quotes s as a git configuration value or subsection name.
func quoteConfig(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}
