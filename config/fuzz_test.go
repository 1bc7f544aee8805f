package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/expr-lang/expr/parser"

	railyard "github.com/railyard/railyard"
)

// manifestSeeds are the repository's own manifests: each document of every
// config fixture on its own (small inputs keep the fuzzer fast), and whole
// projects as multi-document streams: the Kargo quickstart fixture (a
// directory's files joined) and the quickstart example.
func manifestSeeds(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, dir := range []string{"testdata/valid", "testdata/invalid"} {
		for _, fixture := range fixturePaths(f, dir) {
			for _, doc := range splitDocuments(readFixture(f, fixture)) {
				seeds = append(seeds, doc.text)
			}
		}
	}
	b, err := os.ReadFile("../examples/quickstart/project.yaml.tmpl")
	if err != nil {
		f.Fatal(err)
	}
	return append(seeds, b, readFixture(f, "testdata/valid/kargo-quickstart"))
}

func fixturePaths(f *testing.F, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || isManifest(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

func readFixture(f *testing.F, path string) []byte {
	files := map[string][]byte{}
	if err := readPath(path, files); err != nil {
		f.Fatal(err)
	}
	var docs []string
	for _, name := range sortedFileNames(files) {
		docs = append(docs, string(files[name]))
	}
	return []byte(strings.Join(docs, "\n---\n"))
}

func sortedFileNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// FuzzParse loads one multi-document manifest file. A rejection is
// Problems (errors.Is ErrInvalid), each naming the file and saying what is
// wrong; an accepted Set survives the JSON round trip the apply update
// puts it through, and loads the same when each document is its own file.
func FuzzParse(f *testing.F) {
	for _, s := range manifestSeeds(f) {
		f.Add(s)
	}
	const file = "manifests.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Parse(map[string][]byte{file: data})
		if err != nil {
			checkProblems(t, err, func(p Problem) bool { return p.File == file })
			return
		}
		checkSet(t, set)
		split := map[string][]byte{}
		for i, doc := range splitDocuments(data) {
			split[fmt.Sprintf("doc-%06d.yaml", i)] = doc.text
		}
		again, err := Parse(split)
		if err != nil {
			t.Fatalf("accepted as one file, rejected as one file per document:\n%v", err)
		}
		if !reflect.DeepEqual(set.Projects, again.Projects) {
			t.Fatalf("one file per document loads different projects")
		}
	})
}

// checkProblems checks that err is a non-empty Problems whose every entry
// is located (in) and has a message.
func checkProblems(t *testing.T, err error, in func(Problem) bool) {
	t.Helper()
	ps, ok := AsProblems(err)
	if !ok || len(ps) == 0 || !errors.Is(err, railyard.ErrInvalid) {
		t.Fatalf("rejection is not Problems: %T %v", err, err)
	}
	for _, p := range ps {
		if !in(p) || strings.TrimSpace(p.Message) == "" {
			t.Fatalf("problem without a location or a message: %#v", p)
		}
		if p.Kind == "" && p.Field != "" && p.Doc == 0 {
			t.Fatalf("field problem outside any document: %#v", p)
		}
	}
}

// checkSet checks properties of an accepted Set: projects sorted and named,
// each survives encoding/json (the workflows' converter) unchanged.
func checkSet(t *testing.T, set *Set) {
	t.Helper()
	for i, p := range set.Projects {
		if p.Project == "" {
			t.Fatalf("project %d has no name", i)
		}
		if i > 0 && set.Projects[i-1].Project >= p.Project {
			t.Fatalf("projects not sorted and unique: %q then %q", set.Projects[i-1].Project, p.Project)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("project %s does not encode: %v", p.Project, err)
		}
		var back railyard.Resources
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("project %s does not decode: %v", p.Project, err)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(b) {
			t.Fatalf("project %s changes in a JSON round trip:\n%s\n%s", p.Project, b, again)
		}
	}
}

var exprScopes = []string{railyard.ScopeSteps, railyard.ScopeVerification, railyard.ScopeLinks,
	railyard.ScopeCriteria, railyard.ScopeDiscovery, railyard.ScopeWebhooks}

// FuzzCheckExpression runs the load-time expression checker on bare
// expressions and templates in every scope: each problem names the field
// and says what is wrong, and a template it accepts is one whose every
// expression, as the evaluator splits it, parses.
func FuzzCheckExpression(f *testing.F) {
	for _, s := range []string{"secret('a').b + status('x')", "imageFrom('r').Tag", "upper(tag) startsWith 'V'",
		"warehouse()", "quote(1, 2)", "nope(1)", "semverParse(v).Major()", "1 +", "",
		"v${{ vars.tag }}-${{ ctx.stage }}", "${{ commitFrom(vars.repo).ID", "${{ }}", "${% 1 %}",
		"${{ request.body.repository.url | normalizeGit() }}", "[1,2] | filter(# > 1) | len()"} {
		for i := range exprScopes {
			f.Add(uint8(i), s)
		}
	}
	src := source{File: "f.yaml", Doc: 1, Kind: kindStage, Namespace: "p", Name: "s"}
	const field = "spec.f"
	f.Fuzz(func(t *testing.T, scope uint8, code string) {
		sc := exprScopes[int(scope)%len(exprScopes)]
		for _, check := range []func(*report, source, string, string, string){checkExpression, checkTemplate} {
			r := &report{}
			check(r, src, field, sc, code)
			if len(r.problems) > 1 {
				t.Fatalf("%q: %d problems for one value", code, len(r.problems))
			}
			for _, p := range r.problems {
				if p.File != src.File || p.Name != src.Name || p.Field != field || strings.TrimSpace(p.Message) == "" {
					t.Fatalf("%q: problem without location or message: %#v", code, p)
				}
				if strings.Contains(p.Message, "\n") {
					t.Fatalf("%q: message is not one line: %q", code, p.Message)
				}
			}
		}
		r := &report{}
		checkTemplate(r, src, field, sc, code)
		if len(r.problems) == 0 {
			requireParses(t, code)
		}
	})
}

// requireParses fails unless every expression of tmpl, as the evaluator
// splits it, parses.
func requireParses(t *testing.T, tmpl string) {
	t.Helper()
	for rest := tmpl; ; {
		_, code, after, err := railyard.NextExpression(rest)
		if err != nil {
			t.Fatalf("%q accepted, but the evaluator refuses it: %v", tmpl, err)
		}
		if code == "" {
			return
		}
		if _, err := parser.Parse(code); err != nil {
			t.Fatalf("%q accepted, but %q does not parse: %v", tmpl, code, err)
		}
		rest = after
	}
}
