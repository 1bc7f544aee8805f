package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	railyard "github.com/railyard/railyard"
)

const kargoHeader = "apiVersion: kargo.akuity.io/v1alpha1\n"

func project(name string) string {
	return kargoHeader + "kind: Project\nmetadata:\n  name: " + name + "\n"
}

func warehouse(ns, name, image string) string {
	return kargoHeader + "kind: Warehouse\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
		"\nspec:\n  subscriptions:\n  - image:\n      repoURL: " + image + "\n"
}

func docs(parts ...string) []byte { return []byte(strings.Join(parts, "---\n")) }

func mustProblems(t *testing.T, err error) Problems {
	t.Helper()
	ps, ok := AsProblems(err)
	if !ok {
		t.Fatalf("error %v (%T) holds no Problems", err, err)
	}
	return ps
}

// TestManyProblemsInOneFileAllReported guards the promise that every
// problem is reported at once, not only the first.
func TestManyProblemsInOneFileAllReported(t *testing.T) {
	_, err := Load("testdata/invalid/many-problems.yaml")
	ps := mustProblems(t, err)
	wantFields := []string{
		"metadata.colour", "spec.intervall", "spec.interval", "spec.freightCreationPolicy",
		"spec.subscriptions[0].git.commitSelectionStrategy",
		"spec.subscriptions[0].git.semverConstraint",
		"spec.subscriptions[0].git.discoveryLimit",
		"spec.subscriptions[0].git.allowTagsRegexes[0]",
		"spec.subscriptions[0].git.includePaths[0]",
		"spec.subscriptions[0].git.includePaths[1]",
		"spec.subscriptions[0].git.since",
		"spec.subscriptions[0].git.strictSemver",
		"spec.subscriptions[1].image.repoURL",
		"spec.subscriptions[1].image.constraint",
		"spec.subscriptions[1].image.platform",
		"spec.subscriptions[1].image.discoveryLimit",
		"spec.subscriptions[1].image.tagsRegex",
		"spec.subscriptions[2].chart.name",
		"spec.subscriptions[3].chart.name",
		"spec.subscriptions[4]", "spec.subscriptions[5]", "spec.subscriptions[6]",
	}
	got := map[string]bool{}
	for _, p := range ps {
		got[p.Field] = true
		if p.File != "testdata/invalid/many-problems.yaml" || p.Kind != "Warehouse" || p.Name != "broken" || p.Namespace != "many" {
			t.Errorf("problem not located: %+v", p)
		}
	}
	for _, f := range wantFields {
		if !got[f] {
			t.Errorf("no problem reported for %s", f)
		}
	}
	if len(ps) < len(wantFields) {
		t.Errorf("got %d problems, want at least %d", len(ps), len(wantFields))
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"namespaced", Problem{File: "a.yaml", Doc: 2, Kind: "Warehouse", Namespace: "p", Name: "w", Field: "spec.interval", Message: "bad"},
			"a.yaml: Warehouse p/w: spec.interval: bad"},
		{"cluster scoped", Problem{File: "a.yaml", Doc: 1, Kind: "Project", Name: "p", Message: "bad"},
			"a.yaml: Project p: bad"},
		{"not yaml", Problem{File: "a.yaml", Doc: 3, Message: "not valid YAML"},
			"a.yaml: document 3: not valid YAML"},
		{"no file", Problem{Kind: "Stage", Namespace: "p", Name: "s", Field: "spec", Message: "bad"},
			"Stage p/s: spec: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSplitDocuments(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		texts []string
		lines []int
	}{
		{"one", "a: 1\n", []string{"a: 1\n"}, []int{1}},
		{"leading separator", "---\na: 1\n---\nb: 2\n", []string{"a: 1", "b: 2\n"}, []int{2, 4}},
		{"empty and comment-only documents dropped", "# c\n---\n\n---\na: 1\n--- # x\n...\n", []string{"a: 1"}, []int{5}},
		{"crlf", "a: 1\r\n---\r\nb: 2\r\n", []string{"a: 1", "b: 2\n"}, []int{1, 3}},
		{"separator-like text is kept", "a: |\n  ---x\n", []string{"a: |\n  ---x\n"}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := splitDocuments([]byte(tt.in))
			var texts []string
			var lines []int
			for _, d := range docs {
				texts = append(texts, string(d.text))
				lines = append(lines, d.line)
			}
			if !reflect.DeepEqual(texts, tt.texts) || !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("got %q at %v, want %q at %v", texts, lines, tt.texts, tt.lines)
			}
		})
	}
}

func TestParseSetShape(t *testing.T) {
	files := map[string][]byte{
		"b.yaml": docs(project("beta"), warehouse("beta", "w", "ghcr.io/x/b")),
		"a.yaml": docs(project("alpha"), warehouse("alpha", "w", "ghcr.io/x/a"),
			kargoHeader+"kind: ClusterPromotionTask\nmetadata:\n  name: shared\nspec:\n  steps:\n  - uses: git-push\n    config: {path: ./out}\n"),
	}
	set, err := Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range set.Projects {
		names = append(names, p.Project)
	}
	if !reflect.DeepEqual(names, []string{"alpha", "beta"}) {
		t.Fatalf("projects = %v", names)
	}
	for _, name := range names {
		p, ok := set.Project(name)
		if !ok {
			t.Fatalf("Project(%q) not found", name)
		}
		task, ok := p.Task(railyard.TaskRef{Name: "shared", Kind: railyard.KindClusterPromotionTask})
		if !ok || task.Kind != railyard.KindClusterPromotionTask || len(task.Spec.Steps) != 1 {
			t.Errorf("%s: cluster task not copied: %+v", name, p.Tasks)
		}
	}
	if _, ok := set.Project("gamma"); ok {
		t.Error("Project(gamma) found")
	}
}

func TestFreightIDComputed(t *testing.T) {
	freight := kargoHeader + `kind: Freight
metadata:
  name: whatever-the-user-wrote
  namespace: p
  labels: {kargo.akuity.io/alias: first}
origin: {kind: Warehouse, name: w}
images:
- {repoURL: ghcr.io/x/a, tag: "1.0.0", digest: "sha256:abc"}
`
	named := strings.Replace(warehouse("p", "w", "ghcr.io/x/a"), "  - image:", "  - name: api\n    image:", 1)
	set, err := Parse(map[string][]byte{"f.yaml": docs(project("p"), named, freight)})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := set.Project("p")
	if len(p.Freight) != 1 {
		t.Fatalf("freight = %+v", p.Freight)
	}
	f := p.Freight[0]
	want := railyard.Freight{Origin: railyard.WarehouseOrigin("w"), Images: []railyard.Image{
		{RepoURL: "ghcr.io/x/a", Tag: "1.0.0", Digest: "sha256:abc", SubscriptionName: "api"}}}
	if f.ID != want.ComputeID() || f.Alias != "first" || f.Images[0].SubscriptionName != "api" {
		t.Errorf("got %+v, want ID %s, alias first, subscription api", f, want.ComputeID())
	}
}

func TestProblemsSortedByFileThenDocument(t *testing.T) {
	stage := kargoHeader + "kind: Stage\nmetadata: {name: s, namespace: p}\nspec:\n  requestedFreight:\n  - origin: {kind: Warehouse, name: missing}\n    sources: {direct: true}\n"
	files := map[string][]byte{
		"z.yaml": docs(project("p"), stage),
		"a.yaml": docs(warehouse("p", "w", "ghcr.io/x/a"), kargoHeader+"kind: Warehouse\nmetadata: {name: x, namespace: p}\nspec: {}\n"),
	}
	_, err := Parse(files)
	ps := mustProblems(t, err)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	want := []string{
		"a.yaml: Warehouse p/x: spec.subscriptions: at least one subscription is required",
		`z.yaml: Stage p/s: spec.requestedFreight[0].origin.name: Warehouse "missing" does not exist in project "p"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !errors.Is(err, railyard.ErrInvalid) {
		t.Error("errors.Is(err, ErrInvalid) = false")
	}
}

func TestCheckTree(t *testing.T) {
	type inner struct {
		N    int                  `json:"n"`
		S    string               `json:"s"`
		B    *bool                `json:"b"`
		I    railyard.IntOrString `json:"i"`
		D    railyard.Duration    `json:"d"`
		Any  any                  `json:"any"`
		Tags map[string]string    `json:"tags"`
	}
	type outer struct {
		Items []inner `json:"items"`
	}
	tests := []struct {
		name string
		tree any
		want []string
	}{
		{"valid", map[string]any{"items": []any{map[string]any{"n": num("3"), "s": "x", "b": true,
			"i": "{{args.n}}", "d": "5m", "any": []any{1}, "tags": map[string]any{"a": "b"}}}}, nil},
		{"null is unset", map[string]any{"items": nil}, nil},
		{"unknown fields at every level", map[string]any{"x": 1, "items": []any{map[string]any{"y": 1, "z": 2}}},
			[]string{"items[0].y: unknown field", "items[0].z: unknown field", "x: unknown field"}},
		{"wrong types", map[string]any{"items": []any{map[string]any{"n": "3", "s": num("1"), "b": "yes",
			"i": map[string]any{}, "tags": map[string]any{"a": num("1")}}, "oops"}},
			[]string{`items[0].b: must be a boolean, not string "yes"`, "items[0].i: must be an integer or a string, not an object",
				`items[0].n: must be an integer, not string "3"`, "items[0].s: must be a string, not number 1",
				"items[0].tags.a: must be a string, not number 1", `items[1]: must be an object, not string "oops"`}},
		{"fraction for an integer", map[string]any{"items": []any{map[string]any{"n": num("1.5")}}},
			[]string{"items[0].n: must be an integer, not number 1.5"}},
		{"case matters", map[string]any{"Items": []any{}}, []string{"Items: unknown field"}},
		{"odd keys bracketed", map[string]any{"items": []any{map[string]any{"tags": map[string]any{"a.b": num("1")}}}},
			[]string{`items[0].tags["a.b"]: must be a string, not number 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, clean := checkTree(tt.tree, reflect.TypeOf(outer{}), "")
			var got []string
			for _, e := range errs {
				got = append(got, e.path+": "+e.msg)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var out outer
			if err := decodeInto(clean, &out); err != nil {
				t.Errorf("cleaned tree does not decode: %v", err)
			}
		})
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("project.yml", project("p"))
	write("nested/warehouse.yaml", warehouse("p", "w", "ghcr.io/x/a"))
	write("nested/README.md", "not a manifest")
	write(".git/config.yaml", "this: [is not read")
	write("empty/notes.txt", "")

	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := set.Project("p"); !ok || len(p.Warehouses) != 1 {
		t.Fatalf("set = %+v", set.Projects)
	}
	tests := []struct {
		name  string
		paths []string
		want  error
	}{
		{"missing path", []string{filepath.Join(dir, "nope")}, os.ErrNotExist},
		{"no manifests", []string{filepath.Join(dir, "empty")}, railyard.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Load(tt.paths...); !errors.Is(err, tt.want) {
				t.Errorf("Load(%v) = %v, want %v", tt.paths, err, tt.want)
			}
		})
	}
}

func TestWarningsDoNotFail(t *testing.T) {
	w := strings.Replace(warehouse("p", "w", "ghcr.io/x/a"), "spec:\n", "spec:\n  shard: eu\n", 1)
	set, err := Parse(map[string][]byte{"w.yaml": docs(project("p"), w)})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Warnings) != 1 || set.Warnings[0].Field != "spec.shard" {
		t.Errorf("warnings = %+v", set.Warnings)
	}
	p, _ := set.Project("p")
	if p.Warehouses[0].Spec.Shard != "eu" {
		t.Errorf("shard not kept: %+v", p.Warehouses[0].Spec)
	}
}

func num(s string) any { return json.Number(s) }

// TestDefaultNamespace: like kubectl apply -n, a default namespace places
// namespaced resources that name none; cluster-scoped ones stay so, and
// an explicit namespace wins.
func TestDefaultNamespace(t *testing.T) {
	files := map[string][]byte{"m.yaml": docs(project("shop"), project("other"),
		"apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: t\nspec:\n  metrics:\n  - name: m\n    provider:\n      web: {url: https://x.example}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {a: b}\n",
		warehouse("other", "w", "ghcr.io/example/app"))}
	if _, err := Parse(files); err == nil {
		t.Fatal("resources without a namespace were accepted without a default")
	}
	set, err := ParseInNamespace("shop", files)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := set.Project("shop")
	other, _ := set.Project("other")
	if len(shop.AnalysisTemplates) != 1 || len(shop.ConfigMaps) != 1 || len(other.Warehouses) != 1 || len(shop.Warehouses) != 0 {
		t.Fatalf("shop %+v, other %+v", shop, other)
	}
}
