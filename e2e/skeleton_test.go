package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

var skeletonManifests = projectYAML("skeleton", "dev") +
	gitWarehouseYAML("skeleton", "app", "SRC") + `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: dev
  namespace: skeleton
spec:
  requestedFreight:
  - origin:
      kind: Warehouse
      name: app
    sources:
      direct: true
  promotionTemplate:
    spec:
      vars:
      - name: srcRepo
        value: SRC
      - name: gitopsRepo
        value: GITOPS
      steps:
      - uses: git-clone
        config:
          repoURL: ${{ vars.srcRepo }}
          checkout:
          - commit: ${{ commitFrom(vars.srcRepo).ID }}
            path: ./src
      - uses: git-clone
        config:
          repoURL: ${{ vars.gitopsRepo }}
          checkout:
          - branch: stage/${{ ctx.stage }}
            create: true
            path: ./out
      - uses: git-clear
        config:
          path: ./out
      - uses: copy
        config:
          inPath: ./src/manifests
          outPath: ./out
      - uses: git-commit
        as: commit
        config:
          path: ./out
          message: promote ${{ ctx.targetFreight.alias }} to ${{ ctx.stage }}
      - uses: git-push
        config:
          path: ./out
          targetBranch: stage/${{ ctx.stage }}
`

type stageView struct {
	Name   string               `json:"name"`
	Status workflows.StageState `json:"status"`
}

// devFreight returns the Freight ID in dev's app slot, or "".
func devFreight(e *env) string {
	var stages []stageView
	e.getJSON(&stages, "stages", "dev", "--project", "skeleton")
	if len(stages) == 0 || len(stages[0].Status.History) == 0 {
		return ""
	}
	ref, _ := stages[0].Status.History[0].Collection.Get(railyard.WarehouseOrigin("app"))
	return ref.ID
}

func freightList(e *env) []railyard.Freight {
	var fs []railyard.Freight
	e.getJSON(&fs, "freight", "--project", "skeleton")
	return fs
}

func TestWalkingSkeleton(t *testing.T) {
	git := testenv.NewGitServer(t)
	src := git.CreateRepo(t, "src")
	gitops := git.CreateRepo(t, "gitops")
	git.Commit(t, "gitops", "main", map[string]string{"README.md": "gitops\n"}, "init")
	c1 := git.Commit(t, "src", "main", map[string]string{"manifests/app.yaml": "version: 1\n"}, "v1")
	e := newEnv(t)
	e.project = "skeleton"

	text := strings.NewReplacer("SRC", src, "GITOPS", gitops).Replace(skeletonManifests)
	dir := writeManifests(t, text)
	e.must("validate", "-f", dir)
	out := e.must("apply", "-f", dir)
	if !strings.Contains(out, "applied (generation 1)") {
		t.Fatalf("apply said %q", out)
	}
	if out := e.must("apply", "-f", dir); !strings.Contains(out, "unchanged") {
		t.Fatalf("re-apply said %q", out)
	}

	// Discovery mints Freight from c1; auto-promotion pushes it to stage/dev.
	e.eventually(60*time.Second, "freight for c1 in dev", func() bool {
		fs := freightList(e)
		return len(fs) == 1 && fs[0].Commits[0].ID == c1 && devFreight(e) == fs[0].ID
	})
	first := freightList(e)[0]
	if got := git.ReadFile(t, "gitops", "stage/dev", "app.yaml"); got != "version: 1\n" {
		t.Fatalf("stage/dev app.yaml = %q", got)
	}
	if log := git.Log(t, "gitops", "stage/dev"); len(log) != 1 || !strings.Contains(log[0], first.Alias) {
		t.Fatalf("stage/dev log = %q", log)
	}

	// A new commit, a refresh, and the new Freight follows.
	c2 := git.Commit(t, "src", "main", map[string]string{"manifests/app.yaml": "version: 2\n"}, "v2")
	e.must("refresh", "warehouse", "app", "--project", "skeleton")
	e.eventually(60*time.Second, "freight for c2 in dev", func() bool {
		fs := freightList(e)
		return len(fs) == 2 && fs[0].Commits[0].ID == c2 && devFreight(e) == fs[0].ID
	})
	if got := git.ReadFile(t, "gitops", "stage/dev", "app.yaml"); got != "version: 2\n" {
		t.Fatalf("stage/dev app.yaml = %q", got)
	}

	// A manual promote of the older Freight, by alias, goes back to v1 and
	// holds auto-promotion.
	e.must("promote", "--project", "skeleton", "--stage", "dev", "--freight", first.Alias)
	e.eventually(60*time.Second, "first freight back in dev", func() bool { return devFreight(e) == first.ID })
	if got := git.ReadFile(t, "gitops", "stage/dev", "app.yaml"); got != "version: 1\n" {
		t.Fatalf("stage/dev app.yaml after manual promote = %q", got)
	}
	if n := len(git.Log(t, "gitops", "stage/dev")); n != 3 {
		t.Fatalf("stage/dev has %d commits, want 3", n)
	}

	t.Run("freight create and alias", func(t *testing.T) {
		if _, err := e.railyard("freight", "create", "--project", "skeleton", "--warehouse", "app",
			"--commit", src+"@"+c1); err == nil || !strings.Contains(err.Error(), "already") {
			t.Fatalf("creating existing Freight: %v", err)
		}
		c3 := git.Commit(t, "src", "side", map[string]string{"manifests/app.yaml": "version: 3\n"}, "v3")
		out := e.must("freight", "create", "--project", "skeleton", "--warehouse", "app",
			"--commit", src+"@"+c3, "--alias", "hand-made")
		if !strings.Contains(out, "hand-made") {
			t.Fatalf("freight create said %q", out)
		}
		e.must("freight", "alias", "hand-made", "renamed-by-hand", "--project", "skeleton")
		var fs []railyard.Freight
		e.getJSON(&fs, "freight", "renamed-by-hand", "--project", "skeleton")
		if len(fs) != 1 || fs[0].Commits[0].ID != c3 {
			t.Fatalf("renamed Freight = %+v", fs)
		}
		if _, err := e.railyard("freight", "alias", first.Alias, "renamed-by-hand", "--project", "skeleton"); err == nil {
			t.Fatal("a taken alias was accepted")
		}
	})

	t.Run("bad requests are one-line errors", func(t *testing.T) {
		cases := []struct {
			args []string
			want string
		}{
			{[]string{"promote", "--project", "skeleton", "--stage", "prod", "--freight", first.Alias}, `stage "prod" does not request Freight`},
			{[]string{"promote", "--project", "skeleton", "--stage", "dev", "--freight", "no-such"}, `freight "no-such" not found`},
			{[]string{"get", "stages", "--project", "nope"}, "not found"},
		}
		for _, tc := range cases {
			_, err := e.railyard(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
			}
		}
	})

	t.Run("promote with the temporal CLI", func(t *testing.T) {
		temporal, err := exec.LookPath("temporal")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("the temporal CLI is not installed; .ci/run installs it")
			}
			t.Skip("the temporal CLI is not installed")
		}
		var second railyard.Freight
		for _, f := range freightList(e) {
			if f.Commits[0].ID == c2 {
				second = f
			}
		}
		signal := func(input string) {
			cmd := exec.Command(temporal, "workflow", "signal", "--address", e.addr,
				"--workflow-id", "skeleton/pipeline/app", "--name", "promote", "--input", input)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("temporal workflow signal: %v: %s", err, out)
			}
		}
		signal(`{"stage":"dev","freight":"not json"`[:0] + `"not an object"`)
		signal(`{"stage":"dev","freight":"` + second.ID + `"}`)
		e.eventually(60*time.Second, "second freight in dev by signal", func() bool { return devFreight(e) == second.ID })
		var whs []struct {
			Status workflows.PipelineState `json:"status"`
		}
		e.getJSON(&whs, "warehouses", "app", "--project", "skeleton")
		if len(whs) != 1 || len(whs[0].Status.Rejected) == 0 {
			t.Fatalf("the malformed signal was not recorded: %+v", whs)
		}
	})

	t.Run("a resource removed from the files is retired", func(t *testing.T) {
		extra := text + "\n---\napiVersion: kargo.akuity.io/v1alpha1\nkind: Warehouse\n" +
			"metadata: {name: extra, namespace: skeleton}\nspec:\n  subscriptions:\n  - git: {repoURL: " + src + "}\n"
		if out := e.must("apply", "-f", writeManifests(t, extra)); !strings.Contains(out, "extra") {
			t.Fatalf("apply with the extra warehouse said %q", out)
		}
		e.must("get", "warehouses", "extra", "--project", "skeleton")
		if out := e.must("apply", "-f", dir); !strings.Contains(out, "retired warehouse/extra") {
			t.Fatalf("apply without it said %q", out)
		}
		if _, err := e.railyard("get", "warehouses", "extra", "--project", "skeleton"); err == nil {
			t.Fatal("the retired warehouse is still listed")
		}
		e.eventually(30*time.Second, "the retired pipeline to complete", func() bool {
			return e.workflowStatus("skeleton/pipeline/extra") == "Completed"
		})
	})

	var proms []workflows.PromotionRecord
	e.getJSON(&proms, "promotions", "--project", "skeleton")
	e.recordHistories(map[string]string{"project": "skeleton", "pipeline": "skeleton/pipeline/app",
		"stage": "skeleton/stage/dev", "promotion": proms[len(proms)-1].WorkflowID})
}
