package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/railyard/railyard/internal/testenv"
)

const (
	gitPassword = "git-pass-7f3a9c"
	secretValue = "token-value-51b2e8"
)

var secretsManifests = projectYAML("secrets", "dev") +
	gitWarehouseYAML("secrets", "app", "SRC") + `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: secrets}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {direct: true}
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config:
          repoURL: GITOPS
          checkout: [{branch: stage/dev, create: true, path: ./out}]
      - uses: file-write
        config: {path: ./out/token.txt, contents: "${{ secret('api').token }}"}
      - uses: git-commit
        config: {path: ./out, message: "use the token"}
      - uses: git-push
        config: {path: ./out, targetBranch: stage/dev}
`

// TestSecretsStayOutOfHistory: a git password (from the worker's
// credentials file, via an environment variable) and a secret() value are
// used by discovery and a promotion, and appear in no workflow history.
func TestSecretsStayOutOfHistory(t *testing.T) {
	git := testenv.NewGitServer(t, testenv.WithBasicAuth("bot", gitPassword))
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "src", "main", map[string]string{"a.txt": "1"}, "one")
	git.Commit(t, "gitops", "main", map[string]string{"README.md": "x"}, "init")
	creds := filepath.Join(t.TempDir(), "credentials.yaml")
	host := strings.TrimSuffix(src, "src.git")
	text := "credentials:\n- kind: git\n  repoURL: '^" + strings.ReplaceAll(host, ".", `\.`) + ".*'\n  repoURLIsRegex: true\n" +
		"  username: bot\n  password: {env: RAILYARD_TEST_GIT_PASSWORD}\n  allowInsecureHTTP: true\n" +
		"secrets:\n- name: api\n  data:\n    token: {value: " + secretValue + "}\n"
	if err := os.WriteFile(creds, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RAILYARD_TEST_GIT_PASSWORD", gitPassword)
	e := newEnv(t, withWorkerArgs("--credentials", creds))
	e.project = "secrets"
	e.must("apply", "-f", writeManifests(t, strings.NewReplacer("SRC", src, "GITOPS", gitops).Replace(secretsManifests)))

	e.eventually(90*time.Second, "the promotion that uses both secrets", func() bool {
		out, err := exec.Command("git", "--git-dir", git.Path("gitops"), "show", "stage/dev:token.txt").Output()
		return err == nil && strings.TrimSpace(string(out)) == secretValue
	})
	for id, h := range e.allHistories() {
		for _, s := range []string{gitPassword, secretValue} {
			if strings.Contains(h, s) {
				t.Errorf("the history of %s contains a secret (%q)", id, s)
			}
		}
	}
	if log := e.workerLog(); strings.Contains(log, gitPassword) || strings.Contains(log, secretValue) {
		t.Error("the worker log contains a secret")
	}
}

// payloadData matches the base64 payload bytes in protojson.
var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// readable returns a history's JSON with every payload decoded and
// appended, so that a search sees inputs, results and summaries as text.
func readable(js string) string {
	var b strings.Builder
	b.WriteString(js)
	for _, m := range payloadData.FindAllStringSubmatch(js, -1) {
		if raw, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.WriteString("\n")
			b.Write(raw)
		}
	}
	return b.String()
}

// allHistories returns every workflow's history as readable text, by ID;
// there must be at least a project, a pipeline, a stage and a promotion.
func (e *env) allHistories() map[string]string {
	e.t.Helper()
	return e.allHistoriesAtLeast(4)
}

// allHistoriesAtLeast is allHistories expecting at least n workflows.
func (e *env) allHistoriesAtLeast(n int) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	var token []byte
	for {
		resp, err := e.client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{NextPageToken: token})
		if err != nil {
			e.t.Fatalf("listing workflows: %v", err)
		}
		for _, x := range resp.Executions {
			id := x.GetExecution().GetWorkflowId()
			b, err := protojson.Marshal(history(e.t, e.client, id))
			if err != nil {
				e.t.Fatal(err)
			}
			out[id] = readable(string(b))
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	if len(out) < n {
		e.t.Fatalf("found %d workflows, want at least %d", len(out), n)
	}
	return out
}
