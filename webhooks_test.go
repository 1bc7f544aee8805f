package railyard

import (
	"encoding/json"
	"testing"
)

func TestWebhookReceiverPath(t *testing.T) {
	tests := []struct {
		name, project, kind, receiver string
		secrets                       []string
		want                          string
	}{
		{"github", "kargo-demo", ReceiverGitHub, "gh-wh-receiver", []string{"my-secret"},
			"/github/039057672c5db2a7af4a805cba123da12162d63b25346d495c9c5b918ad9d948"},
		{"no secret values", "demo", ReceiverDockerHub, "dh", nil,
			"/dockerhub/f01036f8b18a5cb86db1e04a3064bf43eb6d951f73247630c40e27ec0f030925"},
		{"values concatenated", "kargo-demo", ReceiverGitHub, "gh-wh-receiver", []string{"my-", "secret"},
			"/github/039057672c5db2a7af4a805cba123da12162d63b25346d495c9c5b918ad9d948"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WebhookReceiverPath(tt.project, tt.kind, tt.receiver, tt.secrets...); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWebhookReceiverURL(t *testing.T) {
	tests := []struct{ base, path, want string }{
		{"http://127.0.0.1:8235", "/github/ab", "http://127.0.0.1:8235/github/ab"},
		{"https://hooks.example.com/railyard/", "/quay/cd", "https://hooks.example.com/railyard/quay/cd"},
		{"", "/quay/cd", "/quay/cd"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := WebhookReceiverURL(tt.base, tt.path); got != tt.want {
				t.Errorf("got %s", got)
			}
		})
	}
}

func TestWebhookReceiverKind(t *testing.T) {
	ref := &WebhookSecretRefConfig{SecretRef: LocalObjectReference{Name: "s"}}
	tests := []struct {
		name       string
		r          WebhookReceiver
		kind, secr string
	}{
		{"gitlab", WebhookReceiver{Name: "a", GitLab: ref}, ReceiverGitLab, "s"},
		{"artifactory", WebhookReceiver{Name: "a", Artifactory: &ArtifactoryWebhookConfig{SecretRef: LocalObjectReference{Name: "x"}}}, ReceiverArtifactory, "x"},
		{"none", WebhookReceiver{Name: "a"}, "", ""},
		{"two", WebhookReceiver{Name: "a", Quay: ref, Harbor: ref}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Kind() != tt.kind || tt.r.SecretName() != tt.secr {
				t.Errorf("kind %q secret %q", tt.r.Kind(), tt.r.SecretName())
			}
		})
	}
}

func TestSubscribesToAny(t *testing.T) {
	w := WarehouseSpec{Subscriptions: []Subscription{
		{Git: &GitSubscription{RepoURL: "https://Git.Example.com/org/App.git"}},
		{Image: &ImageSubscription{RepoURL: "docker.io/library/nginx"}},
		{Image: &ImageSubscription{RepoURL: "127.0.0.1:5000/team/api"}},
		{Chart: &ChartSubscription{RepoURL: "oci://ghcr.io/org/charts/app"}},
	}}
	tests := []struct {
		name, kind, url string
		want            bool
	}{
		{"git normalized", "git", "https://git.example.com/org/app", true},
		{"git with credentials and slash", "git", "https://bot@git.example.com/org/app.git/", true},
		{"other git repo", "git", "https://git.example.com/org/other.git", false},
		{"image short name", "image", "nginx", true},
		{"image with tag", "image", "nginx:1.27", true},
		{"image with host and tag", "image", "127.0.0.1:5000/team/api:v2", true},
		{"other image", "image", "127.0.0.1:5000/team/web", false},
		{"chart pushed as image", "image", "ghcr.io/org/charts/app:1.0.0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.SubscribesToAny([]string{NormalizeRepoURL(tt.kind, tt.url)}); got != tt.want {
				t.Errorf("got %v for %s (subscribed %v)", got, NormalizeRepoURL(tt.kind, tt.url), w.SubscribedURLs())
			}
		})
	}
}

func TestWebhookParametersBothShapes(t *testing.T) {
	for _, in := range []string{`{"a":"1","b":"2"}`, `[{"a":"1"},{"b":"2"}]`} {
		t.Run(in, func(t *testing.T) {
			var p WebhookParameters
			if err := json.Unmarshal([]byte(in), &p); err != nil || p["a"] != "1" || p["b"] != "2" {
				t.Errorf("got %v, %v", p, err)
			}
		})
	}
}
