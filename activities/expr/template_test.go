package expr

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func TestTemplateCoercion(t *testing.T) {
	e := New(map[string]any{
		"vars": map[string]any{"n": 42, "s": "abc", "tag": "1.2.3", "yes": "true", "m": map[string]any{"a": 1}},
	})
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"no delimiters stays string", "42", "42"},
		{"no delimiters bool-like", "true", "true"},
		{"number", "${{ 40 + 2 }}", 42.0},
		{"quoted number", "${{ quote(40 + 2) }}", "42"},
		{"string", `${{ "Hello, world!" }}`, "Hello, world!"},
		{"string var", "${{ vars.s }}", "abc"},
		{"numeric string becomes number", `${{ "42" }}`, 42.0},
		{"quote keeps string", `${{ quote("42") }}`, "42"},
		{"bool", "${{ 1 < 2 }}", true},
		{"bool-looking string", "${{ vars.yes }}", true},
		{"ParseBool spelling", `${{ "True" }}`, true},
		{"zero is number not bool", `${{ "0" }}`, 0.0},
		{"quoted bool", "${{ quote(true) }}", "true"},
		{"null", "${{ nil }}", nil},
		{"map", "${{ vars.m }}", map[string]any{"a": 1.0}},
		{"list", "${{ [1, 'a'] }}", []any{1.0, "a"}},
		{"quoted map is JSON text", "${{ quote(vars.m) }}", `{"a":1}`},
		{"mixed text", "v${{ vars.tag }}", "v1.2.3"},
		{"mixed text two expressions", "${{ vars.s }}-${{ vars.n }}", "abc-42"},
		{"mixed text numeric result", "${{ vars.n }}${{ vars.n }}", 4242.0},
		{"version stays string", "${{ vars.tag }}", "1.2.3"},
		{"alternative delimiters", "${% {'a': 1}.a %}", 1.0},
		{"both delimiters", "${{ 1 }}-${% 2 %}", "1-2"},
		{"unsafeQuote string", `${{ unsafeQuote("s") }}`, `"s"`},
		{"unsafeQuote number", `${{ unsafeQuote(42) }}`, "42"},
		{"asJSON", "${{ asJSON(vars.m) }}", "{\n  \"a\": 1\n}\n"},
		{"asYAML", "${{ asYAML(vars.m) }}", "a: 1\n"},
		{"NaN stays string", `${{ "NaN" }}`, "NaN"},
		{"Inf stays string", `${{ "Inf" }}`, "Inf"},
		{"trailing newline kept for strings", "${{ vars.s }}\n", "abc\n"},
		{"trailing newline dropped for numbers", "${{ vars.n }}\n", 42.0},
		{"nil field of missing var", "${{ vars.missing }}", nil},
		{"string with quote char", `${{ quote('say "hi"') }}`, `say "hi"`},
		{"empty result", `${{ "" }}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Template(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Template(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	e := New(nil)
	tests := []struct{ name, in, want string }{
		{"unclosed", "${{ 1 + 1", "unclosed expression"},
		{"empty", "${{ }}", "empty expression"},
		{"syntax", "${{ 1 + }}", "expression"},
		{"unknown function", "${{ nope(1) }}", "nope"},
		{"semverParse invalid", `${{ semverParse("x") }}`, "semverParse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Template(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
}

func TestJSONTree(t *testing.T) {
	e := New(map[string]any{"vars": map[string]any{"path": "./out", "n": 3}})
	in := `{"path": "${{ vars.path }}", "${{ key }}": "x", "nested": {"list": ["${{ vars.n }}", "plain", 7, true, null]}}`
	out, err := e.JSON(json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"path":       "./out",
		"${{ key }}": "x",
		"nested":     map[string]any{"list": []any{3.0, "plain", 7.0, true, nil}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if out, err := e.JSON(nil); err != nil || len(out) != 0 {
		t.Errorf("empty config: %q, %v", out, err)
	}
	if _, err := e.JSON(json.RawMessage(`{"a": "${{ 1 + }}"}`)); err == nil || !strings.HasPrefix(err.Error(), "a: ") {
		t.Errorf("error should name the key: %v", err)
	}
}

func TestBool(t *testing.T) {
	e := New(nil, StatusFunctions("x", []railyard.StepState{{Alias: "a", Status: "Failed"}}))
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{"${{ failure() }}", true, false},
		{"${{ success() }}", false, false},
		{"always()", true, false},
		{"${{ status('a') == 'Failed' }}", true, false},
		{"${{ 'yes' }}", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := e.Bool(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("Bool(%q) = %v, %v", tc.in, got, err)
			}
		})
	}
}
