package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/railyard/railyard"
)

// Waker wakes a project's promotions whose running step waits on one of
// the pull requests named by keys (railyard.PullRequestKey), and says how
// many it woke.
type Waker interface {
	WakeWaiting(ctx context.Context, project string, keys []string, reason string) (int, error)
}

// pullRequest is a pull request event: which one, and what happened.
type pullRequest struct {
	number int64
	action string
}

// wake wakes the promotions waiting on the event's pull request. Forges
// send pull request events for every change (opened, reviewed, merged,
// closed); the woken step reads the pull request and decides.
func (s *Server) wake(ep *endpoint, ev event) (string, error) {
	if s.Waker == nil {
		return "ignored: this server wakes no promotions", nil
	}
	keys := railyard.PullRequestKeys(ev.repoURLs, ev.pr.number)
	reason := strings.TrimSpace(fmt.Sprintf("%s pull request #%d %s", ep.kind, ev.pr.number, ev.pr.action))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := s.Waker.WakeWaiting(ctx, ep.project, keys, reason)
	if err != nil {
		return "", fmt.Errorf("waking promotions waiting on pull request #%d: %w", ev.pr.number, err)
	}
	s.stats.Wakes.Add(int64(n))
	s.logger().Info("webhook accepted", "project", ep.project, "receiver", ep.receiver.Name,
		"kind", ep.kind, "pullRequest", keys, "action", ev.pr.action, "woken", n)
	return fmt.Sprintf("woke %d promotion(s) waiting on pull request #%d", n, ev.pr.number), nil
}

// prEvent reads a pull request event whose repository and number are in
// the shapes GitHub and Gitea share.
func prEvent(ev event, body []byte) (event, error) {
	var p struct {
		Action      string `json:"action"`
		Number      int64  `json:"number"`
		PullRequest struct {
			Number int64 `json:"number"`
		} `json:"pull_request"`
		Repository githubRepo `json:"repository"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	ev.repoURLs = p.Repository.urls()
	ev.pr = pullRequest{number: max(p.Number, p.PullRequest.Number), action: p.Action}
	return checkPR(ev, "pull_request.number", "repository.clone_url")
}

// checkPR rejects a pull request event that names no pull request or no
// repository, naming the fields it read.
func checkPR(ev event, numberField, repoField string) (event, error) {
	switch {
	case ev.pr.number <= 0:
		return event{}, reject(http.StatusBadRequest, "pull request event has no %s", numberField)
	case len(ev.repoURLs) == 0:
		return event{}, reject(http.StatusBadRequest, "pull request event has no %s", repoField)
	}
	return ev, nil
}

// gitlabMR reads a GitLab Merge Request Hook.
func gitlabMR(ev event, body []byte) (event, error) {
	var p struct {
		Attrs struct {
			IID    int64  `json:"iid"`
			Action string `json:"action"`
		} `json:"object_attributes"`
		Project struct {
			HTTP string `json:"git_http_url"`
			SSH  string `json:"git_ssh_url"`
			Web  string `json:"web_url"`
		} `json:"project"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	ev.repoURLs = gitURLs(p.Project.HTTP, p.Project.SSH, p.Project.Web)
	ev.pr = pullRequest{number: p.Attrs.IID, action: p.Attrs.Action}
	return checkPR(ev, "object_attributes.iid", "project.git_http_url")
}

// bitbucketPR reads a Bitbucket pullrequest:* event.
func bitbucketPR(ev event, kind string, body []byte) (event, error) {
	var p struct {
		PullRequest struct {
			ID int64 `json:"id"`
		} `json:"pullrequest"`
		Repository bitbucketRepo `json:"repository"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	ev.repoURLs = gitURLs(p.Repository.urls()...)
	ev.pr = pullRequest{number: p.PullRequest.ID, action: strings.TrimPrefix(kind, "pullrequest:")}
	return checkPR(ev, "pullrequest.id", "repository.links")
}

// azurePR reads an Azure DevOps git.pullrequest.* event.
func azurePR(ev event, kind string, body []byte) (event, error) {
	var p struct {
		Resource struct {
			ID         int64 `json:"pullRequestId"`
			Repository struct {
				RemoteURL string `json:"remoteUrl"`
			} `json:"repository"`
		} `json:"resource"`
	}
	if err := parseJSON(body, &p); err != nil {
		return event{}, err
	}
	ev.repoURLs = gitURLs(p.Resource.Repository.RemoteURL)
	ev.pr = pullRequest{number: p.Resource.ID, action: strings.TrimPrefix(kind, "git.pullrequest.")}
	return checkPR(ev, "resource.pullRequestId", "resource.repository.remoteUrl")
}
