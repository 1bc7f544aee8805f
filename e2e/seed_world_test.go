package e2e

import (
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
	"github.com/railyard/railyard/workflows"
)

// seedWorld is the seed scenario's servers and what the test pushed to them.
type seedWorld struct {
	t       *testing.T
	e       *env
	git     *testenv.GitServer
	reg     *testenv.Registry
	images  string            // image repository, host/app
	config  string            // config repository clone URL
	gitops  string            // GitOps repository clone URL
	configs []string          // config commits that change feature-flags/, oldest first
	flags   map[string]string // commit -> feature-flags/flags.yaml at it
	home    string            // HOME for the test's own git commands
	figures []string
}

// slotsWant is what one stage must hold: an image tag and a config commit.
type slotsWant struct {
	Image  string
	Config string
}

func newSeedWorld(t *testing.T) *seedWorld {
	w := &seedWorld{t: t, git: testenv.NewGitServer(t), reg: testenv.StartRegistry(t),
		flags: map[string]string{}, home: t.TempDir()}
	w.images = w.reg.Host + "/app"
	w.config = w.git.CreateRepo(t, "config")
	w.gitops = w.git.CreateRepo(t, "gitops")
	w.git.Commit(t, "gitops", "main", map[string]string{"README.md": "gitops\n"}, "init")
	return w
}

// pushImage pushes a new random image as app:tag.
func (w *seedWorld) pushImage(tag string) { w.pushTo("app", tag) }

// pushTo pushes a new random image as repo:tag on the test's registry.
func (w *seedWorld) pushTo(repo, tag string) {
	w.t.Helper()
	testenv.PushImage(w.t, w.reg.Host, repo, tag)
}

// commitFlags commits a new feature-flags/flags.yaml and returns the SHA.
func (w *seedWorld) commitFlags(body string) string {
	w.t.Helper()
	sha := w.git.Commit(w.t, "config", "main", map[string]string{"feature-flags/flags.yaml": body}, "flags: "+body)
	w.configs = append(w.configs, sha)
	w.flags[sha] = body
	return sha
}

// branchTree returns every file of a GitOps branch (path -> content), or
// nil when the branch does not exist.
func (w *seedWorld) branchTree(branch string) map[string]string {
	w.t.Helper()
	cmd := exec.Command("git", "ls-tree", "-r", "--name-only", "refs/heads/"+branch)
	cmd.Dir, cmd.Env = w.git.Path("gitops"), testenv.Env(w.home)
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	tree := map[string]string{}
	for _, p := range strings.Fields(string(out)) {
		tree[p] = w.git.ReadFile(w.t, "gitops", "refs/heads/"+branch, p)
	}
	return tree
}

// commits is the number of commits on a GitOps branch (0 when absent).
func (w *seedWorld) commits(branch string) int {
	w.t.Helper()
	if w.branchTree(branch) == nil {
		return 0
	}
	return len(w.git.Log(w.t, "gitops", branch))
}

// wantTree is the stage branch content for an image tag and config commit.
// An empty slot leaves its files out.
func (w *seedWorld) wantTree(s slotsWant) map[string]string {
	tree := map[string]string{}
	if s.Image != "" {
		tree["image.txt"] = s.Image
	}
	if s.Config != "" {
		tree["feature-flags/flags.yaml"] = w.flags[s.Config]
	}
	return tree
}

// stage returns a stage's workflow state.
func (w *seedWorld) stage(name string) workflows.StageState {
	w.t.Helper()
	var views []stageView
	w.e.getJSON(&views, "stages", name, "--project", "seed")
	if len(views) != 1 {
		w.t.Fatalf("get stages %s: %d stages", name, len(views))
	}
	return views[0].Status
}

// holds describes a stage's current collection as slotsWant, and whether
// its verification succeeded.
func holds(st workflows.StageState) (slotsWant, bool) {
	if len(st.History) == 0 {
		return slotsWant{}, false
	}
	cur := st.History[0]
	var got slotsWant
	if r, ok := cur.Collection.Get(railyard.WarehouseOrigin("images")); ok && len(r.Images) == 1 {
		got.Image = r.Images[0].Tag
	}
	if r, ok := cur.Collection.Get(railyard.WarehouseOrigin("config")); ok && len(r.Commits) == 1 {
		got.Config = r.Commits[0].ID
	}
	return got, cur.Verification.Phase == railyard.AnalysisSuccessful
}

// mismatch says how stage differs from want (slots, verification, branch
// content), or "" when it matches.
func (w *seedWorld) mismatch(stage string, want slotsWant) string {
	got, verified := holds(w.stage(stage))
	if got != want {
		return fmt.Sprintf("%s holds %s, want %s", stage, w.describe(got), w.describe(want))
	}
	if !verified {
		return stage + " is not verified yet"
	}
	if tree := w.branchTree("stage/" + stage); !maps.Equal(tree, w.wantTree(want)) {
		return fmt.Sprintf("stage/%s has %q, want %q", stage, tree, w.wantTree(want))
	}
	return ""
}

// describe renders slots as "(image 1.0.0, config v2)".
func (w *seedWorld) describe(s slotsWant) string {
	cfg := "-"
	if i := slices.Index(w.configs, s.Config); i >= 0 {
		cfg = fmt.Sprintf("v%d", i+1)
	} else if s.Config != "" {
		cfg = s.Config[:7]
	}
	return fmt.Sprintf("(image %s, config %s)", orNone(s.Image), cfg)
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// await waits until every stage in want matches; on timeout it fails with
// the last mismatch.
func (w *seedWorld) await(timeout time.Duration, what string, want map[string]slotsWant) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		last = ""
		for _, st := range slices.Sorted(maps.Keys(want)) {
			if last = w.mismatch(st, want[st]); last != "" {
				break
			}
		}
		if last == "" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	w.t.Fatalf("%s: timed out after %s: %s", what, timeout, last)
}

// freight returns a warehouse's Freight, newest first.
func (w *seedWorld) freight(project, warehouse string) []railyard.Freight {
	w.t.Helper()
	var all, out []railyard.Freight
	w.e.getJSON(&all, "freight", "--project", project)
	for _, f := range all {
		if f.Origin.Name == warehouse {
			out = append(out, f)
		}
	}
	return out
}

// configFreight finds the config Freight of a commit.
func (w *seedWorld) configFreight(sha string) railyard.Freight {
	w.t.Helper()
	for _, f := range w.freight("seed", "config") {
		if len(f.Commits) == 1 && f.Commits[0].ID == sha {
			return f
		}
	}
	w.t.Fatalf("no config Freight for commit %s", sha)
	return railyard.Freight{}
}

// promotions returns the project's promotion records by name.
func (w *seedWorld) promotions() map[string]workflows.PromotionRecord {
	w.t.Helper()
	var ps []workflows.PromotionRecord
	w.e.getJSON(&ps, "promotions", "--project", "seed")
	out := map[string]workflows.PromotionRecord{}
	for _, p := range ps {
		out[p.Name] = p
	}
	return out
}

// figure logs a measured figure and prints it on standard output.
func (w *seedWorld) figure(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	w.t.Log("FIGURE " + msg)
	fmt.Println("seed figure: " + msg)
	w.figures = append(w.figures, msg)
}
