package config

import (
	"encoding/json"
	"errors"
	"flag"
	railyard "github.com/railyard/railyard"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixtures lists the fixtures in dir: YAML files and directories, each with
// a golden file named after it.
func fixtures(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || isManifest(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	return out
}

func goldenPath(fixture string) string {
	return strings.TrimSuffix(strings.TrimSuffix(fixture, ".yaml"), ".yml") + ".golden"
}

// checkGolden compares got with the fixture's golden file, or rewrites it
// with -update.
func checkGolden(t *testing.T, fixture, got string) {
	t.Helper()
	path := goldenPath(fixture)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./config -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", fixture, got, want)
	}
}

// TestValidFixtures loads every valid fixture and compares the decoded Set
// (as JSON, warnings included) with its golden file.
func TestValidFixtures(t *testing.T) {
	for _, fixture := range fixtures(t, "testdata/valid") {
		t.Run(filepath.Base(fixture), func(t *testing.T) {
			set, err := Load(fixture)
			if err != nil {
				t.Fatalf("Load(%s):\n%v", fixture, err)
			}
			warnings := make([]string, len(set.Warnings))
			for i, w := range set.Warnings {
				warnings[i] = w.String()
			}
			b, err := json.MarshalIndent(struct {
				Projects         any                         `json:"projects"`
				SharedConfigMaps any                         `json:"sharedConfigMaps,omitempty"`
				ClusterTemplates []railyard.AnalysisTemplate `json:"clusterAnalysisTemplates,omitempty"`
				Warnings         []string                    `json:"warnings"`
			}{set.Projects, set.SharedConfigMaps, set.ClusterAnalysisTemplates, warnings}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, fixture, string(b)+"\n")
		})
	}
}

// TestInvalidFixtures loads every invalid fixture and compares the error
// text, every problem at once, with its golden file.
func TestInvalidFixtures(t *testing.T) {
	for _, fixture := range fixtures(t, "testdata/invalid") {
		t.Run(filepath.Base(fixture), func(t *testing.T) {
			set, err := Load(fixture)
			if err == nil {
				t.Fatalf("Load(%s) = %d projects, want problems", fixture, len(set.Projects))
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load(%s) error is %T, want Problems: %v", fixture, err, err)
			}
			checkGolden(t, fixture, err.Error()+"\n")
		})
	}
}
