package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// configRepo commits feature-flag changes to the config repository through
// a working clone, with the git CLI.
type configRepo struct {
	bare string
	work string
}

// prepare clones the repository unless the clone exists, and makes the
// first commit when the repository is empty.
func (c *configRepo) prepare() error {
	c.bare, c.work = absPath(c.bare), absPath(c.work)
	if _, err := os.Stat(filepath.Join(c.work, ".git")); err != nil {
		if _, err := c.git("", "clone", "-q", c.bare, c.work); err != nil {
			return err
		}
	}
	if _, err := c.git(c.work, "rev-parse", "-q", "--verify", "HEAD"); err == nil {
		return nil
	}
	if err := os.WriteFile(filepath.Join(c.work, "README.md"),
		[]byte("# Configuration\n\nOnly changes under feature-flags/ make Freight.\n"), 0o644); err != nil {
		return fmt.Errorf("writing README.md: %w", err)
	}
	_, err := c.commit(1)
	return err
}

// commitNext commits the next revision of the feature flags.
func (c *configRepo) commitNext() (int, error) {
	out, err := c.git(c.work, "rev-list", "--count", "HEAD", "--", "feature-flags")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(out)
	if err != nil {
		return 0, fmt.Errorf("counting flag revisions: %q: %w", out, err)
	}
	return c.commit(n + 1)
}

// commit writes revision rev of feature-flags/ and pushes it.
func (c *configRepo) commit(rev int) (int, error) {
	dir := filepath.Join(c.work, "feature-flags")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("creating feature-flags/: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "flags.yaml"), []byte(flags(rev)), 0o644); err != nil {
		return 0, fmt.Errorf("writing flags.yaml: %w", err)
	}
	for _, args := range [][]string{
		{"add", "-A"},
		{"commit", "-q", "-m", fmt.Sprintf("feature flags revision %d", rev)},
		{"push", "-q", "origin", "HEAD:main"},
	} {
		if _, err := c.git(c.work, args...); err != nil {
			return 0, err
		}
	}
	return rev, nil
}

// flags is the feature-flag file at a revision: each flag flips at its own
// pace.
func flags(rev int) string {
	return fmt.Sprintf("# feature flags, revision %d\nrevision: %d\nnewCheckout: %t\ndarkMode: %t\nbanner: %q\n",
		rev, rev, rev%2 == 0, rev%3 == 0, fmt.Sprintf("welcome to release %d", rev))
}

// git runs git in dir with the quickstart's identity.
func (c *configRepo) git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=quickstart feeder", "GIT_AUTHOR_EMAIL=feeder@railyard.invalid",
		"GIT_COMMITTER_NAME=quickstart feeder", "GIT_COMMITTER_EMAIL=feeder@railyard.invalid",
		"GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
