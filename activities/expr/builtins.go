package expr

import (
	"encoding/json"
	"fmt"

	"github.com/Masterminds/semver/v3"
	"github.com/expr-lang/expr"
	"go.yaml.in/yaml/v3"
)

// Builtins are the functions available everywhere: quote, unsafeQuote,
// asYAML, asJSON, semverParse and semverDiff.
func Builtins() []expr.Option {
	return []expr.Option{
		expr.Function("quote", quote, new(func(any) string)),
		expr.Function("unsafeQuote", unsafeQuote, new(func(any) string)),
		expr.Function("asYAML", asYAML, new(func(any) string)),
		expr.Function("asJSON", asJSON, new(func(any) string)),
		expr.Function("semverParse", semverParse, new(func(string) *semver.Version)),
		expr.Function("semverDiff", semverDiff, new(func(string, string) string)),
	}
}

// quote wraps a value in double quotes so that coercion keeps it a string:
// strings verbatim, anything else as JSON.
func quote(a ...any) (any, error) {
	if s, ok := a[0].(string); ok {
		return `"` + s + `"`, nil
	}
	return unsafeQuote(a...)
}

// unsafeQuote wraps the JSON encoding of a value in double quotes; a string
// therefore keeps its own quotes after coercion.
func unsafeQuote(a ...any) (any, error) {
	b, err := json.Marshal(a[0])
	if err != nil {
		return nil, fmt.Errorf("unsafeQuote: %w", err)
	}
	return `"` + string(b) + `"`, nil
}

// asYAML renders a value as a YAML document string.
func asYAML(a ...any) (any, error) {
	b, err := yaml.Marshal(a[0])
	if err != nil {
		return nil, fmt.Errorf("asYAML: %w", err)
	}
	return `"` + string(b) + `"`, nil
}

// asJSON renders a value as an indented JSON document string.
func asJSON(a ...any) (any, error) {
	b, err := json.MarshalIndent(a[0], "", "  ")
	if err != nil {
		return nil, fmt.Errorf("asJSON: %w", err)
	}
	return `"` + string(b) + "\n\"", nil
}

func semverParse(a ...any) (any, error) {
	v, err := semver.NewVersion(a[0].(string))
	if err != nil {
		return nil, fmt.Errorf("semverParse %q: %w", a[0], err)
	}
	return v, nil
}

// semverDiff names the most significant difference between two versions:
// Major, Minor, Patch, Metadata, None, or Incomparable.
func semverDiff(a ...any) (any, error) {
	v1, err1 := semver.NewVersion(a[0].(string))
	v2, err2 := semver.NewVersion(a[1].(string))
	switch {
	case err1 != nil || err2 != nil:
		return "Incomparable", nil
	case v1.Major() != v2.Major():
		return "Major", nil
	case v1.Minor() != v2.Minor():
		return "Minor", nil
	case v1.Patch() != v2.Patch():
		return "Patch", nil
	case v1.Metadata() != v2.Metadata():
		return "Metadata", nil
	}
	return "None", nil
}
