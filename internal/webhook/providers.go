package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/railyard/railyard"
)

// event is what a request asks for.
type event struct {
	repoURLs   []string    // normalized repositories it names
	warehouses []string    // generic receivers: the Warehouses chosen; nil otherwise
	delivery   string      // replay protection key; "" when the provider has none
	note       string      // set when the request is fine but asks for nothing
	pr         pullRequest // set for a pull request event: wake, not refresh
}

// decode authenticates a request as its provider signs it and reads the
// repositories it names.
func decode(ep *endpoint, r *http.Request, body []byte) (event, error) {
	switch ep.kind {
	case railyard.ReceiverGitHub:
		return github(ep, r, body)
	case railyard.ReceiverGitLab:
		return gitlab(ep, r, body)
	case railyard.ReceiverBitbucket:
		return bitbucket(ep, r, body)
	case railyard.ReceiverGitea:
		return gitea(ep, r, body)
	case railyard.ReceiverAzure:
		return azure(r, body)
	case railyard.ReceiverDockerHub:
		return dockerhub(body)
	case railyard.ReceiverQuay:
		return quay(body)
	case railyard.ReceiverHarbor:
		return harbor(ep, r, body)
	case railyard.ReceiverArtifactory:
		return artifactory(ep, r, body)
	case railyard.ReceiverGeneric:
		return generic(ep, r, body)
	}
	return event{}, reject(http.StatusNotFound, "no receiver at this path")
}

// parseJSON decodes the body into v, or rejects it with a one-line reason.
func parseJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return reject(http.StatusBadRequest, "request body is not valid JSON: %s", oneLine(err.Error()))
	}
	return nil
}

func oneLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// bodyDigest identifies a delivery by its content, for providers that send
// no delivery ID but put a timestamp or ID in every body.
func bodyDigest(body []byte) string {
	sum := sha256.Sum256(bytes.TrimSpace(body))
	return "body:" + hex.EncodeToString(sum[:8])
}

func gitURLs(urls ...string) []string {
	var out []string
	for _, u := range urls {
		if u != "" {
			out = append(out, railyard.NormalizeRepoURL("git", u))
		}
	}
	return out
}

// imageURLs normalizes a pushed image or OCI chart reference (with or
// without registry host and tag) both as an image and as a chart, since
// registries do not say which one was pushed.
func imageURLs(refs ...string) []string {
	var out []string
	for _, ref := range refs {
		ref = strings.TrimSuffix(strings.TrimSpace(ref), ":")
		ref = strings.TrimPrefix(strings.TrimPrefix(ref, "https://"), "http://")
		if ref == "" {
			continue
		}
		out = append(out, railyard.NormalizeRepoURL("image", ref), railyard.NormalizeRepoURL("chart", "oci://"+ref))
	}
	return out
}

func github(ep *endpoint, r *http.Request, body []byte) (event, error) {
	if err := checkSignature("X-Hub-Signature-256", r.Header.Get("X-Hub-Signature-256"), ep.secret, body, true); err != nil {
		return event{}, err
	}
	ev := event{delivery: r.Header.Get("X-GitHub-Delivery")}
	switch kind := r.Header.Get("X-GitHub-Event"); kind {
	case "ping":
		ev.note = "pong: the receiver is configured correctly"
	case "push":
		var p struct {
			Repository githubRepo `json:"repository"`
		}
		if err := parseJSON(body, &p); err != nil {
			return event{}, err
		}
		ev.repoURLs = p.Repository.urls()
	case "pull_request", "pull_request_review":
		return prEvent(ev, body)
	case "package", "registry_package":
		var p struct {
			Action   string         `json:"action"`
			Package  *githubPackage `json:"package"`
			Registry *githubPackage `json:"registry_package"`
		}
		if err := parseJSON(body, &p); err != nil {
			return event{}, err
		}
		pkg := p.Package
		if pkg == nil {
			pkg = p.Registry
		}
		if pkg == nil || (p.Action != "published" && p.Action != "updated") {
			ev.note = "ignored: not a published package"
			break
		}
		ev.repoURLs = imageURLs(pkg.PackageVersion.PackageURL)
	default:
		return event{}, reject(http.StatusBadRequest, "GitHub event %q is not supported (push, pull_request, pull_request_review, package, registry_package, ping)", kind)
	}
	return ev, nil
}

type githubPackage struct {
	PackageVersion struct {
		PackageURL string `json:"package_url"`
	} `json:"package_version"`
}

func gitlab(ep *endpoint, r *http.Request, body []byte) (event, error) {
	if err := checkToken("X-Gitlab-Token", r.Header.Get("X-Gitlab-Token"), ep.secret); err != nil {
		return event{}, err
	}
	ev := event{delivery: r.Header.Get("X-Gitlab-Event-UUID")}
	switch kind := r.Header.Get("X-Gitlab-Event"); kind {
	case "Push Hook", "Tag Push Hook":
		var p struct {
			Repository struct {
				HTTP string `json:"git_http_url"`
				SSH  string `json:"git_ssh_url"`
			} `json:"repository"`
			Project struct {
				HTTP string `json:"git_http_url"`
				SSH  string `json:"git_ssh_url"`
			} `json:"project"`
		}
		if err := parseJSON(body, &p); err != nil {
			return event{}, err
		}
		ev.repoURLs = gitURLs(p.Repository.HTTP, p.Repository.SSH, p.Project.HTTP, p.Project.SSH)
	case "Merge Request Hook":
		return gitlabMR(ev, body)
	default:
		return event{}, reject(http.StatusBadRequest, "GitLab event %q is not supported (Push Hook, Tag Push Hook, Merge Request Hook)", kind)
	}
	return ev, nil
}

func bitbucket(ep *endpoint, r *http.Request, body []byte) (event, error) {
	kind := r.Header.Get("X-Event-Key")
	if kind == "diagnostics:ping" {
		return event{note: "pong: the receiver is configured correctly"}, nil
	}
	if err := checkSignature("X-Hub-Signature", r.Header.Get("X-Hub-Signature"), ep.secret, body, true); err != nil {
		return event{}, err
	}
	ev := event{delivery: r.Header.Get("X-Request-UUID")}
	if ev.delivery == "" {
		ev.delivery = r.Header.Get("X-Request-Id")
	}
	var p struct {
		Repository bitbucketRepo `json:"repository"`
	}
	switch {
	case kind == "repo:push" || kind == "repo:refs_changed":
	case strings.HasPrefix(kind, "pullrequest:") || strings.HasPrefix(kind, "pr:"):
		return bitbucketPR(ev, kind, body)
	default:
		return event{}, reject(http.StatusBadRequest, "Bitbucket event %q is not supported (repo:push, repo:refs_changed, pullrequest:*)", kind)
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	ev.repoURLs = gitURLs(p.Repository.urls()...)
	return ev, nil
}

// githubRepo is the repository of a GitHub or Gitea event.
type githubRepo struct {
	CloneURL string `json:"clone_url"`
	HTMLURL  string `json:"html_url"`
	SSHURL   string `json:"ssh_url"`
}

func (r githubRepo) urls() []string { return gitURLs(r.CloneURL, r.HTMLURL, r.SSHURL) }

// bitbucketRepo is the repository of a Bitbucket event.
type bitbucketRepo struct {
	Links struct {
		HTML  json.RawMessage `json:"html"`
		Clone []struct {
			Href string `json:"href"`
		} `json:"clone"`
	} `json:"links"`
}

func (r bitbucketRepo) urls() []string {
	urls := hrefs(r.Links.HTML)
	for _, c := range r.Links.Clone {
		urls = append(urls, c.Href)
	}
	return urls
}

// hrefs reads a Bitbucket link: {"href": …} (Cloud) or [{"href": …}] (Data Center).
func hrefs(raw json.RawMessage) []string {
	var one struct {
		Href string `json:"href"`
	}
	if json.Unmarshal(raw, &one) == nil && one.Href != "" {
		return []string{one.Href}
	}
	var many []struct {
		Href string `json:"href"`
	}
	_ = json.Unmarshal(raw, &many)
	var out []string
	for _, l := range many {
		out = append(out, l.Href)
	}
	return out
}

func gitea(ep *endpoint, r *http.Request, body []byte) (event, error) {
	var err error
	if h := r.Header.Get("X-Hub-Signature-256"); h != "" || r.Header.Get("X-Gitea-Signature") == "" {
		err = checkSignature("X-Hub-Signature-256", h, ep.secret, body, true)
	} else {
		err = checkSignature("X-Gitea-Signature", r.Header.Get("X-Gitea-Signature"), ep.secret, body, false)
	}
	if err != nil {
		return event{}, err
	}
	ev := event{delivery: r.Header.Get("X-Gitea-Delivery")}
	switch kind := r.Header.Get("X-Gitea-Event"); {
	case strings.HasPrefix(kind, "pull_request"):
		return prEvent(ev, body)
	case kind != "push":
		return event{}, reject(http.StatusBadRequest, "Gitea event %q is not supported (push, pull_request*)", kind)
	}
	var p struct {
		Repository githubRepo `json:"repository"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	ev.repoURLs = p.Repository.urls()
	return ev, nil
}

// artifactoryRepo is the image repository of an Artifactory docker event:
// the origin's host, the repository key (or the receiver's virtual
// repository) and the artifact path without its "<tag>/manifest.json".
func artifactoryRepo(origin, repoKey, path string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return "", reject(http.StatusBadRequest, "jpd_origin %q is not a URL", origin)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 3 {
		return "", reject(http.StatusBadRequest, "data.path %q is not <image>/<tag>/manifest.json", path)
	}
	return strings.Join(append([]string{u.Host, repoKey}, parts[:len(parts)-2]...), "/"), nil
}

func artifactory(ep *endpoint, r *http.Request, body []byte) (event, error) {
	if err := checkSignature("X-Jfrog-Event-Auth", r.Header.Get("X-Jfrog-Event-Auth"), ep.secret, body, false); err != nil {
		return event{}, err
	}
	var p struct {
		Domain    string `json:"domain"`
		EventType string `json:"event_type"`
		Origin    string `json:"jpd_origin"`
		Data      struct {
			Path      string `json:"path"`
			RepoKey   string `json:"repo_key"`
			ImageType string `json:"image_type"`
		} `json:"data"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	if p.Domain != "docker" || p.EventType != "pushed" {
		return event{}, reject(http.StatusBadRequest, "Artifactory event %s/%s is not supported (docker/pushed)", p.Domain, p.EventType)
	}
	key := p.Data.RepoKey
	if v := ep.receiver.Artifactory.VirtualRepoName; v != "" {
		key = v
	}
	repo, err := artifactoryRepo(p.Origin, key, p.Data.Path)
	if err != nil {
		return event{}, err
	}
	return event{repoURLs: imageURLs(repo)}, nil
}
