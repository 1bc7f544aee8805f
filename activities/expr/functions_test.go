package expr

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func testFreight() Freight {
	app := railyard.FreightRef{ID: "f1", Alias: "brave-fox", Origin: railyard.WarehouseOrigin("app"),
		Images:  []railyard.Image{{RepoURL: "ghcr.io/acme/app", Tag: "1.2.0", Digest: "sha256:aa"}},
		Commits: []railyard.GitCommit{{RepoURL: "https://git.example/acme/config.git", ID: "c0ffee", Branch: "main"}},
	}
	cfg := railyard.FreightRef{ID: "f2", Origin: railyard.WarehouseOrigin("cfg"),
		Commits: []railyard.GitCommit{{RepoURL: "https://git.example/acme/config", ID: "beef"}},
		Charts: []railyard.Chart{
			{RepoURL: "https://charts.example", Name: "db", Version: "2.0.0"},
			{RepoURL: "oci://reg.example/charts/cache", Version: "0.3.0"},
		},
	}
	wh := func(name string, subs ...railyard.Subscription) railyard.Warehouse {
		return railyard.Warehouse{Name: name, Spec: railyard.WarehouseSpec{Subscriptions: subs}}
	}
	return Freight{
		Collection: railyard.NewCollection(app, cfg),
		Requested:  []railyard.FreightOrigin{railyard.WarehouseOrigin("app"), railyard.WarehouseOrigin("cfg"), railyard.WarehouseOrigin("empty")},
		Warehouses: []railyard.Warehouse{
			wh("app", railyard.Subscription{Image: &railyard.ImageSubscription{RepoURL: "ghcr.io/acme/app"}},
				railyard.Subscription{Git: &railyard.GitSubscription{RepoURL: "https://git.example/acme/config.git"}}),
			wh("cfg", railyard.Subscription{Git: &railyard.GitSubscription{RepoURL: "https://GIT.example/acme/config/"}},
				railyard.Subscription{Chart: &railyard.ChartSubscription{RepoURL: "https://charts.example", Name: "db"}},
				railyard.Subscription{Chart: &railyard.ChartSubscription{RepoURL: "oci://reg.example/charts/cache"}}),
			wh("empty", railyard.Subscription{Image: &railyard.ImageSubscription{RepoURL: "ghcr.io/acme/other"}}),
		},
	}
}

func TestFreightFunctions(t *testing.T) {
	e := New(nil, FreightFunctions(testFreight()))
	tests := []struct {
		name    string
		code    string
		want    any
		wantErr string
	}{
		{"warehouse", `warehouse("app")`, railyard.FreightOrigin{Kind: "Warehouse", Name: "app"}, ""},
		{"warehouse fields", `warehouse("app").Name + "/" + warehouse("app").Kind`, "app/Warehouse", ""},
		{"warehouse empty", `warehouse("")`, nil, "must not be empty"},
		{"imageFrom tag", `imageFrom("ghcr.io/acme/app").Tag`, "1.2.0", ""},
		{"imageFrom digest", `imageFrom("ghcr.io/acme/app").Digest`, "sha256:aa", ""},
		{"imageFrom repo", `imageFrom("ghcr.io/acme/app", warehouse("app")).RepoURL`, "ghcr.io/acme/app", ""},
		{"imageFrom missing is nil", `imageFrom("ghcr.io/acme/nope") == nil`, true, ""},
		{"imageFrom subscribed but not in collection", `imageFrom("ghcr.io/acme/other") == nil`, true, ""},
		{"imageFrom optional chaining", `imageFrom("ghcr.io/acme/nope")?.Tag ?? "none"`, "none", ""},
		{"imageFrom wrong origin", `imageFrom("ghcr.io/acme/app", warehouse("cfg")) == nil`, true, ""},
		{"commitFrom ambiguous", `commitFrom("https://git.example/acme/config")`, nil, "ambiguous"},
		{"commitFrom disambiguated", `commitFrom("https://git.example/acme/config", warehouse("cfg")).ID`, "beef", ""},
		{"commitFrom normalised url", `commitFrom("https://git.example/acme/config.git", warehouse("app")).Branch`, "main", ""},
		{"chartFrom by name", `chartFrom("https://charts.example", "db").Version`, "2.0.0", ""},
		{"chartFrom name and origin", `chartFrom("https://charts.example", "db", warehouse("cfg")).Name`, "db", ""},
		{"chartFrom oci", `chartFrom("oci://reg.example/charts/cache").Version`, "0.3.0", ""},
		{"chartFrom oci with origin", `chartFrom("oci://reg.example/charts/cache", warehouse("cfg")).Version`, "0.3.0", ""},
		{"chartFrom without name misses named chart", `chartFrom("https://charts.example") == nil`, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Eval(tc.code, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
}

func TestFreightFunctionsWithoutSpecs(t *testing.T) {
	f := testFreight()
	f.Warehouses, f.Requested = nil, nil
	e := New(nil, FreightFunctions(f))
	if got, err := e.Template(`${{ imageFrom("ghcr.io/acme/app").Tag }}`); err != nil || got != "1.2.0" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := e.Eval(`commitFrom("https://git.example/acme/config")`, nil); !errors.Is(err, railyard.ErrAmbiguous) {
		t.Errorf("err = %v, want ambiguous", err)
	}
	got, err := e.Template(`${{ imageFrom("ghcr.io/acme/app") }}`)
	want := map[string]any{"repoURL": "ghcr.io/acme/app", "tag": "1.2.0", "digest": "sha256:aa"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("object renders with JSON names: %#v, %v", got, err)
	}
}

func TestStatusFunctions(t *testing.T) {
	steps := []railyard.StepState{
		{Alias: "clone", Status: "Succeeded"},
		{Alias: "flaky", Status: "Errored", ContinueOnError: true},
		{Alias: "t::a", Status: "Skipped"},
	}
	tests := []struct {
		name    string
		current string
		steps   []railyard.StepState
		code    string
		want    any
	}{
		{"always", "x", nil, "always()", true},
		{"success ignores continueOnError", "x", steps, "success()", true},
		{"failure ignores continueOnError", "x", steps, "failure()", false},
		{"failure", "x", append(steps, railyard.StepState{Alias: "push", Status: "Failed"}), "failure()", true},
		{"success after error", "x", []railyard.StepState{{Alias: "a", Status: "Errored"}}, "success()", false},
		{"status", "x", steps, `status("clone")`, "Succeeded"},
		{"status unknown", "x", steps, `status("nope")`, ""},
		{"status in task resolves sibling", "t::b", steps, `status("a")`, "Skipped"},
		{"status in task does not see outside", "t::b", steps, `status("clone")`, ""},
		{"status outside task needs full alias", "x", steps, `status("t::a")`, "Skipped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := New(nil, StatusFunctions(tc.current, tc.steps)).Eval(tc.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
}

func TestSemver(t *testing.T) {
	tests := []struct {
		code string
		want any
	}{
		{`semverDiff("1.0.0", "2.0.0")`, "Major"},
		{`semverDiff("v1.1.0", "1.2.0")`, "Minor"},
		{`semverDiff("1.2.3", "1.2.4")`, "Patch"},
		{`semverDiff("1.2.3+a", "1.2.3+b")`, "Metadata"},
		{`semverDiff("1.2.3", "v1.2.3")`, "None"},
		{`semverDiff("1.2.3", "latest")`, "Incomparable"},
		{`semverParse("1.2.3").Major()`, uint64(1)},
		{`semverParse("v1.2.3-rc.1").Prerelease()`, "rc.1"},
		{`semverParse("1.2.3").IncMinor().String()`, "1.3.0"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			got, err := New(nil).Eval(tc.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
}

func TestSecret(t *testing.T) {
	src := StaticSecrets{"p": {"slack": {"token": "s3cr3t"}}, "": {"org": {"owner": "platform"}}}
	tests := []struct {
		name string
		src  SecretSource
		code string
		want any
	}{
		{"value", src, `secret("slack").token`, "s3cr3t"},
		{"missing secret is empty", src, `len(secret("nope"))`, 0},
		{"missing key is empty", src, `secret("slack").nope`, ""},
		{"nil source", nil, `len(secret("slack"))`, 0},
		{"shared", src, `sharedSecret("org").owner`, "platform"},
		{"shared does not read the project", src, `len(sharedSecret("slack"))`, 0},
		{"nil source shared", nil, `len(sharedSecret("org"))`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := New(nil, SecretFunction(context.Background(), tc.src, "p")).Eval(tc.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
}

func TestPromotionEnv(t *testing.T) {
	c := PromotionContext{Project: "p", Stage: "uat", Promotion: "uat.01", Actor: "alice", StepAlias: "t::b", UIBaseURL: "http://ui.example",
		TargetFreight: railyard.FreightRef{ID: "abc", Alias: "brave-fox", Origin: railyard.WarehouseOrigin("app")}}
	outputs := map[string]map[string]any{"clone": {"commit": "x"}, "t::a": {"v": 1}, "u::a": {"v": 2}}
	e := New(PromotionEnv(c, map[string]any{"x": "y"}, outputs))
	tests := []struct {
		code string
		want any
	}{
		{"ctx.project + ctx.stage + ctx.promotion", "puatuat.01"},
		{"ctx.targetFreight.name", "abc"},
		{"ctx.targetFreight.alias", "brave-fox"},
		{"ctx.targetFreight.origin.name", "app"},
		{"ctx.meta.promotion.actor", "alice"},
		{"ctx.meta.step.alias", "t::b"},
		{"ctx.uiBaseUrl", "http://ui.example"},
		{"vars.x", "y"},
		{"outputs.clone.commit", "x"},
		{"outputs['t::a'].v", 1},
		{"task.outputs.a.v", 1},
		{"len(task.outputs)", 1},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			got, err := e.Eval(tc.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
	noOutputs := New(PromotionEnv(PromotionContext{}, nil, nil))
	if got, _ := noOutputs.Eval("outputs == nil && task == nil", nil); got != true {
		t.Error("global vars must not see outputs")
	}
}
