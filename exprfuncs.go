package railyard

// ExpressionFunction describes one function that Kargo expressions may call
// (outside expr-lang's own builtins): how many arguments it takes and
// whether Railyard evaluates it. Config validation uses it to refuse unknown
// functions and wrong arities before a promotion runs; the evaluator's
// tests check that every supported entry is really implemented.
type ExpressionFunction struct {
	Name      string
	MinArgs   int
	MaxArgs   int
	Supported bool
	// Where is a restriction on where it may be used ("steps" for the
	// promotion-only functions); empty means everywhere.
	Where string
}

// ExpressionFunctions lists Kargo's expression functions.
var ExpressionFunctions = []ExpressionFunction{
	{Name: "quote", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "unsafeQuote", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "asYAML", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "asJSON", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "semverParse", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "semverDiff", MinArgs: 2, MaxArgs: 2, Supported: true},
	{Name: "warehouse", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "commitFrom", MinArgs: 1, MaxArgs: 2, Supported: true},
	{Name: "imageFrom", MinArgs: 1, MaxArgs: 2, Supported: true},
	{Name: "chartFrom", MinArgs: 1, MaxArgs: 3, Supported: true},
	{Name: "artifactFrom", MinArgs: 1, MaxArgs: 2},
	{Name: "secret", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "sharedSecret", MinArgs: 1, MaxArgs: 1, Supported: true},
	{Name: "configMap", MinArgs: 1, MaxArgs: 1},
	{Name: "sharedConfigMap", MinArgs: 1, MaxArgs: 1},
	{Name: "freightMetadata", MinArgs: 1, MaxArgs: 2},
	{Name: "stageMetadata", MinArgs: 1, MaxArgs: 1},
	{Name: "freightStatus", MinArgs: 1, MaxArgs: 1},
	{Name: "success", MinArgs: 0, MaxArgs: 0, Supported: true, Where: "steps"},
	{Name: "failure", MinArgs: 0, MaxArgs: 0, Supported: true, Where: "steps"},
	{Name: "always", MinArgs: 0, MaxArgs: 0, Supported: true, Where: "steps"},
	{Name: "status", MinArgs: 1, MaxArgs: 1, Supported: true, Where: "steps"},
}

// LookupExpressionFunction returns the named function, if Kargo has it.
func LookupExpressionFunction(name string) (ExpressionFunction, bool) {
	for _, f := range ExpressionFunctions {
		if f.Name == name {
			return f, true
		}
	}
	return ExpressionFunction{}, false
}
