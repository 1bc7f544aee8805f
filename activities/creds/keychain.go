package creds

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// DockerConfig is a Source for image and helm (OCI) credentials that reads
// the Docker configuration (~/.docker/config.json, $DOCKER_CONFIG, credential
// helpers) through a go-containerregistry keychain. Identity tokens cannot be
// expressed as Credentials: use Keychain for registry clients.
type DockerConfig struct {
	// Keychain defaults to authn.DefaultKeychain.
	Keychain authn.Keychain
}

// Lookup implements Source. Kinds other than image and helm never match.
func (d DockerConfig) Lookup(ctx context.Context, kind, repoURL string) (Credentials, bool, error) {
	if kind != KindImage && kind != KindHelm {
		return Credentials{}, false, nil
	}
	repo, err := ociRepository(repoURL)
	if err != nil {
		return Credentials{}, false, nil // not a registry reference
	}
	kc := d.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	auth, err := authn.Resolve(ctx, kc, repo)
	if err != nil {
		return Credentials{}, false, fmt.Errorf("docker config for %s: %w", repoURL, err)
	}
	if auth == authn.Anonymous {
		return Credentials{}, false, nil
	}
	cfg, err := authn.Authorization(ctx, auth)
	if err != nil {
		return Credentials{}, false, fmt.Errorf("docker config for %s: %w", repoURL, err)
	}
	if cfg.Username == "" && cfg.Password == "" {
		return Credentials{}, false, nil
	}
	return Credentials{Username: cfg.Username, Password: cfg.Password}, true, nil
}

// Keychain adapts a Source to go-containerregistry: credentials of the given
// kind from src win; without a match the fallback keychain answers (nil
// means authn.DefaultKeychain, i.e. the Docker configuration). A lookup error
// is returned, never hidden behind the fallback.
func Keychain(src Source, kind string, fallback authn.Keychain) authn.Keychain {
	if fallback == nil {
		fallback = authn.DefaultKeychain
	}
	return keychain{src: src, kind: kind, fallback: fallback}
}

type keychain struct {
	src      Source
	kind     string
	fallback authn.Keychain
}

// Resolve implements authn.Keychain.
func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain.
func (k keychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	if k.src != nil {
		c, ok, err := k.src.Lookup(ctx, k.kind, lookupURL(k.kind, r))
		if err != nil {
			return nil, err
		}
		if ok {
			return authn.FromConfig(authn.AuthConfig{Username: c.Username, Password: c.Password}), nil
		}
	}
	return authn.Resolve(ctx, k.fallback, r)
}

// lookupURL is the repository URL a Source is asked about for r.
func lookupURL(kind string, r authn.Resource) string {
	s := r.String()
	if kind == KindHelm {
		return "oci://" + s
	}
	return s
}

func ociRepository(repoURL string) (name.Repository, error) {
	s := repoURL
	if len(s) > 6 && (s[:6] == "oci://" || s[:6] == "OCI://") {
		s = s[6:]
	}
	return name.NewRepository(s, name.WeakValidation)
}
