// Package creds resolves repository credentials on the worker. Credentials
// are looked up by kind and repository URL inside activities and never leave
// the worker: they are not part of any workflow input, output or history.
package creds

import "context"

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
