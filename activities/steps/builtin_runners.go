package steps

import (
	"net/http"

	"github.com/railyard/railyard/activities/argocd"
)

// FileRunners returns the built-in steps that need no repository or
// renderer: file and data steps, http and the promotion-control steps.
// client is used by the http step (nil: a default client).
func FileRunners(client *http.Client) []Runner {
	return []Runner{
		Copy{}, Delete{}, FileWrite{},
		YAMLUpdate{}, YAMLParse{}, YAMLMerge{},
		JSONUpdate{}, JSONParse{},
		TOMLUpdate{}, TOMLParse{},
		Tar{}, Untar{},
		HTTP{Client: client}, HTTPDownload{Client: client},
		ComposeOutput{}, SetFreightAlias{}, SetMetadata{}, Fail{},
	}
}

// OCIRunners returns oci-download and oci-push. Credentials come from the
// promotion's credential store, then the Docker configuration.
func OCIRunners() []Runner {
	return []Runner{OCIDownload{}, OCIPush{}}
}

// ArgoCDRunners returns argocd-update and argocd-wait, reaching Argo CD's
// Applications through the worker's clusters.
func ArgoCDRunners(cs *argocd.Clusters) []Runner {
	return []Runner{ArgoCDUpdate{Clusters: cs}, ArgoCDWait{Clusters: cs}}
}
