package railyard

import (
	"reflect"
	"testing"
	"time"
)

func qref(id, origin string) FreightRef { return FreightRef{ID: id, Origin: WarehouseOrigin(origin)} }

func auto(id, origin string) PromotionRequest {
	return PromotionRequest{Name: "auto-" + id, Targets: []FreightRef{qref(id, origin)}, Auto: true}
}

func manual(id, origin string) PromotionRequest {
	return PromotionRequest{Name: "manual-" + id, Targets: []FreightRef{qref(id, origin)}}
}

func ids(r PromotionRequest) []string {
	var out []string
	for _, t := range r.Targets {
		out = append(out, t.ID)
	}
	return out
}

func open(PromotionRequest) (string, string) { return "", "" }

func TestStageQueueNext(t *testing.T) {
	cases := []struct {
		name    string
		current Collection
		add     []PromotionRequest
		parked  []PromotionRequest
		want    []string // targets of the next promotion; nil: none
		left    int      // requests still queued or parked
	}{
		{name: "empty", want: nil},
		{name: "fifo: the first manual request goes alone",
			add: []PromotionRequest{manual("i1", "images"), manual("c1", "config")}, want: []string{"i1"}, left: 1},
		{name: "two origins arriving together fill in one promotion",
			add: []PromotionRequest{auto("i1", "images"), auto("c1", "config")}, want: []string{"i1", "c1"}},
		{name: "a newer auto request replaces the older of its origin",
			add: []PromotionRequest{auto("i1", "images"), auto("i2", "images")}, want: []string{"i2"}},
		{name: "an auto request for what the stage holds changes nothing",
			current: NewCollection(qref("i1", "images")), add: []PromotionRequest{auto("i1", "images")}, want: nil},
		{name: "a manual request replaces the queued auto request of its origin",
			add: []PromotionRequest{auto("i2", "images"), manual("i1", "images")}, want: []string{"i1"}},
		{name: "an auto request takes the parked ones of other origins along",
			parked: []PromotionRequest{auto("i1", "images")}, add: []PromotionRequest{auto("c1", "config")},
			want: []string{"c1", "i1"}},
		{name: "a manual request takes the parked ones waiting for its origin",
			parked: []PromotionRequest{{Targets: []FreightRef{qref("i1", "images")}, Auto: true, WaitingFor: []string{"config"}}},
			add:    []PromotionRequest{manual("c1", "config")}, want: []string{"c1", "i1"}},
		{name: "a manual request leaves parked ones waiting for something else",
			parked: []PromotionRequest{{Targets: []FreightRef{qref("i1", "images")}, Auto: true, WaitingFor: []string{"flags"}}},
			add:    []PromotionRequest{manual("c1", "config")}, want: []string{"c1"}, left: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := StageQueue{Parked: tc.parked}
			for _, r := range tc.add {
				q.Add(r, tc.current)
			}
			next, ok, _ := q.Next(open)
			if ok != (tc.want != nil) {
				t.Fatalf("Next ok = %v, want %v (%+v)", ok, tc.want != nil, next)
			}
			if ok && !reflect.DeepEqual(ids(next), tc.want) {
				t.Errorf("next promotion targets %v, want %v", ids(next), tc.want)
			}
			if q.Len() != tc.left {
				t.Errorf("%d requests left, want %d: %+v", q.Len(), tc.left, q)
			}
		})
	}
}

func TestStageQueueGate(t *testing.T) {
	q := StageQueue{}
	q.Add(auto("i1", "images"), Collection{})
	q.Add(manual("c1", "config"), Collection{})
	q.Add(auto("f1", "flags"), Collection{})
	gate := func(r PromotionRequest) (string, string) {
		switch r.Targets[0].ID {
		case "i1":
			return "waiting until verified upstream", ""
		case "c1":
			return "", "superseded"
		}
		return "", ""
	}
	next, ok, dropped := q.Next(gate)
	if !ok || !reflect.DeepEqual(ids(next), []string{"f1"}) {
		t.Fatalf("next = %v %v, want the flags request, the others held or dropped", ok, ids(next))
	}
	if len(dropped) != 1 || dropped[0].Targets[0].ID != "c1" || dropped[0].Waiting != "superseded" {
		t.Errorf("dropped %+v, want c1 superseded", dropped)
	}
	if len(q.Pending) != 1 || q.Pending[0].Waiting != "waiting until verified upstream" {
		t.Errorf("pending %+v, want i1 waiting", q.Pending)
	}
}

func TestStageQueueParkAndRetry(t *testing.T) {
	cases := []struct {
		name       string
		waitingFor []string
		changed    Collection
		retried    bool
	}{
		{"a failure is retried after the collection changed", nil, NewCollection(qref("c1", "config")), true},
		{"waiting for config is retried when config is filled", []string{"config"},
			NewCollection(qref("c1", "config")), true},
		{"waiting for config stays parked while config is empty", []string{"config"},
			NewCollection(qref("f1", "flags")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := StageQueue{}
			q.Park(auto("i1", "images"), "Errored: boom", tc.waitingFor)
			if len(q.Parked) != 1 {
				t.Fatalf("parked %+v", q.Parked)
			}
			if q.Add(auto("i1", "images"), Collection{}) {
				t.Error("the same auto request was queued again before anything changed")
			}
			q.Retry(tc.changed)
			if got := len(q.Pending) == 1; got != tc.retried {
				t.Errorf("retried = %v, want %v (%+v)", got, tc.retried, q)
			}
		})
	}
	t.Run("a manual request is not parked", func(t *testing.T) {
		q := StageQueue{}
		q.Park(manual("i1", "images"), "Failed", nil)
		if q.Len() != 0 {
			t.Errorf("parked %+v", q.Parked)
		}
	})
	t.Run("remove by name", func(t *testing.T) {
		q := StageQueue{}
		q.Add(manual("i1", "images"), Collection{})
		if !q.Remove("manual-i1") || q.Len() != 0 || q.Remove("manual-i1") {
			t.Errorf("remove: %+v", q)
		}
	})
}

func TestStageQueueWaiting(t *testing.T) {
	q := StageQueue{
		Pending: []PromotionRequest{{Waiting: "waiting until x is verified upstream"}, {}},
		Parked:  []PromotionRequest{{Waiting: "waiting for config"}, {Waiting: "waiting for config"}},
	}
	want := []string{"waiting until x is verified upstream", "waiting for config"}
	if got := q.Waiting(); !reflect.DeepEqual(got, want) {
		t.Errorf("Waiting() = %q, want %q", got, want)
	}
}

func TestStageQueueGatherWait(t *testing.T) {
	at := func(r PromotionRequest, d time.Duration) PromotionRequest { r.QueuedAt = t0.Add(d); return r }
	both := []FreightOrigin{WarehouseOrigin("images"), WarehouseOrigin("config")}
	now := t0.Add(2 * time.Second)
	cases := []struct {
		name    string
		pending []PromotionRequest
		current Collection
		want    time.Duration
	}{
		{"nothing pending", nil, NewCollection(), 0},
		{"first fill: wait for the other origin", []PromotionRequest{at(auto("i1", "images"), time.Second), at(auto("i0", "images"), 0)},
			NewCollection(), 3 * time.Second},
		{"window passed", []PromotionRequest{at(auto("i1", "images"), -10*time.Second)}, NewCollection(), -7 * time.Second},
		{"every empty slot pending", []PromotionRequest{at(auto("i1", "images"), 0), at(auto("c1", "config"), 0)}, NewCollection(), 0},
		{"other slot held", []PromotionRequest{at(auto("i1", "images"), 0)}, NewCollection(qref("c0", "config")), 0},
		{"a manual request goes at once", []PromotionRequest{at(manual("i1", "images"), 0)}, NewCollection(), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := StageQueue{Pending: tc.pending}
			if got := q.GatherWait(both, tc.current, now); got != tc.want {
				t.Errorf("GatherWait = %s, want %s", got, tc.want)
			}
		})
	}
}
