package steps

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// Golden directory tests of the rendering steps. Each case is a directory
// testdata/<step>/<case>/ holding
//
//	in/          the working directory before the step(s)
//	config.yaml  the step's configuration, or for testdata/render-pipeline a
//	             list of {uses, config}
//	context.yaml optional: project, stage, collection (Freight refs), warehouses
//	out/         the working directory afterwards (golden)
//	result.yaml  the outputs or the error (golden)
//
// Placeholders such as {{REPO}} are replaced in inputs and put back in
// outputs. `go test -run 'Kustomize|Helm|Render' ./activities/steps -update`
// rewrites the golden files.

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func renderUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

type renderContext struct {
	Project    string                `json:"project"`
	Stage      string                `json:"stage"`
	Collection []railyard.FreightRef `json:"collection"`
	Warehouses []railyard.Warehouse  `json:"warehouses"`
}

type renderStep struct {
	Uses   string          `json:"uses"`
	Config json.RawMessage `json:"config"`
}

// renderGolden runs every case under testdata/<step>.
func renderGolden(t *testing.T, step string, vars map[string]string) {
	t.Helper()
	cases, err := os.ReadDir(filepath.Join("testdata", step))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			renderGoldenCase(t, step, filepath.Join("testdata", step, c.Name()), vars)
		})
	}
}

func renderGoldenCase(t *testing.T, step, dir string, vars map[string]string) {
	work := t.TempDir()
	renderCopyIn(t, filepath.Join(dir, "in"), work, vars)
	sc := renderLoadContext(t, dir, work, vars)
	steps := renderLoadSteps(t, step, dir, vars)
	result := renderRun(sc, steps)
	renderCompare(t, dir, work, result, vars)
}

func renderLoadContext(t *testing.T, dir, work string, vars map[string]string) *Context {
	rc := renderContext{Project: "demo", Stage: "dev"}
	if b, err := os.ReadFile(filepath.Join(dir, "context.yaml")); err == nil {
		if err := yaml.UnmarshalStrict(renderExpand(b, vars), &rc); err != nil {
			t.Fatalf("context.yaml: %v", err)
		}
	}
	return &Context{WorkDir: work, Project: rc.Project, Stage: rc.Stage, Promotion: "p1",
		Collection: railyard.NewCollection(rc.Collection...), Warehouses: rc.Warehouses, Creds: creds.None{}}
}

func renderLoadSteps(t *testing.T, step, dir string, vars map[string]string) []renderStep {
	b, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(renderExpand(b, vars))
	if err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	if step == "render-pipeline" {
		var steps []renderStep
		if err := json.Unmarshal(j, &steps); err != nil {
			t.Fatalf("config.yaml: %v", err)
		}
		return steps
	}
	return []renderStep{{Uses: step, Config: j}}
}

// renderRun runs the steps in order and describes what they returned.
func renderRun(sc *Context, steps []renderStep) map[string]any {
	reg := Registry{}.Add(RenderRunners()...)
	out := map[string]any{}
	for i, s := range steps {
		key := fmt.Sprintf("step-%d", i+1)
		r, ok := reg[s.Uses]
		if !ok {
			out[key] = map[string]any{"error": "unknown step " + s.Uses}
			return out
		}
		res, err := r.Run(context.Background(), sc, s.Config)
		if err != nil {
			terminal := railyard.IsTerminal(err)
			out[key] = map[string]any{"error": err.Error(), "terminal": terminal}
			return out
		}
		out[key] = map[string]any{"status": res.Status, "output": res.Output}
	}
	return out
}

func renderCompare(t *testing.T, dir, work string, result map[string]any, vars map[string]string) {
	got := renderTree(t, work, vars)
	res, err := yaml.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	res = renderUnexpand(res, vars)
	if renderUpdating() {
		renderWriteGolden(t, dir, got, res)
		return
	}
	want := renderTree(t, filepath.Join(dir, "out"), nil)
	renderDiffTrees(t, want, got)
	if wantRes, _ := os.ReadFile(filepath.Join(dir, "result.yaml")); !bytes.Equal(wantRes, res) {
		t.Errorf("result.yaml:\n--- want\n%s\n--- got\n%s", wantRes, res)
	}
}

func renderWriteGolden(t *testing.T, dir string, tree map[string][]byte, res []byte) {
	out := filepath.Join(dir, "out")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	for rel, b := range tree {
		if err := renderWriteFile(filepath.Join(out, rel), b); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "result.yaml"), res, 0o644); err != nil {
		t.Fatal(err)
	}
}

func renderDiffTrees(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	names := map[string]bool{}
	for n := range want {
		names[n] = true
	}
	for n := range got {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		w, inWant := want[n]
		g, inGot := got[n]
		switch {
		case !inGot:
			t.Errorf("%s: missing", n)
		case !inWant:
			t.Errorf("%s: unexpected file:\n%s", n, g)
		case !bytes.Equal(w, g):
			t.Errorf("%s:\n--- want\n%s\n--- got\n%s", n, w, g)
		}
	}
}

// renderTree reads a directory tree, normalised for comparison: archives
// as a listing of their files, Chart.lock without its timestamp,
// placeholders put back.
func renderTree(t *testing.T, root string, vars map[string]string) map[string][]byte {
	tree := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		tree[filepath.ToSlash(rel)] = renderNormalize(rel, renderUnexpand(b, vars))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return tree
}

var (
	renderGenerated  = regexp.MustCompile(`(?m)^generated: .*$`)
	renderLockDigest = regexp.MustCompile(`(?m)^digest: sha256:[0-9a-f]+$`)
)

func renderNormalize(name string, b []byte) []byte {
	switch {
	case strings.HasSuffix(name, ".tgz") && bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return renderArchiveListing(b)
	case filepath.Base(name) == "Chart.lock":
		// the digest hashes the repository URLs, whose ports change
		b = renderLockDigest.ReplaceAll(b, []byte("digest: <digest>"))
		return renderGenerated.ReplaceAll(b, []byte("generated: <timestamp>"))
	}
	return b
}

func renderArchiveListing(b []byte) []byte {
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	out.WriteString("# chart archive: files and sha256 of their content\n")
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		content, _ := io.ReadAll(tr)
		fmt.Fprintf(&out, "%s %x\n", h.Name, sha256.Sum256(content))
	}
	return out.Bytes()
}

func renderExpand(b []byte, vars map[string]string) []byte {
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return []byte(s)
}

func renderUnexpand(b []byte, vars map[string]string) []byte {
	s := string(b)
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(vars[keys[i]]) > len(vars[keys[j]]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, vars[k], "{{"+k+"}}")
	}
	return []byte(s)
}

// renderCopyIn copies a case's input tree into the working directory.
func renderCopyIn(t *testing.T, from, to string, vars map[string]string) {
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		return renderWriteFile(filepath.Join(to, rel), renderExpand(b, vars))
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}
