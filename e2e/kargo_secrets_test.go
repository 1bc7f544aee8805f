package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

const isolationPassword = "alpha-only-4c1d7e"

// isolationSecrets: alpha's credential for the private repository, and a
// credential every project may use, in the global namespace "shared".
const isolationSecrets = `apiVersion: v1
kind: Secret
metadata:
  name: private-repo
  namespace: alpha
  labels: {kargo.akuity.io/cred-type: git}
stringData: {repoURL: PRIVATE, username: bot, password: ` + isolationPassword + `}
---
apiVersion: v1
kind: Secret
metadata:
  name: everything
  namespace: shared
  labels: {kargo.akuity.io/cred-type: git}
stringData: {repoURLPattern: '^.*/common\.git$', username: bot, password: ` + isolationPassword + `}
`

// isolationStage promotes into a branch of the private repository.
const isolationStage = `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: PROJECT}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: ORIGIN}
    sources: {direct: true}
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config:
          repoURL: PRIVATE
          checkout: [{branch: stage/PROJECT, create: true, path: ./out}]
      - uses: file-write
        config: {path: ./out/who.txt, contents: PROJECT}
      - uses: git-commit
        config: {path: ./out, message: "promoted by PROJECT"}
      - uses: git-push
        config: {path: ./out, targetBranch: stage/PROJECT}
`

func isolationStageYAML(project, origin string) string {
	return strings.NewReplacer("PROJECT", project, "ORIGIN", origin).Replace(isolationStage)
}

// TestKargoSecretsStayInTheirProject: the worker reads Kargo Secret
// manifests; project alpha discovers and promotes into its private
// repository with its own Secret; project beta can use alpha's Secret
// neither to discover that repository nor in a promotion step; both use
// the Secret of the global namespace.
func TestKargoSecretsStayInTheirProject(t *testing.T) {
	git := testenv.NewGitServer(t, testenv.WithBasicAuth("bot", isolationPassword))
	private, common := git.CreateRepo(t, "private"), git.CreateRepo(t, "common")
	git.Commit(t, "private", "main", map[string]string{"a": "1"}, "one")
	git.Commit(t, "common", "main", map[string]string{"a": "1"}, "one")
	dir := t.TempDir()
	text := strings.ReplaceAll(isolationSecrets, "PRIVATE", private)
	if err := os.WriteFile(filepath.Join(dir, "secrets.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withWorkerArgs("--credentials", dir, "--global-credentials-namespaces", "shared"))
	e.project = "beta"
	manifests := projectYAML("alpha", "dev") + gitWarehouseYAML("alpha", "private", private) + isolationStageYAML("alpha", "private") +
		"---\n" + projectYAML("beta", "dev") + gitWarehouseYAML("beta", "private", private) +
		gitWarehouseYAML("beta", "common", common) + isolationStageYAML("beta", "common")
	e.must("apply", "-f", writeManifests(t, strings.ReplaceAll(manifests, "PRIVATE", private)))

	status := func(project, warehouse string) workflows.PipelineState {
		var st workflows.PipelineState
		_ = e.query(&st, railyard.PipelineWorkflowID(project, warehouse), workflows.QueryStatus)
		return st
	}
	freight := func(project, warehouse string) int {
		var fs []railyard.Freight
		_ = e.query(&fs, railyard.PipelineWorkflowID(project, warehouse), workflows.QueryFreight)
		return len(fs)
	}
	e.eventually(60*time.Second, "alpha's Freight from its private repository", func() bool { return freight("alpha", "private") > 0 })
	e.eventually(60*time.Second, "beta's Freight from the repository of the global credential", func() bool { return freight("beta", "common") > 0 })
	e.eventually(60*time.Second, "beta's discovery of alpha's repository to fail", func() bool { return status("beta", "private").Discovery.Error != "" })
	if n := freight("beta", "private"); n > 0 {
		t.Errorf("beta minted %d Freight from a repository only alpha's Secret opens", n)
	}
	t.Logf("beta's discovery: %s", status("beta", "private").Discovery.Error)
	e.eventually(90*time.Second, "alpha's promotion into its private repository", func() bool {
		out, err := exec.Command("git", "--git-dir", git.Path("private"), "show", "stage/alpha:who.txt").Output()
		return err == nil && strings.TrimSpace(string(out)) == "alpha"
	})
	e.eventually(90*time.Second, "beta's promotion to fail on alpha's repository", func() bool {
		out, err := e.railyard("get", "promotions", "--project", "beta", "-o", "json")
		return err == nil && strings.Contains(out, "Authentication failed")
	})
	if exec.Command("git", "--git-dir", git.Path("private"), "rev-parse", "--verify", "-q", "refs/heads/stage/beta").Run() == nil {
		t.Error("beta pushed to alpha's repository")
	}
	for id, h := range e.allHistoriesAtLeast(5) {
		if strings.Contains(h, isolationPassword) {
			t.Errorf("the history of %s contains the password", id)
		}
	}
	if strings.Contains(e.workerLog(), isolationPassword) {
		t.Error("the worker log contains the password")
	}
}
