// Package git runs the git CLI for Railyard: discovery of commits and tags
// for git subscriptions, and the repository plumbing the git promotion steps
// share. Every remote repository has a persistent bare mirror under the
// worker's cache directory, so a discovery cycle or a clone transfers only
// what changed since the last one. The refs of an http(s) remote are
// listed in this process instead (lsremote.go, advertise.go): a cycle that
// finds them unchanged, as most do, starts no process, and one that finds
// a warm mirror's branch moved asks for the new commit on the same session.
//
// git runs with a clean environment: no system or user configuration, a
// private HOME, no terminal prompts, stall detection, and credentials handed
// to a GIT_ASKPASS helper through environment variables of that one child
// process only. They never appear in argv, logs or errors.
package git

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/railyard/railyard/activities/creds"
)

// Client runs git. Its fields are set once, before first use.
type Client struct {
	// CacheDir holds the per-repository mirrors; it persists across
	// activities on one worker. Empty means a directory under os.TempDir.
	CacheDir string
	// Creds finds credentials for a repository URL; nil means none.
	Creds creds.Source
	// Env is appended to the environment of every git process.
	Env []string

	initOnce sync.Once
	initErr  error
	home     string
	askpass  string
	locks    sync.Map // mirror dir -> *sync.Mutex
	heads    sync.Map // mirror dir -> defaultBranch
	fetches  sync.Map // mirror dir -> *atomic.Int64, fetches since start
	pushCaps sync.Map // normalized URL -> *capability.List of its receive-pack
}

// Stall detection: abort a transfer slower than lowSpeedLimit bytes/s for
// lowSpeedTime seconds.
const (
	lowSpeedLimit = "1024"
	lowSpeedTime  = "30"
)

const askpassScript = `#!/bin/sh
case "$1" in
Username*) printf '%s\n' "$RAILYARD_GIT_USERNAME" ;;
*) printf '%s\n' "$RAILYARD_GIT_PASSWORD" ;;
esac
`

func (c *Client) init() error {
	c.initOnce.Do(func() {
		if c.CacheDir == "" {
			c.CacheDir = filepath.Join(os.TempDir(), "railyard-git-cache")
		}
		c.home = filepath.Join(c.CacheDir, "home")
		c.askpass = filepath.Join(c.home, "askpass.sh")
		if err := os.MkdirAll(c.home, 0o700); err != nil {
			c.initErr = fmt.Errorf("preparing git cache %s: %w", c.CacheDir, err)
			return
		}
		if err := os.WriteFile(c.askpass, []byte(askpassScript), 0o700); err != nil {
			c.initErr = fmt.Errorf("writing askpass helper: %w", err)
		}
	})
	return c.initErr
}

// baseEnv is the environment of every git process.
func (c *Client) baseEnv() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.home,
		"LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=" + c.askpass,
		"SSH_ASKPASS=" + c.askpass,
		"GIT_HTTP_LOW_SPEED_LIMIT=" + lowSpeedLimit,
		"GIT_HTTP_LOW_SPEED_TIME=" + lowSpeedTime,
	}
	if v, ok := os.LookupEnv("TMPDIR"); ok {
		env = append(env, "TMPDIR="+v)
	}
	return append(env, c.Env...)
}

// Cmd describes one git invocation.
type Cmd struct {
	Dir   string
	Args  []string
	Env   []string // extra environment, after the client's
	Stdin io.Reader
	// Remote is the repository URL whose credentials the command needs, if
	// it talks to a remote.
	Remote string
	// Insecure disables TLS verification for this command.
	Insecure bool
	// Creds overrides the client's credentials source for this command.
	Creds creds.Source
}

// Run runs git and returns its standard output. A failure is a
// *CommandError classified from git's messages.
func (c *Client) Run(ctx context.Context, cmd Cmd) (string, error) {
	if err := c.init(); err != nil {
		return "", err
	}
	src := c.Creds
	if cmd.Creds != nil {
		src = cmd.Creds
	}
	env, secret, cleanup, err := c.credentialEnv(ctx, src, cmd.Remote)
	if err != nil {
		return "", err
	}
	defer cleanup()
	args := cmd.Args
	if cmd.Insecure {
		args = append([]string{"-c", "http.sslVerify=false"}, args...)
	}
	x := exec.CommandContext(ctx, "git", args...)
	x.Dir = cmd.Dir
	x.Env = append(append(c.baseEnv(), cmd.Env...), env...)
	x.WaitDelay = 5 * time.Second
	x.Stdin = cmd.Stdin
	var stdout, stderr bytes.Buffer
	x.Stdout, x.Stderr = &stdout, &stderr
	if err := x.Run(); err != nil {
		return stdout.String(), newCommandError(ctx, cmd.Args, stderr.String(), err, secret)
	}
	return stdout.String(), nil
}

// Git runs git in dir without a remote and returns its trimmed output.
func (c *Client) Git(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := c.Run(ctx, Cmd{Dir: dir, Args: args})
	return strings.TrimSpace(out), err
}

// credentialEnv returns the environment that hands repoURL's credentials to
// the askpass helper, the secret to redact from messages, and a cleanup for
// any key file written.
func (c *Client) credentialEnv(ctx context.Context, src creds.Source, repoURL string) ([]string, string, func(), error) {
	none := func() {}
	if repoURL == "" || src == nil {
		return nil, "", none, nil
	}
	cr, ok, err := src.Lookup(ctx, creds.KindGit, repoURL)
	if err != nil {
		return nil, "", none, fmt.Errorf("looking up credentials for %s: %w", Redact(repoURL), err)
	}
	if !ok {
		return nil, "", none, nil
	}
	if cr.SSHPrivateKey != "" {
		return c.sshEnv(cr.SSHPrivateKey)
	}
	env := []string{"RAILYARD_GIT_USERNAME=" + cr.Username, "RAILYARD_GIT_PASSWORD=" + cr.Password}
	return env, cr.Password, none, nil
}

// sshEnv writes the key to a private file for the duration of one command.
func (c *Client) sshEnv(key string) ([]string, string, func(), error) {
	f, err := os.CreateTemp(c.home, "key-*")
	if err != nil {
		return nil, "", func() {}, fmt.Errorf("writing ssh key: %w", err)
	}
	defer f.Close()
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := f.WriteString(strings.TrimSpace(key) + "\n"); err != nil {
		cleanup()
		return nil, "", func() {}, fmt.Errorf("writing ssh key: %w", err)
	}
	ssh := fmt.Sprintf("ssh -i %s -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null", f.Name())
	return []string{"GIT_SSH_COMMAND=" + ssh}, "", cleanup, nil
}
