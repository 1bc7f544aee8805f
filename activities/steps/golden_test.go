package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
)

var update = flag.Bool("update", false, "rewrite golden out/ directories and want.yaml files")

// goldenCase is testdata/<step>/<case>/config.yaml, plus optional
// want.yaml: {status, output, errorContains}.
type goldenWant struct {
	Status        railyard.StepStatus `json:"status,omitempty"`
	Output        map[string]any      `json:"output,omitempty"`
	ErrorContains string              `json:"errorContains,omitempty"`
}

// TestGolden runs every testdata/<step>/<case>: in/ is copied to a fresh
// working directory, the step runs with config.yaml, and the directory must
// then equal out/ (absent out/ means unchanged in/). want.yaml, when
// present, checks status, output and error text. `go test -update` rewrites
// out/ and want.yaml from the actual results.
func TestGolden(t *testing.T) {
	reg := Registry{}.Add(FileRunners(nil)...)
	steps, _ := filepath.Glob("testdata/*")
	for _, stepDir := range steps {
		runner, ok := reg[filepath.Base(stepDir)]
		if !ok {
			continue
		}
		cases, _ := filepath.Glob(filepath.Join(stepDir, "*"))
		for _, dir := range cases {
			t.Run(filepath.Base(stepDir)+"/"+filepath.Base(dir), func(t *testing.T) {
				runGolden(t, runner, dir)
			})
		}
	}
}

func runGolden(t *testing.T, runner Runner, dir string) {
	work := t.TempDir()
	if err := copyTree(filepath.Join(dir, "in"), work, nil); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	cfgYAML, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfgJSON, err := yaml.YAMLToJSON(cfgYAML)
	if err != nil {
		t.Fatal(err)
	}
	res, runErr := runner.Run(context.Background(), &Context{WorkDir: work}, cfgJSON)
	got := goldenWant{Status: res.Status, Output: res.Output}
	if runErr != nil {
		got = goldenWant{Status: StatusErrored, ErrorContains: runErr.Error()}
	}
	wantFile, outDir := filepath.Join(dir, "want.yaml"), filepath.Join(dir, "out")
	if *update {
		writeGolden(t, wantFile, got)
		_ = os.RemoveAll(outDir)
		if err := copyTree(work, outDir, nil); err != nil {
			t.Fatal(err)
		}
		return
	}
	checkWant(t, wantFile, got, runErr)
	if _, err := os.Stat(outDir); os.IsNotExist(err) {
		outDir = filepath.Join(dir, "in")
	}
	compareTrees(t, outDir, work)
}

func checkWant(t *testing.T, wantFile string, got goldenWant, runErr error) {
	t.Helper()
	var want goldenWant
	if b, err := os.ReadFile(wantFile); err == nil {
		if err := yaml.UnmarshalStrict(b, &want); err != nil {
			t.Fatal(err)
		}
	} else if runErr != nil {
		t.Fatalf("unexpected error: %v", runErr)
	}
	if want.ErrorContains != "" {
		if runErr == nil || !bytes.Contains([]byte(runErr.Error()), []byte(want.ErrorContains)) {
			t.Fatalf("error = %v, want containing %q", runErr, want.ErrorContains)
		}
		return
	}
	if want.Status != "" && got.Status != want.Status {
		t.Errorf("status = %s, want %s", got.Status, want.Status)
	}
	if want.Output != nil {
		g, _ := json.Marshal(got.Output)
		w, _ := json.Marshal(want.Output)
		var gv, wv any
		_ = json.Unmarshal(g, &gv)
		_ = json.Unmarshal(w, &wv)
		if !reflect.DeepEqual(gv, wv) {
			t.Errorf("output = %s, want %s", g, w)
		}
	}
}

func writeGolden(t *testing.T, file string, got goldenWant) {
	t.Helper()
	b, err := yaml.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// compareTrees fails unless both directories hold the same files with the
// same contents.
func compareTrees(t *testing.T, want, got string) {
	t.Helper()
	w, g := treeFiles(t, want), treeFiles(t, got)
	var names []string
	for n := range w {
		names = append(names, n)
	}
	for n := range g {
		if _, ok := w[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		wc, wok := w[n]
		gc, gok := g[n]
		switch {
		case !wok:
			t.Errorf("unexpected %s", n)
		case !gok:
			t.Errorf("missing %s", n)
		case wc != gc:
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", n, gc, wc)
		}
	}
}

func treeFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.IsDir():
			out[rel+"/"] = ""
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "-> " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
