package railyard

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
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
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, i := range f.Imports {
			out[path] = append(out[path], strings.Trim(i.Path.Value, `"`))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
