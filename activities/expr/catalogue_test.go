package expr

import (
	"context"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/conf"

	"github.com/railyard/railyard"
)

// allFunctionSets is every function the promotion engine offers.
func allFunctionSets() []expr.Option {
	var opts []expr.Option
	opts = append(opts, Builtins()...)
	opts = append(opts, FreightFunctions(Freight{})...)
	opts = append(opts, StatusFunctions("", nil)...)
	opts = append(opts, SecretFunction(context.Background(), nil, "p")...)
	opts = append(opts, ConfigMapFunctions(context.Background(), nil, "p")...)
	opts = append(opts, MetadataFunctions(context.Background(), Records{})...)
	return opts
}

// TestCatalogueMatchesFunctions keeps railyard.ExpressionFunctions, which
// config validation checks expressions against, true to the evaluator: a
// function marked supported exists with the arities listed, and one marked
// unsupported does not exist.
func TestCatalogueMatchesFunctions(t *testing.T) {
	c := conf.CreateNew()
	for _, o := range allFunctionSets() {
		o(c)
	}
	for _, f := range railyard.ExpressionFunctions {
		t.Run(f.Name, func(t *testing.T) {
			if f.Group == railyard.FuncWebhook {
				t.Skip("webhook receivers' own functions: internal/webhook checks them")
			}
			fn, ok := c.Functions[f.Name]
			if ok != f.Supported {
				t.Fatalf("implemented = %t, catalogue says supported = %t", ok, f.Supported)
			}
			if !ok {
				return
			}
			lo, hi := 1<<30, -1
			for _, typ := range fn.Types {
				lo, hi = min(lo, typ.NumIn()), max(hi, typ.NumIn())
			}
			if lo != f.MinArgs || hi != f.MaxArgs {
				t.Errorf("takes %d to %d arguments, catalogue says %d to %d", lo, hi, f.MinArgs, f.MaxArgs)
			}
		})
	}
}

// TestCatalogueScopes keeps AvailableIn true to what each evaluator
// offers: verification arguments get the builtins and the artifact
// functions (as activities.PlanVerification builds them).
func TestCatalogueScopes(t *testing.T) {
	scopes := map[string][]expr.Option{
		railyard.ScopeVerification: append(Builtins(), FreightFunctions(Freight{})...),
	}
	for scope, opts := range scopes {
		c := conf.CreateNew()
		for _, o := range opts {
			o(c)
		}
		for _, f := range railyard.ExpressionFunctions {
			_, offered := c.Functions[f.Name]
			if f.Supported && offered != f.AvailableIn(scope) {
				t.Errorf("%s: %s offered = %t, catalogue says available = %t", scope, f.Name, offered, f.AvailableIn(scope))
			}
		}
	}
}
