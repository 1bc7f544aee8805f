package steps

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
	"github.com/railyard/railyard/activities/git"
)

// refusedAtApply are the Kargo keys that config refuses as "not supported
// yet" when manifests are applied, so no runner needs to decode them.
var refusedAtApply = map[string]bool{
	"git-clone recurseSubmodules": true, "git-clone author.signingKey": true,
	"git-commit author.signingKey": true,
}

// TestRunnersDecodeEveryKargoKey: every key of Kargo's step schemas that
// config accepts (config/testdata/kargo-step-keys.txt) is decoded by the
// runner of a step Railyard runs, so that a config passing validation never
// fails at run time as an unknown field.
func TestRunnersDecodeEveryKargoKey(t *testing.T) {
	reg := Registry{}.Add(FileRunners(nil)...).Add(GitRunners(&git.Client{CacheDir: t.TempDir()})...).
		Add(RenderRunners()...).Add(OCIRunners()...).Add(PullRequestRunners(PullRequests{})...).
		Add(ArgoCDRunners(&argocd.Clusters{})...)
	f, err := os.Open("../../config/testdata/kargo-step-keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		if len(parts) != 3 || strings.HasPrefix(parts[0], "#") {
			continue
		}
		uses, path, typ := parts[0], parts[1], parts[2]
		runner, ok := reg[uses]
		if !ok || refusedAtApply[uses+" "+path] {
			if railyard.StepKind(uses) == "supported" && !ok {
				t.Errorf("step %s is supported but has no runner", uses)
			}
			continue
		}
		t.Run(uses+"/"+path, func(t *testing.T) {
			cfg, _ := json.Marshal(keyConfig(path, keySample(typ)))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := runner.Run(ctx, &Context{WorkDir: t.TempDir()}, cfg)
			if err != nil && strings.Contains(err.Error(), "unknown field") {
				t.Errorf("%s", err)
			}
		})
	}
}

func keyConfig(path string, value any) any {
	if path == "" {
		return value
	}
	key, rest, _ := strings.Cut(path, ".")
	if k, ok := strings.CutSuffix(key, "[]"); ok {
		return map[string]any{k: []any{keyConfig(rest, value)}}
	}
	return map[string]any{key: keyConfig(rest, value)}
}

func keySample(typ string) any {
	switch typ {
	case "boolean":
		return false
	case "integer":
		return 1
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	return ""
}
