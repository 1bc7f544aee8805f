package railyard

// ExpressionFunction describes one function that Kargo expressions may call
// (outside expr-lang's own builtins): how many arguments it takes, whether
// Railyard evaluates it, and where. Config validation uses it to refuse
// unknown functions, wrong arities and functions unavailable where they are
// used, before a promotion runs; the evaluator's tests check that every
// supported entry is really implemented.
type ExpressionFunction struct {
	Name      string
	MinArgs   int
	MaxArgs   int
	Supported bool
	Group     string // FuncBuiltin, FuncArtifact or FuncStep
}

// Function groups, by where they are available.
const (
	// FuncBuiltin functions (quote, semverDiff …) work in steps and
	// verification arguments.
	FuncBuiltin = "builtin"
	// FuncArtifact functions (warehouse, imageFrom …) work in steps and
	// verification arguments.
	FuncArtifact = "artifact"
	// FuncStep functions (secret, success, configMap …) work in promotion
	// steps only.
	FuncStep = "step"
	// FuncWebhook functions (normalizeGit …) work in generic webhook
	// receivers' expressions only.
	FuncWebhook = "webhook"
)

// Where Kargo expressions are evaluated, for AvailableIn.
const (
	ScopeSteps        = "promotion steps"
	ScopeVerification = "verification arguments"
	ScopeLinks        = "deep link conditions"                 // expr-lang's builtins only
	ScopeCriteria     = "freight creation criteria"            // commitFrom, imageFrom, chartFrom over discovered artifacts
	ScopeDiscovery    = "expression filters and range queries" // expr-lang's builtins only
	ScopeWebhooks     = "webhook receiver expressions"         // request.*, normalize*, builtins
)

// AvailableIn reports whether the function may be called in scope.
func (f ExpressionFunction) AvailableIn(scope string) bool {
	switch scope {
	case ScopeSteps:
		return true
	case ScopeVerification:
		return f.Group == FuncBuiltin || f.Group == FuncArtifact
	case ScopeCriteria:
		return f.Name == "commitFrom" || f.Name == "imageFrom" || f.Name == "chartFrom"
	case ScopeWebhooks:
		return f.Group == FuncWebhook || f.Group == FuncBuiltin
	}
	return false
}

// ExpressionFunctions lists Kargo's expression functions.
var ExpressionFunctions = []ExpressionFunction{
	{Name: "quote", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncBuiltin},
	{Name: "unsafeQuote", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncBuiltin},
	{Name: "asYAML", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncBuiltin},
	{Name: "asJSON", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncBuiltin},
	{Name: "semverParse", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncBuiltin},
	{Name: "semverDiff", MinArgs: 2, MaxArgs: 2, Supported: true, Group: FuncBuiltin},
	{Name: "warehouse", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncArtifact},
	{Name: "commitFrom", MinArgs: 1, MaxArgs: 2, Supported: true, Group: FuncArtifact},
	{Name: "imageFrom", MinArgs: 1, MaxArgs: 2, Supported: true, Group: FuncArtifact},
	{Name: "chartFrom", MinArgs: 1, MaxArgs: 3, Supported: true, Group: FuncArtifact},
	{Name: "artifactFrom", MinArgs: 1, MaxArgs: 2, Group: FuncArtifact},
	{Name: "secret", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "sharedSecret", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "configMap", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "sharedConfigMap", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "freightMetadata", MinArgs: 1, MaxArgs: 2, Supported: true, Group: FuncStep},
	{Name: "stageMetadata", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "freightStatus", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "success", MinArgs: 0, MaxArgs: 0, Supported: true, Group: FuncStep},
	{Name: "failure", MinArgs: 0, MaxArgs: 0, Supported: true, Group: FuncStep},
	{Name: "always", MinArgs: 0, MaxArgs: 0, Supported: true, Group: FuncStep},
	{Name: "status", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncStep},
	{Name: "normalizeGit", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncWebhook},
	{Name: "normalizeImage", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncWebhook},
	{Name: "normalizeChart", MinArgs: 1, MaxArgs: 1, Supported: true, Group: FuncWebhook},
	{Name: "normalize", MinArgs: 2, MaxArgs: 2, Supported: true, Group: FuncWebhook},
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
