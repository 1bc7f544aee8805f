// Package creds resolves repository credentials on the worker. Credentials
// are looked up by kind and repository URL inside activities and never leave
// the worker: they are not part of any workflow input, output or history.
//
// The worker reads them from a credentials file (LoadFile); image and OCI
// lookups may fall back to the Docker configuration (DockerConfig, Keychain).
// Credentials print redacted in every fmt verb and in log/slog.
package creds

import (
	"context"
	"fmt"
	"log/slog"
)

// Kinds of repository credentials.
const (
	KindGit   = "git"
	KindImage = "image"
	KindHelm  = "helm"
)

// Credentials authenticate to one repository.
type Credentials struct {
	Username      string
	Password      string // password or token
	SSHPrivateKey string
}

// Source finds the credentials for a repository. ok is false when none match.
type Source interface {
	Lookup(ctx context.Context, kind, repoURL string) (c Credentials, ok bool, err error)
}

// None is a Source that never has credentials.
type None struct{}

// Lookup implements Source.
func (None) Lookup(context.Context, string, string) (Credentials, bool, error) {
	return Credentials{}, false, nil
}

const redacted = "***"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String renders the credentials with every secret replaced by "***".
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{Username: %q, Password: %q, SSHPrivateKey: %q}",
		c.Username, mask(c.Password), mask(c.SSHPrivateKey))
}

// GoString makes %#v redact too.
func (c Credentials) GoString() string { return "creds." + c.String() }

// Format makes every verb (%v, %+v, %s, %q, %x …) print the redacted form.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, c.GoString())
		return
	}
	_, _ = fmt.Fprint(f, c.String())
}

// LogValue implements slog.LogValuer: only the username is logged.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("username", c.Username),
		slog.String("password", mask(c.Password)),
		slog.String("sshPrivateKey", mask(c.SSHPrivateKey)),
	)
}

// Chain is a Source that asks each source in turn; the first match wins and
// the first error stops the search.
type Chain []Source

// Lookup implements Source.
func (ch Chain) Lookup(ctx context.Context, kind, repoURL string) (Credentials, bool, error) {
	for _, s := range ch {
		if s == nil {
			continue
		}
		c, ok, err := s.Lookup(ctx, kind, repoURL)
		if err != nil || ok {
			return c, ok, err
		}
	}
	return Credentials{}, false, nil
}
