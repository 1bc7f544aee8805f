package railyard

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestInflateSteps(t *testing.T) {
	task := PromotionTask{Name: "deploy", Kind: KindPromotionTask, Spec: PromotionTaskSpec{
		Vars: []ExpressionVar{{Name: "repo"}, {Name: "branch", Value: "main"}, {Name: "env", Value: "dev"}},
		Steps: []PromotionStep{
			{Uses: "git-clone", Config: json.RawMessage(`{"repoURL":"${{ vars.repo }}"}`)},
			{Uses: "compose-output", As: "out", Vars: []ExpressionVar{{Name: "env", Value: "own"}}},
		},
	}}
	cluster := PromotionTask{Name: "deploy", Kind: KindClusterPromotionTask, Spec: PromotionTaskSpec{
		Steps: []PromotionStep{{Uses: "fail"}},
	}}
	lookup := func(ref TaskRef) (PromotionTask, bool) {
		for _, t := range []PromotionTask{task, cluster} {
			if t.Name == ref.Name && t.Kind == taskKind(ref) {
				return t, true
			}
		}
		return PromotionTask{}, false
	}
	ref := func(as string, vars ...ExpressionVar) PromotionStep {
		return PromotionStep{As: as, Task: &TaskRef{Name: "deploy"}, Vars: vars}
	}
	aliases := func(steps []PromotionStep) []string {
		var out []string
		for _, s := range steps {
			out = append(out, s.As)
		}
		return out
	}
	tests := []struct {
		name        string
		tmpl        PromotionTemplateSpec
		wantAliases []string
		wantVars    map[string][]ExpressionVar // alias → vars
		wantErr     string
	}{
		{name: "plain steps get default aliases",
			tmpl:        PromotionTemplateSpec{Steps: []PromotionStep{{Uses: "git-clone"}, {Uses: "git-push", As: "push"}}},
			wantAliases: []string{"step-0", "push"}},
		{name: "task steps are namespaced",
			tmpl: PromotionTemplateSpec{Steps: []PromotionStep{{Uses: "git-clear"},
				ref("", ExpressionVar{Name: "repo", Value: "https://x"})}},
			wantAliases: []string{"step-0", "task-1::step-0", "task-1::out"},
			wantVars: map[string][]ExpressionVar{
				"task-1::step-0": {{Name: "branch", Value: "main"}, {Name: "env", Value: "dev"}, {Name: "repo", Value: "https://x"}},
				"task-1::out": {{Name: "branch", Value: "main"}, {Name: "env", Value: "dev"}, {Name: "repo", Value: "https://x"},
					{Name: "env", Value: "own"}},
			}},
		{name: "explicit task alias and input overriding a default",
			tmpl: PromotionTemplateSpec{Steps: []PromotionStep{ref("d",
				ExpressionVar{Name: "repo", Value: "r"}, ExpressionVar{Name: "branch", Value: "dev"})}},
			wantAliases: []string{"d::step-0", "d::out"},
			wantVars: map[string][]ExpressionVar{"d::step-0": {{Name: "branch", Value: "main"}, {Name: "env", Value: "dev"},
				{Name: "repo", Value: "r"}, {Name: "branch", Value: "dev"}}}},
		{name: "template var satisfies a required var and replaces the default",
			tmpl: PromotionTemplateSpec{Vars: []ExpressionVar{{Name: "repo", Value: "g"}, {Name: "env", Value: "prod"}},
				Steps: []PromotionStep{ref("d")}},
			wantAliases: []string{"d::step-0", "d::out"},
			wantVars:    map[string][]ExpressionVar{"d::step-0": {{Name: "branch", Value: "main"}}}},
		{name: "cluster task", tmpl: PromotionTemplateSpec{Steps: []PromotionStep{
			{Task: &TaskRef{Name: "deploy", Kind: KindClusterPromotionTask}}}},
			wantAliases: []string{"task-0::step-0"}},
		{name: "missing required var", tmpl: PromotionTemplateSpec{Steps: []PromotionStep{ref("d")}},
			wantErr: `steps[0]: task "deploy": var "repo" has no default and no value`},
		{name: "unknown task", tmpl: PromotionTemplateSpec{Steps: []PromotionStep{{Task: &TaskRef{Name: "nope"}}}},
			wantErr: `PromotionTask "nope": not found`},
		{name: "task reference with config", tmpl: PromotionTemplateSpec{Steps: []PromotionStep{
			{Task: &TaskRef{Name: "deploy"}, If: "${{ true }}"}}},
			wantErr: "may not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := InflateSteps(tc.tmpl, lookup)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a := aliases(got); !reflect.DeepEqual(a, tc.wantAliases) {
				t.Errorf("aliases = %v, want %v", a, tc.wantAliases)
			}
			for _, s := range got {
				if want, ok := tc.wantVars[s.As]; ok && !reflect.DeepEqual(s.Vars, want) {
					t.Errorf("%s vars = %v, want %v", s.As, s.Vars, want)
				}
				if s.Task != nil {
					t.Errorf("%s still references a task", s.As)
				}
			}
		})
	}
}

func TestInflateStepsReportsEveryProblem(t *testing.T) {
	tmpl := PromotionTemplateSpec{Steps: []PromotionStep{{Task: &TaskRef{Name: "a"}}, {Task: &TaskRef{Name: "b"}}}}
	_, err := InflateSteps(tmpl, func(TaskRef) (PromotionTask, bool) { return PromotionTask{}, false })
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"a"`) || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("err = %v", err)
	}
}

func TestInflateStepsDoesNotShareVars(t *testing.T) {
	task := PromotionTask{Name: "t", Kind: KindPromotionTask, Spec: PromotionTaskSpec{
		Vars:  []ExpressionVar{{Name: "a", Value: "1"}},
		Steps: []PromotionStep{{Uses: "x"}, {Uses: "y"}},
	}}
	steps, err := InflateSteps(PromotionTemplateSpec{Steps: []PromotionStep{{Task: &TaskRef{Name: "t"}}}},
		func(TaskRef) (PromotionTask, bool) { return task, true })
	if err != nil {
		t.Fatal(err)
	}
	steps[0].Vars[0].Value = "changed"
	if steps[1].Vars[0].Value != "1" {
		t.Error("inflated steps share their vars slice")
	}
}
