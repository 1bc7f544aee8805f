package railyard

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/railyard/railyard"

// importRules says which of the module's packages (and Temporal) a
// directory's non-test code must not import. Imports point one way:
// config, activities → root; workflows → activities, root; dashboard →
// workflows, root (it reads and writes only through the workflows' messages);
// worker, starter → everything; nothing imports worker or starter.
var importRules = []struct {
	dir       string
	forbidden []string
}{
	{".", []string{module + "/", "go.temporal.io/"}},
	{"config", []string{module + "/activities", module + "/workflows", module + "/worker", module + "/starter", module + "/internal", "go.temporal.io/"}},
	{"activities", []string{module + "/workflows", module + "/config", module + "/worker", module + "/starter"}},
	{"workflows", []string{module + "/config", module + "/worker", module + "/starter", module + "/internal"}},
	{"internal", []string{module + "/workflows", module + "/worker", module + "/starter"}},
	{"dashboard", []string{module + "/activities", module + "/config", module + "/internal", module + "/worker", module + "/starter"}},
	{"e2e", []string{module + "/worker", module + "/starter"}},
}

func TestImportDirections(t *testing.T) {
	for _, rule := range importRules {
		t.Run(rule.dir, func(t *testing.T) {
			for file, imp := range imports(t, rule.dir) {
				for _, bad := range rule.forbidden {
					for _, p := range imp {
						if strings.HasPrefix(p+"/", bad) || strings.HasPrefix(p, bad) {
							t.Errorf("%s imports %s", file, p)
						}
					}
				}
			}
		})
	}
}

// allowed lists, for each of the module's packages, the module packages its
// non-test code may import ("." is the root package). Workflows see only the
// domain and the activity entry points; the activity sub-packages see the
// domain and the helpers below them; the dashboard reads through the
// workflows' messages. A package missing here fails the test: a new package
// says what it depends on.
var allowed = map[string][]string{
	".":                          {},
	"config":                     {"."},
	"activities":                 {".", "activities/argocd", "activities/creds", "activities/expr", "activities/steps", "activities/verify"},
	"activities/argocd":          {"."},
	"activities/charts":          {".", "activities/creds", "activities/registry"},
	"activities/creds":           {"."},
	"activities/expr":            {"."},
	"activities/forge":           {".", "activities/creds"},
	"activities/git":             {".", "activities/creds"},
	"activities/registry":        {".", "activities/creds"},
	"activities/steps":           {".", "activities/argocd", "activities/creds", "activities/expr", "activities/forge", "activities/git"},
	"activities/verify":          {".", "activities/expr"},
	"workflows":                  {".", "activities"},
	"dashboard":                  {".", "workflows"},
	"internal/devserver":         {"internal/freeport"},
	"internal/freeport":          {},
	"internal/testenv":           {"internal/freeport"},
	"internal/testenv/cluster":   {"internal/freeport"},
	"internal/webhook":           {".", "activities/expr"},
	"e2e":                        {},
	"examples/quickstart/feeder": {},
	"starter":                    {".", "config", "dashboard", "workflows"},
	"worker": {".", "activities", "activities/argocd", "activities/charts", "activities/creds", "activities/git",
		"activities/registry", "activities/steps", "activities/verify", "dashboard", "internal/devserver",
		"internal/webhook", "workflows"},
}

func TestImportAllowLists(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin" || d.Name() == "tools") {
			return filepath.SkipDir
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.go"))
		if len(files) == 0 {
			return nil
		}
		seen[path] = true
		allow, ok := allowed[path]
		if !ok {
			t.Errorf("package %s has no allow-list in imports_test.go", path)
			return nil
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			for _, imp := range fileImports(t, f) {
				rel, inModule := strings.CutPrefix(imp, module)
				if !inModule {
					continue
				}
				rel = strings.TrimPrefix(rel, "/")
				if rel == "" {
					rel = "."
				}
				if !slices.Contains(allow, rel) {
					t.Errorf("%s imports %s, which %s may not import", f, imp, path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range allowed {
		if !seen[dir] {
			t.Errorf("allow-list for %s, which is not a package", dir)
		}
	}
}

func fileImports(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range f.Imports {
		out = append(out, strings.Trim(i.Path.Value, `"`))
	}
	return out
}

// imports lists the imports of every non-test Go file under dir (only dir
// itself for the root package).
func imports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && (dir == "." || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		out[path] = fileImports(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
