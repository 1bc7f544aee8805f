package webhook

import (
	"testing"

	"github.com/expr-lang/expr/conf"

	"github.com/railyard/railyard"
)

// TestCatalogueMatchesNormalizers keeps the webhook functions of
// railyard.ExpressionFunctions, which config validation checks receivers'
// expressions against, true to what generic receivers evaluate.
func TestCatalogueMatchesNormalizers(t *testing.T) {
	c := conf.CreateNew()
	for _, o := range normalizers {
		o(c)
	}
	for _, f := range railyard.ExpressionFunctions {
		if f.Group != railyard.FuncWebhook {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			fn, ok := c.Functions[f.Name]
			if !ok || !f.Supported {
				t.Fatalf("implemented = %t, catalogue says supported = %t", ok, f.Supported)
			}
			if n := fn.Types[0].NumIn(); n != f.MinArgs || n != f.MaxArgs {
				t.Errorf("takes %d arguments, catalogue says %d to %d", n, f.MinArgs, f.MaxArgs)
			}
		})
	}
}
