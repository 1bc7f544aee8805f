package webhook

import (
	"net/http"
	"strings"
)

// Docker Hub, Quay and Azure sign nothing: the hard-to-guess URL is their
// only credential, as in Kargo. Their bodies carry a timestamp or an ID, so
// a replayed body is recognised by its digest (Quay's does not: a repeated
// Quay event is served again, which costs one coalesced refresh).

func dockerhub(body []byte) (event, error) {
	var p struct {
		PushData struct {
			Tag string `json:"tag"`
		} `json:"push_data"`
		Repository struct {
			RepoName string `json:"repo_name"`
		} `json:"repository"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	if p.Repository.RepoName == "" {
		return event{}, reject(http.StatusBadRequest, "repository.repo_name is missing; not a Docker Hub push event")
	}
	return event{repoURLs: imageURLs(p.Repository.RepoName), delivery: bodyDigest(body)}, nil
}

func quay(body []byte) (event, error) {
	var p struct {
		DockerURL   string   `json:"docker_url"`
		UpdatedTags []string `json:"updated_tags"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	if p.DockerURL == "" {
		return event{}, reject(http.StatusBadRequest, "docker_url is missing; not a Quay push event")
	}
	return event{repoURLs: imageURLs(p.DockerURL)}, nil
}

func harbor(ep *endpoint, r *http.Request, body []byte) (event, error) {
	if err := checkToken("Authorization", r.Header.Get("Authorization"), ep.secret); err != nil {
		return event{}, err
	}
	var p struct {
		Type      string `json:"type"`
		EventData struct {
			Resources []struct {
				ResourceURL string `json:"resource_url"`
			} `json:"resources"`
		} `json:"event_data"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	if p.Type != "PUSH_ARTIFACT" {
		return event{}, reject(http.StatusBadRequest, "Harbor event %q is not supported (PUSH_ARTIFACT)", p.Type)
	}
	ev := event{delivery: bodyDigest(body)}
	for _, res := range p.EventData.Resources {
		ev.repoURLs = append(ev.repoURLs, imageURLs(res.ResourceURL)...)
	}
	return ev, nil
}

// azure serves Azure Container Registry and Azure DevOps, told apart by
// their User-Agent as Kargo does.
func azure(r *http.Request, body []byte) (event, error) {
	ua := r.UserAgent()
	switch {
	case strings.HasPrefix(ua, "AzureContainerRegistry"):
		var p struct {
			ID     string `json:"id"`
			Action string `json:"action"`
			Target struct {
				Repository string `json:"repository"`
			} `json:"target"`
			Request struct {
				Host string `json:"host"`
			} `json:"request"`
		}
		if err := parseJSON(body, &p); err != nil {
			return event{}, err
		}
		switch p.Action {
		case "ping":
			return event{note: "pong: the receiver is configured correctly"}, nil
		case "push", "chart_push":
			return event{repoURLs: imageURLs(p.Request.Host + "/" + p.Target.Repository), delivery: idOrDigest(p.ID, body)}, nil
		}
		return event{}, reject(http.StatusBadRequest, "Azure Container Registry action %q is not supported (push, ping)", p.Action)
	case strings.HasPrefix(ua, "VSServices"):
		var p struct {
			ID        string `json:"id"`
			EventType string `json:"eventType"`
			Resource  struct {
				Repository struct {
					RemoteURL string `json:"remoteUrl"`
				} `json:"repository"`
			} `json:"resource"`
		}
		if err := parseJSON(body, &p); err != nil {
			return event{}, err
		}
		if strings.HasPrefix(p.EventType, "git.pullrequest.") {
			return azurePR(event{delivery: idOrDigest(p.ID, body)}, p.EventType, body)
		}
		if p.EventType != "git.push" {
			return event{}, reject(http.StatusBadRequest, "Azure DevOps event %q is not supported (git.push, git.pullrequest.*)", p.EventType)
		}
		return event{repoURLs: gitURLs(p.Resource.Repository.RemoteURL), delivery: idOrDigest(p.ID, body)}, nil
	}
	return event{}, reject(http.StatusBadRequest, "User-Agent is neither Azure Container Registry's nor Azure DevOps'")
}

func idOrDigest(id string, body []byte) string {
	if id != "" {
		return "id:" + id
	}
	return bodyDigest(body)
}
