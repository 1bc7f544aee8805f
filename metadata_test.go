package railyard

import (
	"reflect"
	"testing"
)

func TestMetadataSet(t *testing.T) {
	meta := func(status StepStatus, updates ...map[string]any) StepRecord {
		list := make([]any, 0, len(updates))
		for _, u := range updates {
			list = append(list, u)
		}
		return StepRecord{Uses: StepSetMetadata, Status: status, Output: map[string]any{"updates": list}}
	}
	stage := map[string]any{"kind": "Stage", "name": "dev", "values": map[string]any{"a": "1"}}
	freight := map[string]any{"kind": "Freight", "name": "f1", "values": map[string]any{"b": 2.0}}
	wantStage := MetadataUpdate{Kind: MetadataKindStage, Name: "dev", Values: map[string]any{"a": "1"}}
	wantFreight := MetadataUpdate{Kind: MetadataKindFreight, Name: "f1", Values: map[string]any{"b": 2.0}}
	tests := []struct {
		name  string
		steps []StepRecord
		want  []MetadataUpdate
	}{
		{"none", []StepRecord{{Uses: "git-clone", Status: StepSucceeded}}, nil},
		{"in step order", []StepRecord{meta(StepSucceeded, stage), meta(StepSucceeded, freight)}, []MetadataUpdate{wantStage, wantFreight}},
		{"failed step ignored", []StepRecord{meta(StepFailed, stage), meta(StepSucceeded, freight)}, []MetadataUpdate{wantFreight}},
		{"unreadable output ignored", []StepRecord{{Uses: StepSetMetadata, Status: StepSucceeded, Output: map[string]any{"updates": "x"}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MetadataSet(tc.steps); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("MetadataSet = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestOfKind(t *testing.T) {
	s1 := MetadataUpdate{Kind: MetadataKindStage, Name: "dev"}
	f1 := MetadataUpdate{Kind: MetadataKindFreight, Name: "f1"}
	f2 := MetadataUpdate{Kind: MetadataKindFreight, Name: "f2"}
	tests := []struct {
		kind string
		want []MetadataUpdate
	}{
		{MetadataKindFreight, []MetadataUpdate{f1, f2}},
		{MetadataKindStage, []MetadataUpdate{s1}},
		{"Other", nil},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			if got := OfKind([]MetadataUpdate{f1, s1, f2}, tc.kind); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("OfKind(%s) = %+v, want %+v", tc.kind, got, tc.want)
			}
		})
	}
}
