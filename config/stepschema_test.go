package config

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	railyard "github.com/railyard/railyard"
)

// stepProblems validates one step and returns its problems.
func stepProblems(uses, config string) []Problem {
	r := &report{}
	st := railyard.PromotionStep{Uses: uses, Config: json.RawMessage(config)}
	validateStep(r, source{File: "f.yaml"}, "step", st, false)
	return r.problems
}

// TestEveryKargoStepKeyIsKnown walks every field of every Kargo step schema
// (testdata/kargo-step-keys.txt) and sets it alone: it must be accepted or
// refused as not supported yet (the field, or the whole step), never be an
// unknown field.
func TestEveryKargoStepKeyIsKnown(t *testing.T) {
	f, err := os.Open("testdata/kargo-step-keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		uses, path, typ := parts[0], parts[1], parts[2]
		n++
		t.Run(uses+"/"+path, func(t *testing.T) {
			cfg, _ := json.Marshal(configWith(path, sample(typ)))
			field := "step.config." + strings.ReplaceAll(path, "[]", "[0]")
			for _, p := range stepProblems(uses, string(cfg)) {
				switch {
				case p.Field == "step.uses" && strings.Contains(p.Message, "not supported yet"):
					return // the whole step is refused by name
				case p.Message == "unknown field":
					t.Errorf("%s: %s", p.Field, p.Message)
				case p.Field == field && strings.Contains(p.Message, "not supported yet"):
					return
				}
			}
		})
	}
	if n < 200 {
		t.Fatalf("read only %d keys", n)
	}
}

// configWith builds a config holding value at a path such as
// "checkout[].path" (a list holds one item).
func configWith(path string, value any) any {
	if path == "" {
		return value
	}
	key, rest, _ := strings.Cut(path, ".")
	if k, ok := strings.CutSuffix(key, "[]"); ok {
		return map[string]any{k: []any{configWith(rest, value)}}
	}
	return map[string]any{key: configWith(rest, value)}
}

func sample(typ string) any {
	switch typ {
	case "boolean":
		return true
	case "integer":
		return 1
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	return "x"
}

func TestStepConfigShapes(t *testing.T) {
	tests := []struct {
		name, uses, config string
		want               []string // "field: message", field relative to step.config
	}{
		{"required key", "kustomize-set-image", `{}`, []string{"path: is required"}},
		{"unknown key", "copy", `{"inPath":"a","outPath":"b","ignored":1}`, []string{"ignored: unknown field"}},
		{"not supported key", "git-clone", `{"repoURL":"r","checkout":[{"path":"p"}],"recurseSubmodules":true}`,
			[]string{"recurseSubmodules: recurseSubmodules is not supported yet"}},
		{"body or bodyFromFile", "http", `{"url":"u","body":"b","bodyFromFile":"f"}`, []string{": set only one of body, bodyFromFile"}},
		{"proxy must be http(s)", "http", `{"url":"u","proxy":"socks5://p"}`, []string{`proxy: "socks5://p" is not an http(s) URL`}},
		{"wrong type", "git-push", `{"path":"p","force":"yes"}`, []string{`force: must be a boolean, not string "yes"`}},
		{"enum", "helm-template", `{"path":"p","outPath":"o","releaseName":"r","outLayout":"tree"}`,
			[]string{`outLayout: "tree" is not one of helm, flat`}},
		{"empty string", "git-clear", `{"path":""}`, []string{"path: must not be empty"}},
		{"empty list", "yaml-update", `{"path":"p","updates":[]}`, []string{"updates: must have at least one item"}},
		{"nested required", "yaml-parse", `{"path":"p","outputs":[{"name":"a"}]}`, []string{"outputs[0].fromExpression: is required"}},
		{"exclusive", "git-push", `{"path":"p","targetBranch":"b","generateTargetBranch":true}`,
			[]string{": set only one of generateTargetBranch, targetBranch, tag"}},
		{"exclusive false is unset", "git-push", `{"path":"p","targetBranch":"b","generateTargetBranch":false}`, nil},
		{"exactly one", "delete", `{}`, []string{": one of path, paths is required"}},
		{"integer range", "git-push", `{"path":"p","maxAttempts":0}`, []string{"maxAttempts: must be at least 1"}},
		{"pattern", "file-write", `{"path":"p","contents":"","permissions":"644"}`, []string{`permissions: "644" is not an octal mode like 0644`}},
		{"duration", "http", `{"url":"u","timeout":"soon"}`, []string{`timeout: "soon" is not a duration (like 30s or 5m)`}},
		{"expression skips literal checks", "git-push", `{"path":"p","force":"${{ vars.force }}"}`, nil},
		{"null is unset", "git-clone", `{"repoURL":"r","checkout":[{"path":"p","branch":null,"tag":"t"}]}`, nil},
		{"unknown function", "file-write", `{"path":"p","contents":"${{ configMapp('x') }}"}`,
			[]string{`contents: expression "configMapp('x')": unknown function configMapp()`}},
		{"arity", "file-write", `{"path":"p","contents":"${{ quote() }}"}`,
			[]string{`contents: expression "quote()": function quote() takes 1 argument, not 0`}},
		{"range arity", "file-write", `{"path":"p","contents":"${{ chartFrom('a','b','c','d') }}"}`,
			[]string{`contents: expression "chartFrom('a','b','c','d')": function chartFrom() takes 1 to 3 arguments, not 4`}},
		{"builtins and methods pass", "file-write", `{"path":"p","contents":"${{ upper(semverParse('1.0.0').Original()) + string(len(vars)) }}"}`, nil},
		{"open object", "compose-output", `{"anything":{"goes":1}}`, nil},
		{"set-metadata", "set-metadata", `{"updates":[{"kind":"Freight","name":"${{ ctx.targetFreight.name }}","values":{"a":[1],"b":{"c":null}}}]}`, nil},
		{"set-metadata needs a value", "set-metadata", `{"updates":[{"kind":"Stage","name":"dev","values":{}}]}`,
			[]string{"updates[0].values: must have at least one key"}},
		{"set-metadata kinds", "set-metadata", `{"updates":[{"kind":"Warehouse","name":"w","values":{"a":1}}]}`,
			[]string{`updates[0].kind: "Warehouse" is not one of Stage, Freight`}},
		{"metadata functions", "file-write", `{"path":"p","contents":"${{ freightMetadata('f', 'k') }}${{ stageMetadata(ctx.stage).x }}${{ freightStatus('f') }}"}`, nil},
		{"step not supported", "github-push", `{}`, []string{`step.uses: step "github-push" is not supported yet`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range stepProblems(tt.uses, tt.config) {
				f := strings.TrimPrefix(strings.TrimPrefix(p.Field, "step.config"), ".")
				if strings.HasPrefix(p.Field, "step.uses") {
					f = p.Field
				}
				got = append(got, f+": "+p.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestStepShapesCoverSupportedSteps: every step Railyard runs has a shape.
func TestStepShapesCoverSupportedSteps(t *testing.T) {
	for _, s := range railyard.SupportedSteps {
		if _, ok := stepShapes[s]; !ok {
			t.Errorf("step %q has no config shape", s)
		}
	}
}

// TestExpressionScopes: a function is refused where the evaluator there
// does not offer it, instead of failing when it runs.
func TestExpressionScopes(t *testing.T) {
	tests := []struct {
		scope, code, want string
	}{
		{railyard.ScopeSteps, "secret('a').b + status('x')", ""},
		{railyard.ScopeVerification, "imageFrom('r').Tag + quote(1)", ""},
		{railyard.ScopeVerification, "secret('a').b", "function secret() is not available in verification arguments"},
		{railyard.ScopeVerification, "success()", "function success() is not available in verification arguments"},
		{railyard.ScopeLinks, "upper(stage.metadata.name) == 'UAT'", ""},
		{railyard.ScopeLinks, "quote(stage.metadata.name)", "function quote() is not available in deep link conditions"},
		{railyard.ScopeCriteria, "commitFrom('r').Message != ''", ""},
		{railyard.ScopeCriteria, "warehouse('w')", "function warehouse() is not available in freight creation criteria"},
		{railyard.ScopeDiscovery, "upper(tag) startsWith 'V'", ""},
		{railyard.ScopeDiscovery, "quote(tag)", "function quote() is not available in expression filters and range queries"},
	}
	for _, tt := range tests {
		t.Run(tt.scope+"/"+tt.code, func(t *testing.T) {
			r := &report{}
			checkExpression(r, source{}, "f", tt.scope, tt.code)
			got := ""
			if len(r.problems) > 0 {
				got = r.problems[0].Message
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
