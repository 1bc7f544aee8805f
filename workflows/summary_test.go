package workflows

import (
	"encoding/json"
	"testing"

	"github.com/railyard/railyard"
)

func TestStepSummary(t *testing.T) {
	env := summaryEnv{Project: "demo", Stage: "uat",
		Vars: []railyard.ExpressionVar{{Name: "gitops", Value: "https://git.example.com/gitops.git"},
			{Name: "computed", Value: "${{ ctx.stage }}-x"}},
		Collection: railyard.NewCollection(railyard.FreightRef{ID: "f", Origin: railyard.WarehouseOrigin("images"),
			Images: []railyard.Image{{RepoURL: "registry.example.com/team/app", Tag: "1.2.3"}}})}
	cases := []struct {
		uses, config, want string
	}{
		{"git-push", `{"path":"./out","targetBranch":"stage/${{ ctx.stage }}"}`, "git-push stage/uat"},
		{"git-clone", `{"repoURL":"${{ vars.gitops }}","checkout":[]}`, "git-clone https://git.example.com/gitops.git"},
		{"git-clone", `{"repoURL":"${{ vars.computed }}"}`, "git-clone ${{ vars.computed }}"},
		{"kustomize-set-image", `{"path":"stages/${{ ctx.stage }}"}`, "kustomize-set-image stages/uat app:1.2.3"},
		{"kustomize-set-image", `{"path":"./out","images":[{"image":"nginx","tag":"1.27"}]}`, "kustomize-set-image ./out nginx:1.27"},
		{"fail", `{"message":"x"}`, "fail"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			step := railyard.PromotionStep{Uses: tc.uses, Config: json.RawMessage(tc.config)}
			if got := stepSummary(step, env); got != tc.want {
				t.Errorf("stepSummary = %q, want %q", got, tc.want)
			}
		})
	}
}
