package expr

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/railyard/railyard"
)

func TestMetadataFunctions(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	src := StaticRecords{
		Timeline: []railyard.Freight{
			{ID: "f1", Alias: "brave-fox", Status: railyard.FreightStatus{
				Metadata:    railyard.Metadata{"issue": float64(12), "notes": map[string]any{"by": "ci"}},
				CurrentlyIn: map[string]time.Time{"dev": at},
				VerifiedIn:  map[string]railyard.VerifiedInfo{"dev": {VerifiedAt: at, LongestSoak: time.Hour}},
				ApprovedFor: map[string]time.Time{"prod": at},
			}},
			{ID: "f2", Alias: "calm-owl"},
		},
		Stages: map[string]railyard.Metadata{"dev": {"region": "eu"}},
	}
	pending := []railyard.MetadataUpdate{
		{Kind: railyard.MetadataKindFreight, Name: "f2", Values: map[string]any{"ticket": "OPS-1"}},
		{Kind: railyard.MetadataKindStage, Name: "dev", Values: map[string]any{"tier": "gold"}},
		{Kind: railyard.MetadataKindFreight, Name: "dev", Values: map[string]any{"wrong": "kind"}},
	}
	tests := []struct {
		name string
		src  RecordSource
		code string
		want any
	}{
		{"freight metadata by ID", src, `freightMetadata("f1").issue`, float64(12)},
		{"by alias", src, `freightMetadata("brave-fox").notes.by`, "ci"},
		{"one key", src, `freightMetadata("f1", "issue")`, float64(12)},
		{"missing key", src, `freightMetadata("f1")["none"] ?? "default"`, "default"},
		{"no metadata is an empty map", src, `len(freightMetadata("f2"))`, 0},
		{"unknown Freight is nil", src, `freightMetadata("nope") == nil`, true},
		{"an earlier step's update", &pendingOnly{src}, `freightMetadata("calm-owl").ticket`, "OPS-1"},
		{"stage metadata", src, `stageMetadata("dev").region`, "eu"},
		{"stage without metadata", src, `len(stageMetadata("uat"))`, 0},
		{"stage: an earlier step's update", &pendingOnly{src}, `stageMetadata("dev").tier + stageMetadata("dev").region`, "goldeu"},
		{"status: currentlyIn", src, `freightStatus("f1").currentlyIn.dev.since`, "2026-03-01T12:00:00Z"},
		{"status: verifiedIn", src, `freightStatus("f1").verifiedIn.dev.longestSoak`, "1h0m0s"},
		{"status: approvedFor", src, `freightStatus("f1").approvedFor?.prod?.approvedAt != nil`, true},
		{"status: not approved", src, `freightStatus("f2").approvedFor?.prod?.approvedAt == nil`, true},
		{"status: metadata", src, `freightStatus("f1").metadata.issue`, float64(12)},
		{"status of unknown Freight", src, `freightStatus("nope") == nil`, true},
		{"nil source", nil, `freightMetadata("f1") == nil && len(stageMetadata("dev")) == 0`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Records{Source: tc.src, Project: "p", Stage: "dev"}
			if _, ok := tc.src.(*pendingOnly); ok {
				r.Pending = pending
			}
			got, err := New(nil, MetadataFunctions(context.Background(), r)).Eval(tc.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
	if _, err := New(nil, MetadataFunctions(context.Background(), Records{Source: src})).Eval(`freightMetadata("")`, nil); err == nil {
		t.Error("an empty Freight name must be an error")
	}
}

// pendingOnly marks a test case that runs with pending updates.
type pendingOnly struct{ StaticRecords }
