package cluster

import (
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// Compose is what the cluster takes from deploy/compose.yaml.
type Compose struct {
	Path string
	// SchemaScript and SetupScript are the shell scripts of the one-shot
	// temporal-schema and temporal-setup services, with compose's $$
	// escapes undone.
	SchemaScript, SetupScript string
	// SchemaEnv and SetupEnv are those services' environments.
	SchemaEnv, SetupEnv map[string]string
	// ServerEnv is the temporal service's environment (x-temporal-db merged).
	ServerEnv map[string]string
	// WorkerEnv and WorkerArgs are the worker service's environment and
	// command.
	WorkerEnv  map[string]string
	WorkerArgs []string
	// Image tags, to name the server version the file expects.
	ServerImage, AdminImage string
}

type composeFile struct {
	Services map[string]composeService `json:"services"`
}

type composeService struct {
	Image       string            `json:"image"`
	Environment map[string]string `json:"environment"`
	Command     []string          `json:"command"`
}

// LoadCompose reads the services the cluster reproduces from a compose file.
func LoadCompose(path string) (*Compose, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	svc := func(name string) (composeService, error) {
		s, ok := f.Services[name]
		if !ok {
			return s, fmt.Errorf("%s: no service %q", path, name)
		}
		return s, nil
	}
	c := &Compose{Path: path}
	for _, name := range []string{"temporal-schema", "temporal-setup", "temporal", "worker"} {
		s, err := svc(name)
		if err != nil {
			return nil, err
		}
		switch name {
		case "temporal-schema":
			c.SchemaEnv, c.AdminImage = s.Environment, s.Image
			c.SchemaScript, err = script(path, name, s)
		case "temporal-setup":
			c.SetupEnv = s.Environment
			c.SetupScript, err = script(path, name, s)
		case "temporal":
			c.ServerEnv, c.ServerImage = s.Environment, s.Image
		case "worker":
			c.WorkerEnv, c.WorkerArgs = s.Environment, s.Command
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// script returns a one-shot service's only command, a shell script.
func script(path, name string, s composeService) (string, error) {
	if len(s.Command) != 1 {
		return "", fmt.Errorf("%s: service %s: command has %d entries, want one shell script", path, name, len(s.Command))
	}
	return strings.ReplaceAll(s.Command[0], "$$", "$"), nil
}

// replaceAll swaps every old for its new in text and fails when one of them
// is absent: a change of deploy/compose.yaml must not silently bypass the
// loopback substitution.
func replaceAll(where, text string, pairs ...string) (string, error) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			return "", fmt.Errorf("%s no longer contains %q; update the cluster test's substitutions", where, pairs[i])
		}
		text = strings.ReplaceAll(text, pairs[i], pairs[i+1])
	}
	return text, nil
}
