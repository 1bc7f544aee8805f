package creds

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const kargoSecretsYAML = `apiVersion: v1
kind: Secret
metadata:
  name: app-repo
  namespace: alpha
  labels: {kargo.akuity.io/cred-type: git}
stringData:
  repoURL: https://git.example.com/org/app.git
  username: alpha-bot
  password: alpha-token
---
apiVersion: v1
kind: Secret
metadata:
  name: app-repo
  namespace: beta
  labels: {kargo.akuity.io/cred-type: git}
data:
  repoURL: aHR0cHM6Ly9naXQuZXhhbXBsZS5jb20vb3JnL2FwcC5naXQ=   # https://git.example.com/org/app.git
  username: YmV0YS1ib3Q=                                       # beta-bot
  password: YmV0YS10b2tlbg==                                   # beta-token
---
apiVersion: v1
kind: Secret
metadata:
  name: registry
  namespace: shared
  labels: {kargo.akuity.io/cred-type: image}
stringData:
  repoURLPattern: ^registry\.example\.com/.*$
  username: shared-bot
  password: shared-token
---
apiVersion: v1
kind: Secret
metadata: {name: gh-wh, namespace: alpha}
stringData: {secret: alpha-webhook-secret}
---
apiVersion: v1
kind: Secret
metadata:
  name: slack
  namespace: shared
  labels: {kargo.akuity.io/cred-type: generic}
stringData: {token: shared-slack}
`

func writeSecrets(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secrets.yaml"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestKargoSecretsLookupIsolatesProjects(t *testing.T) {
	s, err := LoadKargoSecrets(writeSecrets(t, kargoSecretsYAML), []string{"shared"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, project, kind, url string
		wantUser                 string
	}{
		{"own project, stringData", "alpha", KindGit, "https://git.example.com/org/app", "alpha-bot"},
		{"own project, base64 data", "beta", KindGit, "https://git.example.com/org/app.git", "beta-bot"},
		{"another project has none", "gamma", KindGit, "https://git.example.com/org/app.git", ""},
		{"no project sees only global", "", KindGit, "https://git.example.com/org/app.git", ""},
		{"global pattern", "gamma", KindImage, "registry.example.com/team/api", "shared-bot"},
		{"kind must match", "alpha", KindHelm, "https://git.example.com/org/app.git", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.project != "" {
				ctx = WithProject(ctx, tt.project)
			}
			c, ok, err := s.Lookup(ctx, tt.kind, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if c.Username != tt.wantUser || ok != (tt.wantUser != "") {
				t.Errorf("got %v %v, want user %q", c, ok, tt.wantUser)
			}
		})
	}
}

func TestKargoSecretsReceiverAndExpressionSecrets(t *testing.T) {
	s, err := LoadKargoSecrets(writeSecrets(t, kargoSecretsYAML), []string{"shared"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		get     func() (map[string]string, error)
		key     string
		want    string
		wantErr bool
	}{
		{"receiver secret of own project", func() (map[string]string, error) { return s.ReceiverSecret("alpha", "gh-wh") }, "secret", "alpha-webhook-secret", false},
		{"receiver secret of another project", func() (map[string]string, error) { return s.ReceiverSecret("beta", "gh-wh") }, "", "", true},
		{"receiver secret never global", func() (map[string]string, error) { return s.ReceiverSecret("alpha", "slack") }, "", "", true},
		{"secret() reads global", func() (map[string]string, error) { return s.Secret(context.Background(), "beta", "slack") }, "token", "shared-slack", false},
		{"secret() of another project", func() (map[string]string, error) { return s.Secret(context.Background(), "beta", "gh-wh") }, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.get()
			if (err != nil) != tt.wantErr || m[tt.key] != tt.want {
				t.Errorf("got %v, %v", m, err)
			}
			if err != nil && strings.Contains(err.Error(), "alpha-webhook-secret") {
				t.Errorf("error reveals a secret: %v", err)
			}
		})
	}
}

func TestKargoSecretsInvalid(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"bad label", "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: p, labels: {kargo.akuity.io/cred-type: s3}}\n", `"s3" is not one of`},
		{"no repoURL", "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: p, labels: {kargo.akuity.io/cred-type: git}}\nstringData: {password: hunter2}\n", "needs repoURL"},
		{"bad base64", "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: p}\ndata: {password: 'hunter2!!'}\n", "data.password is not base64"},
		{"no namespace", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n", "metadata.namespace"},
		{"not a Secret", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: p}\n", "kind Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadKargoSecrets(writeSecrets(t, tt.doc), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error reveals a secret: %v", err)
			}
		})
	}
}

func TestKargoSecretsRotation(t *testing.T) {
	dir := writeSecrets(t, kargoSecretsYAML)
	s, err := LoadKargoSecrets(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rotated := strings.Replace(kargoSecretsYAML, "alpha-webhook-secret", "rotated", 1)
	if err := os.WriteFile(filepath.Join(dir, "secrets.yaml"), []byte(rotated), 0o600); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.checked = time.Time{}
	s.mu.Unlock()
	m, err := s.ReceiverSecret("alpha", "gh-wh")
	if err != nil || m["secret"] != "rotated" {
		t.Fatalf("got %v, %v", m, err)
	}
}

// TestKargoSecretsFromKubectl reads Secrets as `kubectl get secrets -o yaml`
// writes them: a List, with server-set metadata.
func TestKargoSecretsFromKubectl(t *testing.T) {
	const exported = `apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: v1
  kind: Secret
  type: Opaque
  metadata:
    name: app-repo
    namespace: alpha
    uid: 6f1c2c9e-2b9a-4f7e-9d8e-0c4b1a2f3e4d
    resourceVersion: "1234"
    creationTimestamp: "2026-11-30T10:00:00Z"
    labels: {kargo.akuity.io/cred-type: git}
    annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
    managedFields: [{manager: kubectl, operation: Update}]
  data:
    repoURL: aHR0cHM6Ly9naXQuZXhhbXBsZS5jb20vb3JnL2FwcC5naXQ=
    username: YWxwaGEtYm90
- apiVersion: v1
  kind: Secret
  metadata: {name: hook, namespace: alpha}
  data: {secret: c2ho}
`
	s, err := LoadKargoSecrets(writeSecrets(t, exported), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ok   func() bool
	}{
		{"credential", func() bool {
			c, ok, err := s.Lookup(WithProject(context.Background(), "alpha"), KindGit, "https://git.example.com/org/app")
			return err == nil && ok && c.Username == "alpha-bot"
		}},
		{"receiver secret", func() bool {
			m, err := s.ReceiverSecret("alpha", "hook")
			return err == nil && m["secret"] == "shh"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok() {
				t.Fail()
			}
		})
	}
}
