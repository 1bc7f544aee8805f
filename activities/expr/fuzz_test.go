package expr

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

// fuzzEvaluator is a step's evaluator over a fixed promotion: every
// function set a promotion step has (freight, secrets, status) and vars,
// outputs and ctx as the step engine builds them.
func fuzzEvaluator() *Evaluator {
	img := railyard.Image{RepoURL: "ghcr.io/example/api", Tag: "1.2.3", Digest: "sha256:abc"}
	commit := railyard.GitCommit{RepoURL: "https://git.example.com/app.git", ID: "0123abcd", Branch: "main"}
	chart := railyard.Chart{RepoURL: "oci://ghcr.io/example/charts/api", Name: "", Version: "0.1.0"}
	ref := railyard.FreightRef{ID: "f1", Alias: "brave-fox", Origin: railyard.WarehouseOrigin("app"),
		Commits: []railyard.GitCommit{commit}, Images: []railyard.Image{img}, Charts: []railyard.Chart{chart}}
	wh := railyard.Warehouse{Name: "app", Spec: railyard.WarehouseSpec{Subscriptions: []railyard.Subscription{
		{Git: &railyard.GitSubscription{RepoURL: commit.RepoURL}},
		{Image: &railyard.ImageSubscription{RepoURL: img.RepoURL}},
		{Chart: &railyard.ChartSubscription{RepoURL: chart.RepoURL}}}}}
	pc := PromotionContext{Project: "demo", Stage: "dev", Promotion: "dev.1", Actor: "alice",
		StepAlias: "step-2", TargetFreight: ref, UIBaseURL: "http://localhost:8233"}
	vars := map[string]any{"n": 42, "s": "abc", "tag": "1.2.3", "list": []any{1, "a", nil},
		"m": map[string]any{"a": 1, "b": []any{true}}}
	outputs := map[string]map[string]any{"step-1": {"commit": "0123abcd", "pr": map[string]any{"id": 7}}}
	secrets := StaticSecrets{"demo": {"db": {"user": "u", "password": "p"}}}
	steps := []railyard.StepState{{Alias: "step-1", Status: "Succeeded"}}
	return New(PromotionEnv(pc, vars, outputs),
		FreightFunctions(Freight{Collection: railyard.NewCollection(ref), Warehouses: []railyard.Warehouse{wh},
			Empty: &EmptySlots{}}),
		SecretFunction(context.Background(), secrets, "demo"),
		StatusFunctions("step-2", steps))
}

var templateSeeds = []string{
	"plain text", "42", "${{ 40 + 2 }}", "${{ quote(40 + 2) }}", "v${{ vars.tag }}-${% vars.s %}",
	"${{ vars.m }}", "${{ [1, 'a'] }}", "${{ asJSON(vars.m) }}", "${{ asYAML(vars.list) }}",
	"${{ semverParse(vars.tag).Major() }}", "${{ semverDiff('1.2.3', '1.3.0') }}",
	"${{ imageFrom('ghcr.io/example/api').Tag }}", "${{ commitFrom('https://git.example.com/app.git').ID }}",
	"${{ chartFrom('oci://ghcr.io/example/charts/api').Version }}",
	"${{ imageFrom('ghcr.io/example/api', warehouse('app')).Digest }}",
	"${{ secret('db').password }}", "${{ sharedSecret('x') }}", "${{ status('step-1') }}",
	"${{ failure() }}", "${{ success() && always() }}", "${{ outputs['step-1'].pr.id }}",
	"${{ ctx.targetFreight.origin.name }}", "${{ vars.missing }}", "${{", "${{ }}", "${% 1 %", "${{ 1 +",
	"${{ status(vars.missing) }}", "${{ warehouse(nil) }}", "${{ imageFrom(1) }}", "${{ quote() }}",
	"${{ unsafeQuote('s') }}", "${{ \"NaN\" }}", "${{ 1/0 }}", "${{ vars.list[9] }}",
}

// FuzzTemplate evaluates template strings as a step's config value: an
// expression either evaluates to a JSON value or fails with a message; a
// string without delimiters comes back unchanged.
func FuzzTemplate(f *testing.F) {
	for _, s := range templateSeeds {
		f.Add(s)
	}
	ev := fuzzEvaluator()
	f.Fuzz(func(t *testing.T, tmpl string) {
		v, err := ev.Template(tmpl)
		if !HasExpression(tmpl) {
			if err != nil || v != tmpl {
				t.Fatalf("no delimiters: got %#v, %v; want the string unchanged", v, err)
			}
			return
		}
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("%q: empty error message", tmpl)
			}
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("%q evaluated to %#v, which is not a JSON value: %v", tmpl, v, err)
		}
	})
}

// FuzzCondition evaluates step `if` conditions: a bool or an error naming
// what is wrong.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"failure()", "${{ success() }}", "${{ vars.n > 40 }}", "vars.s == 'abc'",
		"${{ vars.s }}", "status('step-1') == 'Succeeded'", "1 +", "", "${{ always() }} ${{ always() }}"} {
		f.Add(s)
	}
	ev := fuzzEvaluator()
	f.Fuzz(func(t *testing.T, cond string) {
		b, err := ev.Bool(cond)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("%q: empty error message", cond)
			}
			if b {
				t.Fatalf("%q: true together with error %v", cond, err)
			}
		}
	})
}

// FuzzConfigJSON evaluates a whole step config: the result is valid JSON,
// and a config without expressions comes back equal to itself.
func FuzzConfigJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"path": "${{ vars.s }}/x", "n": "${{ vars.n }}", "keep": "42"}`,
		`{"images": [{"image": "${{ imageFrom('ghcr.io/example/api').RepoURL }}", "tag": "${{ vars.tag }}"}]}`,
		`{"${{ key }}": "not evaluated"}`, `[1, "${{ 1 + 1 }}", null]`, `"${{ vars.m }}"`, ` `, `{"a":`,
		`{"message": "${{ quote(vars.m) }}"}`} {
		f.Add([]byte(s))
	}
	ev := fuzzEvaluator()
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := ev.JSON(raw)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("%q: empty error message", raw)
			}
			return
		}
		if strings.TrimSpace(string(raw)) == "" {
			return
		}
		var got, in any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q evaluated to invalid JSON %q: %v", raw, out, err)
		}
		if !HasExpression(string(raw)) {
			if err := json.Unmarshal(raw, &in); err != nil {
				t.Fatalf("accepted invalid JSON %q", raw)
			}
			if !reflect.DeepEqual(in, got) {
				t.Fatalf("config without expressions changed: %s -> %s", raw, out)
			}
		}
	})
}
