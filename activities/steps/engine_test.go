package steps

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

// echoRunner returns its evaluated config as output, or what fn says.
type echoRunner struct {
	name string
	fn   func(ctx context.Context, sc *Context, cfg map[string]any) (Result, error)
	seen *Context
}

func (r *echoRunner) Name() string { return r.name }

func (r *echoRunner) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	r.seen = sc
	var cfg map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return Result{}, err
		}
	}
	if r.fn != nil {
		return r.fn(ctx, sc, cfg)
	}
	return Succeeded(cfg), nil
}

func testRequest(step railyard.PromotionStep) StepRequest {
	app := railyard.FreightRef{ID: "f1", Alias: "brave-fox", Origin: railyard.WarehouseOrigin("app"),
		Images: []railyard.Image{{RepoURL: "ghcr.io/acme/app", Tag: "1.2.0"}}}
	return StepRequest{
		Step: step, Index: 3,
		Promotion: PromotionInfo{Project: "p", Stage: "uat", Name: "uat.01", Actor: "alice",
			WorkDir: "/tmp/none", TargetFreight: app, Collection: railyard.NewCollection(app)},
	}
}

func cfg(s string) json.RawMessage { return json.RawMessage(s) }

func TestEngineRun(t *testing.T) {
	fail := &echoRunner{name: "fail-ish", fn: func(context.Context, *Context, map[string]any) (Result, error) {
		return Result{Status: StatusFailed, Message: "nope"}, nil
	}}
	boom := &echoRunner{name: "boom", fn: func(context.Context, *Context, map[string]any) (Result, error) {
		return Result{}, errors.New("network down")
	}}
	bad := &echoRunner{name: "bad", fn: func(context.Context, *Context, map[string]any) (Result, error) {
		return Result{}, Terminal(errors.New("bad config"))
	}}
	poll := &echoRunner{name: "poll", fn: func(context.Context, *Context, map[string]any) (Result, error) {
		return Result{Status: StatusRunning, RetryAfter: 30 * time.Second}, nil
	}}
	reg := Registry{}.Add(&echoRunner{name: "echo"}, fail, boom, bad, poll, ComposeOutput{})
	failed := []StepState{{Alias: "a", Status: StatusFailed}}
	tolerated := []StepState{{Alias: "a", Status: StatusErrored, ContinueOnError: true}}

	tests := []struct {
		name     string
		step     railyard.PromotionStep
		mutate   func(*StepRequest)
		want     StepResponse
		wantMsg  string
		checkOut map[string]any
	}{
		{name: "default alias and config", step: railyard.PromotionStep{Uses: "echo", Config: cfg(`{"x":"${{ ctx.stage }}"}`)},
			want: StepResponse{Alias: "step-3", Status: StatusSucceeded, Output: map[string]any{"x": "uat"}}},
		{name: "skip after failure", step: railyard.PromotionStep{Uses: "echo", As: "b"},
			mutate: func(r *StepRequest) { r.Statuses = failed },
			want:   StepResponse{Alias: "b", Status: StatusSkipped}},
		{name: "continueOnError failure does not skip", step: railyard.PromotionStep{Uses: "echo", As: "b"},
			mutate: func(r *StepRequest) { r.Statuses = tolerated },
			want:   StepResponse{Alias: "b", Status: StatusSucceeded}},
		{name: "if failure runs after failure", step: railyard.PromotionStep{Uses: "echo", As: "b", If: "${{ failure() }}"},
			mutate: func(r *StepRequest) { r.Statuses = failed },
			want:   StepResponse{Alias: "b", Status: StatusSucceeded}},
		{name: "if false skips", step: railyard.PromotionStep{Uses: "echo", As: "b", If: "${{ vars.on == 'yes' }}"},
			mutate: func(r *StepRequest) { r.Vars = []railyard.ExpressionVar{{Name: "on", Value: "no"}} },
			want:   StepResponse{Alias: "b", Status: StatusSkipped}},
		{name: "if status()", step: railyard.PromotionStep{Uses: "echo", As: "b", If: "${{ status('a') == 'Failed' }}"},
			mutate: func(r *StepRequest) { r.Statuses = failed },
			want:   StepResponse{Alias: "b", Status: StatusSucceeded}},
		{name: "if not bool errors", step: railyard.PromotionStep{Uses: "echo", As: "b", If: "${{ 'x' }}"},
			want: StepResponse{Alias: "b", Status: StatusErrored, Terminal: true}, wantMsg: "evaluating if"},
		{name: "unknown step", step: railyard.PromotionStep{Uses: "frobnicate"},
			want: StepResponse{Alias: "step-3", Status: StatusErrored, Terminal: true}, wantMsg: "unknown step"},
		{name: "unsupported step", step: railyard.PromotionStep{Uses: "github-push"},
			want: StepResponse{Alias: "step-3", Status: StatusErrored, Terminal: true}, wantMsg: "not supported yet"},
		{name: "config error", step: railyard.PromotionStep{Uses: "echo", Config: cfg(`{"x":"${{ 1 + }}"}`)},
			want: StepResponse{Alias: "step-3", Status: StatusErrored, Terminal: true}, wantMsg: "evaluating config"},
		{name: "failed is terminal", step: railyard.PromotionStep{Uses: "fail-ish"},
			want: StepResponse{Alias: "step-3", Status: StatusFailed, Message: "nope", Terminal: true}},
		{name: "error is retryable", step: railyard.PromotionStep{Uses: "boom"},
			want: StepResponse{Alias: "step-3", Status: StatusErrored, Message: "network down"}},
		{name: "terminal error", step: railyard.PromotionStep{Uses: "bad"},
			want: StepResponse{Alias: "step-3", Status: StatusErrored, Message: "bad config", Terminal: true}},
		{name: "running polls", step: railyard.PromotionStep{Uses: "poll"},
			want: StepResponse{Alias: "step-3", Status: StatusRunning, RetryAfter: 30 * time.Second}},
		{name: "timeout elapsed", step: railyard.PromotionStep{Uses: "poll", Retry: &railyard.StepRetry{Timeout: "1m"}},
			mutate: func(r *StepRequest) { r.StartedAt = time.Now().Add(-2 * time.Minute) },
			want:   StepResponse{Alias: "step-3", Status: StatusErrored, Terminal: true}, wantMsg: "timed out after 1m0s"},
		{name: "vars precedence and outputs", step: railyard.PromotionStep{Uses: "echo",
			Vars:   []railyard.ExpressionVar{{Name: "b", Value: "${{ vars.a }}-${{ outputs.clone.commit }}"}},
			Config: cfg(`{"a":"${{ vars.a }}","b":"${{ vars.b }}","img":"${{ imageFrom('ghcr.io/acme/app').Tag }}"}`)},
			mutate: func(r *StepRequest) {
				r.Vars = []railyard.ExpressionVar{{Name: "a", Value: "stage"}, {Name: "a", Value: "tmpl-${{ ctx.stage }}"}}
				r.Outputs = map[string]map[string]any{"clone": {"commit": "abc"}}
			},
			want: StepResponse{Alias: "step-3", Status: StatusSucceeded,
				Output: map[string]any{"a": "tmpl-uat", "b": "tmpl-uat-abc", "img": "1.2.0"}}},
		{name: "global vars cannot see outputs", step: railyard.PromotionStep{Uses: "echo"},
			mutate: func(r *StepRequest) {
				r.Vars = []railyard.ExpressionVar{{Name: "a", Value: "${{ outputs.clone.commit }}"}}
				r.Outputs = map[string]map[string]any{"clone": {"commit": "abc"}}
			},
			want: StepResponse{Alias: "step-3", Status: StatusErrored, Terminal: true}, wantMsg: `var "a"`},
		{name: "task outputs", step: railyard.PromotionStep{Uses: "echo", As: "t::b",
			Config: cfg(`{"v":"${{ task.outputs.a.v }}"}`)},
			mutate: func(r *StepRequest) { r.Outputs = map[string]map[string]any{"t::a": {"v": "x"}} },
			want:   StepResponse{Alias: "t::b", Status: StatusSucceeded, Output: map[string]any{"v": "x"}}},
		{name: "compose-output in a task", step: railyard.PromotionStep{Uses: "compose-output", As: "t::out",
			Config: cfg(`{"v":"${{ 1 + 1 }}"}`)},
			want: StepResponse{Alias: "t::out", Status: StatusSucceeded, Output: map[string]any{"v": 2.0},
				TaskAlias: "t", TaskOutput: map[string]any{"v": 2.0}}},
	}
	e := &Engine{Registry: reg}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := testRequest(tc.step)
			if tc.mutate != nil {
				tc.mutate(&req)
			}
			got, err := e.Run(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantMsg != "" {
				if !strings.Contains(got.Message, tc.wantMsg) {
					t.Errorf("message %q does not contain %q", got.Message, tc.wantMsg)
				}
				got.Message = ""
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestEngineContextAndTimeout(t *testing.T) {
	slow := &echoRunner{name: "slow", fn: func(ctx context.Context, _ *Context, _ map[string]any) (Result, error) {
		<-ctx.Done()
		return Result{}, ctx.Err()
	}}
	echo := &echoRunner{name: "echo"}
	e := &Engine{Registry: Registry{}.Add(slow, echo), Secrets: expr.StaticSecrets{"p": {"s": {"k": "v"}}}}

	req := testRequest(railyard.PromotionStep{Uses: "slow", Retry: &railyard.StepRetry{Timeout: "50ms"}})
	got, _ := e.Run(context.Background(), req)
	if got.Status != StatusErrored || !got.Terminal || !strings.Contains(got.Message, "timed out") {
		t.Errorf("timeout: %+v", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, _ = e.Run(ctx, testRequest(railyard.PromotionStep{Uses: "slow"}))
	if got.Status != StatusAborted {
		t.Errorf("cancelled: %+v", got)
	}

	got, _ = e.Run(context.Background(), testRequest(railyard.PromotionStep{Uses: "echo", As: "x",
		Config: cfg(`{"token":"${{ secret('s').k }}"}`)}))
	if got.Output["token"] != "v" {
		t.Errorf("secret: %+v", got)
	}
	sc := echo.seen
	if sc.Alias != "x" || sc.Actor != "alice" || sc.Promotion != "uat.01" || sc.WorkDir != "/tmp/none" || sc.Creds == nil {
		t.Errorf("context: %+v", sc)
	}
}
