package workflows

import (
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// fuzzMessage is one signal or update a workflow receives, with the Go type
// its handler decodes the payload into.
type fuzzMessage struct {
	workflow string // ProjectWorkflowType, PipelineWorkflowType or StageWorkflowType
	name     string
	update   bool
	arg      reflect.Type // an update's argument; signals arrive as json.RawMessage
	decode   func(json.RawMessage) error
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

func decodeAs[T any](raw json.RawMessage) error { _, err := decode[T](raw); return err }

func ignored(json.RawMessage) error { return nil }

// fuzzMessages lists every message registered in this package: the
// SetUpdateHandler and GetSignalChannel calls of project.go, pipeline.go,
// pipeline_manual.go and stage.go (TestFuzzMessagesAreAllRegistered keeps
// the list complete).
var fuzzMessages = []fuzzMessage{
	{ProjectWorkflowType, UpdateApply, true, typeOf[railyard.Resources](), nil},
	{ProjectWorkflowType, SignalReceivers, false, nil, decodeAs[[]railyard.WebhookReceiverStatus]},
	{PipelineWorkflowType, SignalConfigure, false, nil, decodeAs[PipelineConfig]},
	{PipelineWorkflowType, SignalRetire, false, nil, ignored},
	{PipelineWorkflowType, SignalRefresh, false, nil, ignored},
	{PipelineWorkflowType, SignalPromote, false, nil, decodeAs[PromoteRequest]},
	{PipelineWorkflowType, SignalApprove, false, nil, decodeAs[ApproveRequest]},
	{PipelineWorkflowType, SignalStageEvent, false, nil, decodeAs[StageEvent]},
	{PipelineWorkflowType, UpdatePromote, true, typeOf[PromoteRequest](), nil},
	{PipelineWorkflowType, UpdateApprove, true, typeOf[ApproveRequest](), nil},
	{PipelineWorkflowType, UpdateCreateFreight, true, typeOf[railyard.Freight](), nil},
	{PipelineWorkflowType, UpdateAlias, true, typeOf[AliasRequest](), nil},
	{StageWorkflowType, SignalConfigure, false, nil, decodeAs[StageConfig]},
	{StageWorkflowType, SignalRetire, false, nil, ignored},
	{StageWorkflowType, SignalRequest, false, nil, decodeAs[railyard.PromotionRequest]},
	{StageWorkflowType, SignalUpstream, false, nil, decodeAs[UpstreamEvent]},
	{StageWorkflowType, UpdateVerify, true, typeOf[VerifyRequest](), nil},
	{StageWorkflowType, UpdatePromoteFrom, true, typeOf[PromoteCollectionRequest](), nil},
	{StageWorkflowType, UpdateAbort, true, typeOf[AbortRequest](), nil},
}

// clientPayload is a message argument as any client (the CLI, the
// dashboard, `temporal workflow signal --input`) sends it.
func clientPayload(data []byte) *commonpb.Payload {
	return &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(converter.MetadataEncodingJSON)},
		Data: data}
}

// FuzzWorkflowMessages sends arbitrary JSON as every signal and update to
// a configured workflow holding Freight, promotions and upstream state.
// The payload is decoded as the SDK and the handlers decode it; what does
// not decode is rejected with a message; what decodes is validated and
// handled by the real workflow, which must never fail (a panic in a
// handler would block the workflow), must answer each update exactly once
// and must record each rejected signal with its reason.
func FuzzWorkflowMessages(f *testing.F) {
	for i, m := range fuzzMessages {
		for _, s := range messageSeeds(m) {
			f.Add(uint8(i), []byte(s))
		}
	}
	dc := converter.GetDefaultDataConverter()
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m := fuzzMessages[int(which)%len(fuzzMessages)]
		p := clientPayload(data)
		if m.update {
			if err := dc.FromPayload(p, reflect.New(m.arg).Interface()); err != nil {
				requireMessage(t, err) // the SDK rejects the update with it
				return
			}
		} else {
			var raw json.RawMessage
			if err := dc.FromPayload(p, &raw); err != nil {
				requireMessage(t, err) // the SDK drops the corrupt signal
				return
			}
			if err := m.decode(raw); err != nil {
				requireMessage(t, err)
			}
		}
		runMessage(t, m, json.RawMessage(data))
	})
}

func requireMessage(t *testing.T, err error) {
	t.Helper()
	if strings.TrimSpace(err.Error()) == "" {
		t.Fatalf("rejection without a message: %#v", err)
	}
}

// messageSeeds are well-formed and malformed payloads of m, naming the
// fixture's stages and Freight.
func messageSeeds(m fuzzMessage) []string {
	seeds := []string{`null`, `{}`, `{"stage": 5}`, `{`}
	switch m.name {
	case UpdateApply:
		seeds = append(seeds, `{"project":"p"}`, `{"project":"p","warehouses":[{"metadata":{"name":"app"}}]}`,
			`{"project":"p","stages":[{"name":"dev","spec":{"requestedFreight":[{"origin":{"kind":"Warehouse","name":"app"},"sources":{"direct":true}}],"promotionTemplate":{"spec":{"steps":[{"task":{"name":"t"}}]}}}}]}`)
	case SignalReceivers:
		seeds = append(seeds, `[{"receiver":"gh","url":"http://x/y"}]`, `[null]`)
	case SignalConfigure:
		b, _ := json.Marshal(fuzzPipelineConfig())
		s, _ := json.Marshal(fuzzStageConfig())
		seeds = append(seeds, string(b), string(s), `{"generation":99,"route":[{"stage":""}]}`)
	case SignalPromote, SignalApprove: // the update names are the same
		seeds = append(seeds, `{"stage":"dev","freight":"`+fuzzFreightID+`"}`, `{"stage":"uat","freight":"`+fuzzFreightID+`"}`,
			`{"stage":"prod","freight":"x"}`, `{"stage":"dev","freight":""}`)
	case SignalStageEvent, SignalUpstream:
		seeds = append(seeds, `{"stage":"dev","collection":{"items":{"images":{"id":"i1","origin":{"kind":"Warehouse","name":"images"}}}},"verified":true}`,
			`{"stage":"dev","collection":{"items":{"":{}}},"verified":true,"aliases":{"x":"y"}}`)
	case UpdateCreateFreight:
		seeds = append(seeds, `{"commits":[{"repoURL":"http://git/app.git","id":"bbb"}]}`, `{"commits":[{"repoURL":"http://git/app.git"}]}`,
			`{"alias":"BAD ALIAS","commits":[{"repoURL":"http://git/app.git","id":"ccc"}]}`)
	case UpdateAlias:
		seeds = append(seeds, `{"freight":"`+fuzzFreightID+`","alias":"new-name"}`, `{"freight":"`+fuzzFreightID+`","alias":""}`)
	case SignalRequest:
		seeds = append(seeds, `{"name":"p9","targets":[{"id":"i2","origin":{"kind":"Warehouse","name":"images"}}]}`, `{"name":"p9","targets":[]}`,
			`{"targets":[{"id":"","origin":{"kind":"","name":""}}]}`)
	case UpdateVerify:
		seeds = append(seeds, `{"abort":true}`, `{"actor":"a"}`)
	case UpdatePromoteFrom:
		seeds = append(seeds, `{"from":"dev"}`, `{"from":""}`)
	case UpdateAbort:
		seeds = append(seeds, `{"promotion":"p2"}`, `{"promotion":""}`)
	}
	return seeds
}

// TestFuzzMessagesAreAllRegistered: every message name the package declares
// for Project, Pipeline and Stage is in fuzzMessages.
func TestFuzzMessagesAreAllRegistered(t *testing.T) {
	names := map[string]bool{}
	for _, m := range fuzzMessages {
		names[m.name] = true
	}
	for _, n := range []string{UpdateApply, UpdatePromote, SignalPromote, UpdateApprove, SignalApprove, SignalRefresh,
		SignalReceivers, UpdateCreateFreight, UpdateAlias, SignalConfigure, SignalRetire, SignalRequest,
		SignalStageEvent, SignalUpstream, UpdateVerify, UpdatePromoteFrom, UpdateAbort} {
		if !names[n] {
			t.Errorf("message %q is not fuzzed", n)
		}
	}
}

// TestFuzzFixtures: the fixture states are what the fuzz target needs, so
// that well-formed updates are accepted and the handlers run.
func TestFuzzFixtures(t *testing.T) {
	for _, tc := range []struct {
		workflow, name, payload string
		accepted                bool
	}{
		{PipelineWorkflowType, UpdatePromote, `{"stage":"dev","freight":"` + fuzzFreightID + `"}`, true},
		{PipelineWorkflowType, UpdatePromote, `{"stage":"uat","freight":"` + fuzzFreightID + `"}`, false},
		{PipelineWorkflowType, UpdateApprove, `{"stage":"uat","freight":"` + fuzzFreightID + `"}`, true},
		{PipelineWorkflowType, UpdateAlias, `{"freight":"` + fuzzFreightID + `","alias":"new-name"}`, true},
		{PipelineWorkflowType, UpdateCreateFreight, `{"commits":[{"repoURL":"http://git/app.git","id":"bbb"}]}`, true},
		{StageWorkflowType, UpdateAbort, `{"promotion":"p2"}`, true},
		{StageWorkflowType, UpdateAbort, `{"promotion":"p3"}`, false},
		{StageWorkflowType, UpdatePromoteFrom, `{"from":"dev"}`, true},
		{ProjectWorkflowType, UpdateApply, `{"project":"p"}`, true},
		{ProjectWorkflowType, UpdateApply, `{"project":"q"}`, false},
	} {
		t.Run(tc.name+" "+tc.payload, func(t *testing.T) {
			i := slices.IndexFunc(fuzzMessages, func(m fuzzMessage) bool {
				return m.workflow == tc.workflow && m.name == tc.name && m.update
			})
			u := runMessage(t, fuzzMessages[i], json.RawMessage(tc.payload))
			if got := u.accepted == 1; got != tc.accepted {
				t.Errorf("accepted = %t, want %t", got, tc.accepted)
			}
		})
	}
}

// fuzzUpdate checks that an update is answered once: rejected with a
// message, or accepted and then completed.
type fuzzUpdate struct {
	t                            *testing.T
	rejected, accepted, complete int
}

func (u *fuzzUpdate) Accept() { u.accepted++ }
func (u *fuzzUpdate) Reject(err error) {
	u.rejected++
	requireMessage(u.t, err)
}
func (u *fuzzUpdate) Complete(any, error) { u.complete++ }

func (u *fuzzUpdate) check(name string) {
	u.t.Helper()
	if u.rejected+u.accepted != 1 || u.complete != u.accepted {
		u.t.Fatalf("update %s answered %d rejections, %d acceptances, %d completions", name, u.rejected, u.accepted, u.complete)
	}
}

func quietEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	// Workflow code that spins is still caught, but a loaded machine (the
	// fuzzer keeps every core busy) is not taken for a deadlock.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 5 * time.Second})
	env.SetTestTimeout(time.Minute)
	RegisterWorkflows(env)
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).Return(nil)
	return env
}

// runMessage runs m's workflow from the fixture state, delivers the payload
// at 10s, reads the rejections at 20s and cancels the workflow at 30s.
func runMessage(t *testing.T, m fuzzMessage, payload json.RawMessage) *fuzzUpdate {
	env := quietEnv()
	var start func()
	switch m.workflow {
	case ProjectWorkflowType:
		start = func() { env.ExecuteWorkflow(Project, ProjectState{Project: "p"}) }
		env.OnActivity(acts.EnsureEntity, mock.Anything, mock.Anything).Return(nil)
	case PipelineWorkflowType:
		start = fuzzPipeline(env)
	case StageWorkflowType:
		start = fuzzStage(env)
	}
	u := &fuzzUpdate{t: t}
	env.RegisterDelayedCallback(func() {
		if m.update {
			env.UpdateWorkflow(m.name, "fuzz", u, payload)
		} else {
			env.SignalWorkflow(m.name, payload)
		}
	}, 10*time.Second)
	env.RegisterDelayedCallback(func() {
		checkRejections(t, env, m)
		if m.workflow == PipelineWorkflowType && !env.IsWorkflowCompleted() {
			checkFreight(t, queryFreight(t, env))
		}
	}, 20*time.Second)
	var cancel func()
	waits := 0
	cancel = func() { // once the update has completed
		if u.accepted > u.complete && waits < 20 {
			waits++
			env.RegisterDelayedCallback(cancel, 30*time.Second)
			return
		}
		env.CancelWorkflow()
	}
	env.RegisterDelayedCallback(cancel, 30*time.Second)
	start()
	var canceled *temporal.CanceledError
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); err != nil && !errors.As(err, &canceled) && !errors.As(err, &can) {
		t.Fatalf("%s workflow failed after %s %s: %v", m.workflow, m.name, payload, err)
	}
	if m.update {
		u.check(m.name)
	}
	return u
}

// checkRejections: every signal a Pipeline or Stage could not act on is
// recorded with the signal's name and a reason.
func checkRejections(t *testing.T, env *testsuite.TestWorkflowEnvironment, m fuzzMessage) {
	if m.workflow == ProjectWorkflowType || env.IsWorkflowCompleted() {
		return
	}
	v, err := env.QueryWorkflow(QueryStatus)
	if err != nil {
		t.Fatalf("query after %s: %v", m.name, err)
	}
	var st struct {
		Rejected []Rejection `json:"rejected"`
	}
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Rejected {
		if r.Signal == "" || strings.TrimSpace(r.Reason) == "" {
			t.Fatalf("rejection without signal or reason: %+v", r)
		}
	}
}

// checkFreight: a Pipeline's Freight have distinct IDs and distinct valid
// aliases, whatever it was told.
func checkFreight(t *testing.T, fs []railyard.Freight) {
	t.Helper()
	ids, aliases := map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		if err := railyard.ValidAlias(f.Alias); err != nil {
			t.Fatalf("freight %s has an invalid alias: %v", f.ID, err)
		}
		if ids[f.ID] || aliases[f.Alias] {
			t.Fatalf("freight %s (%s) is not unique", f.ID, f.Alias)
		}
		ids[f.ID], aliases[f.Alias] = true, true
	}
}

const fuzzFreightID = "5deb771a0244b4e2c86c5be807cfd0e057329ad6" // commits("aaa") of testConfig's warehouse

func fuzzPipelineConfig() PipelineConfig { return testConfig() }

// fuzzPipeline configures a Pipeline that discovers one Freight.
func fuzzPipeline(env *testsuite.TestWorkflowEnvironment) func() {
	env.OnActivity(acts.Discover, mock.Anything, mock.Anything).Return(commits("aaa"), nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, fuzzPipelineConfig()) }, 0)
	return func() { env.ExecuteWorkflow(Pipeline, PipelineState{Project: "p", Warehouse: "app"}) }
}

func fuzzStageConfig() StageConfig { return testStageConfig(false) }

// fuzzStage configures a Stage whose upstream dev holds verified Freight,
// that runs promotion p1 (a minute long) and has p2 queued.
func fuzzStage(env *testsuite.TestWorkflowEnvironment) func() {
	env.OnWorkflow(Promotion, mock.Anything, mock.Anything).Return(succeed(time.Minute))
	up := UpstreamEvent{Stage: "dev", Verified: true,
		Collection: railyard.NewCollection(ref("i1", "images"), ref("c1", "config"))}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, fuzzStageConfig()) }, 0)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalUpstream, up)
		env.SignalWorkflow(SignalRequest, req(false, "p1", ref("i1", "images")))
		env.SignalWorkflow(SignalRequest, req(false, "p2", ref("c1", "config")))
	}, time.Second)
	return func() { env.ExecuteWorkflow(Stage, StageState{Project: "p", Stage: "uat"}) }
}
