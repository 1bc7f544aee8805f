package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// scaleSpec sizes a scale run: warehouses spread over repos (each repository
// is subscribed by warehouses/repos warehouses, one path each) and over
// projects (in consecutive blocks).
type scaleSpec struct {
	warehouses int
	repos      int
	projects   int
	interval   time.Duration // each Warehouse's discovery interval; 1h when 0
}

// pollInterval is the Warehouses' interval.
func (s scaleSpec) pollInterval() time.Duration {
	if s.interval == 0 {
		return time.Hour
	}
	return s.interval
}

// project is the project of warehouse i: "scale", or "scale-<k>" when the
// warehouses are split over several projects.
func (s scaleSpec) project(i int) string {
	if s.projects <= 1 {
		return "scale"
	}
	return fmt.Sprintf("scale-%d", i*s.projects/s.warehouses)
}

func (s scaleSpec) pipelineID(i int) string {
	return railyard.PipelineWorkflowID(s.project(i), s.warehouse(i))
}

func (s scaleSpec) stageID(i int, tier string) string {
	return railyard.StageWorkflowID(s.project(i), s.warehouse(i)+"-"+tier)
}

func (s scaleSpec) warehouse(i int) string { return fmt.Sprintf("w%03d", i) }

// repoOf and pathOf place warehouse i: repository i%repos, path app-<i/repos>.
func (s scaleSpec) repoOf(i int) string { return fmt.Sprintf("src%02d", i%s.repos) }
func (s scaleSpec) pathOf(i int) string { return fmt.Sprintf("app-%02d", i/s.repos) }

// createRepos creates the repositories, each with one commit per path, so
// that every warehouse's includePaths match exactly one commit: one Freight.
func (s scaleSpec) createRepos(tb testing.TB, git *testenv.GitServer) map[string]string {
	tb.Helper()
	urls := map[string]string{}
	for i := 0; i < s.warehouses; i++ {
		repo := s.repoOf(i)
		if _, ok := urls[repo]; !ok {
			urls[repo] = git.CreateRepo(tb, repo)
		}
		file := s.pathOf(i) + "/values.yaml"
		git.Commit(tb, repo, "main", map[string]string{file: "app: " + s.warehouse(i) + "\n"}, "add "+file)
	}
	return urls
}

const scaleHeader = `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata:
  name: %s
`

// scalePolicy auto-promotes into every dev and uat stage.
const scalePolicy = `apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata:
  name: %[1]s
  namespace: %[1]s
spec:
  promotionPolicies:
  - stageSelector:
      name: glob:*-dev
    autoPromotionEnabled: true
  - stageSelector:
      name: glob:*-uat
    autoPromotionEnabled: true
`

const scaleWarehouse = `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: %s
  namespace: %s
spec:
  interval: %s
  subscriptions:
  - git:
      repoURL: %s
      branch: main
      includePaths:
      - %s
`

// scaleStage has one cheap but real step: a file written into the
// promotion's workspace (no git, to measure Railyard rather than git).
const scaleStage = `---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: %s
  namespace: %s
spec:
  requestedFreight:
  - origin:
      kind: Warehouse
      name: %s
    sources:
      %s
  promotionTemplate:
    spec:
      steps:
      - uses: file-write
        config:
          path: ./${{ ctx.stage }}.txt
          contents: ${{ ctx.targetFreight.alias }}
`

// manifests returns each project's manifests: per warehouse a chain
// dev → uat → prod. The ProjectConfig is apart: see policies.
func (s scaleSpec) manifests(urls map[string]string) map[string]string {
	texts := map[string]*strings.Builder{}
	for i := 0; i < s.warehouses; i++ {
		p, w := s.project(i), s.warehouse(i)
		b, ok := texts[p]
		if !ok {
			b = &strings.Builder{}
			texts[p] = b
			fmt.Fprintf(b, scaleHeader, p)
		}
		fmt.Fprintf(b, scaleWarehouse, w, p, s.pollInterval(), urls[s.repoOf(i)], s.pathOf(i))
		fmt.Fprintf(b, scaleStage, w+"-dev", p, w, "direct: true")
		fmt.Fprintf(b, scaleStage, w+"-uat", p, w, "stages: ["+w+"-dev]")
		fmt.Fprintf(b, scaleStage, w+"-prod", p, w, "stages: ["+w+"-uat]")
	}
	out := map[string]string{}
	for p, b := range texts {
		out[p] = b.String()
	}
	return out
}

// policies returns each project's ProjectConfig, auto-promoting glob:*-dev
// and glob:*-uat.
func (s scaleSpec) policies() map[string]string {
	out := map[string]string{}
	for i := 0; i < s.warehouses; i++ {
		out[s.project(i)] = fmt.Sprintf(scalePolicy, s.project(i))
	}
	return out
}

// sample picks n workflow IDs spread over the warehouses: their Pipelines,
// and their Stages cycling through the tiers.
func (s scaleSpec) sample(n int) (pipelines, stages []string) {
	tiers := []string{"dev", "uat", "prod"}
	for k := 0; k < n && k < s.warehouses; k++ {
		i := k * s.warehouses / n
		pipelines = append(pipelines, s.pipelineID(i))
		stages = append(stages, s.stageID(i, tiers[k%3]))
	}
	return pipelines, stages
}
