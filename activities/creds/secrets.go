package creds

import (
	"context"
	"errors"
	"fmt"

	"github.com/railyard/railyard"
)

// secretEntry is one named secret of the credentials file, read by the
// secret() expression function. Its values never enter workflow history
// unless a step's configuration puts them into an output.
type secretEntry struct {
	Name    string               `json:"name"`
	Project string               `json:"project,omitempty"`
	Data    map[string]SecretRef `json:"data"`
}

func (e secretEntry) validate() error {
	if e.Name == "" {
		return errors.New("name is required")
	}
	if len(e.Data) == 0 {
		return errors.New("data is required")
	}
	for k, ref := range e.Data {
		if err := ref.validate(); err != nil {
			return fmt.Errorf("data.%s: %w", k, err)
		}
	}
	return nil
}

// Secret returns the named secret's data for project: an entry for that
// project wins over one for every project.
func (s *Store) Secret(ctx context.Context, project, name string) (map[string]string, error) {
	var found *secretEntry
	for i := range s.secrets {
		e := &s.secrets[i]
		if e.Name == name && (e.Project == project || (e.Project == "" && found == nil)) {
			found = e
		}
	}
	if found == nil {
		return nil, fmt.Errorf("secret %q of project %s is not in %s: %w", name, project, s.path, railyard.ErrNotFound)
	}
	out := make(map[string]string, len(found.Data))
	for k, ref := range found.Data {
		v, err := ref.resolve(ctx, true)
		if err != nil {
			return nil, fmt.Errorf("secret %q key %s: %w", name, k, err)
		}
		out[k] = v
	}
	return out, nil
}
