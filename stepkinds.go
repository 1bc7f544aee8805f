package railyard

// Step kinds whose outputs a promotion applies when it ends.
const (
	StepSetFreightAlias = "set-freight-alias" // renames Freight (see AliasesSet)
	StepSetMetadata     = "set-metadata"      // sets Stage and Freight metadata (see MetadataSet)
)

// SupportedSteps lists the step kinds Railyard runs.
var SupportedSteps = []string{
	"git-clone", "git-clear", "git-commit", "git-push", "git-tag",
	"git-open-pr", "git-wait-for-pr", "git-merge-pr",
	"copy", "delete", "file-write",
	"kustomize-set-image", "kustomize-build", "helm-template", "helm-update-chart",
	"yaml-update", "yaml-parse", "yaml-merge", "json-update", "json-parse",
	"toml-update", "toml-parse", "tar", "untar",
	"http", "http-download", "oci-download", "oci-push", "compose-output", StepSetFreightAlias, StepSetMetadata, "fail",
	"argocd-update", "argocd-wait",
}

// UnsupportedSteps lists Kargo step kinds that Railyard does not run yet.
var UnsupportedSteps = []string{
	"github-push",
}

// StepKind classifies a `uses:` value: "supported", "unsupported" (a Kargo
// step Railyard does not run yet) or "unknown".
func StepKind(uses string) string {
	for _, s := range SupportedSteps {
		if s == uses {
			return "supported"
		}
	}
	for _, s := range UnsupportedSteps {
		if s == uses {
			return "unsupported"
		}
	}
	return "unknown"
}
