package railyard

import (
	"maps"
	"testing"
)

func TestAliasesSet(t *testing.T) {
	c := NewCollection(FreightRef{ID: "f1", Alias: "calm-otter", Origin: WarehouseOrigin("app")},
		FreightRef{ID: "f2", Alias: "bold-yak", Origin: WarehouseOrigin("config")})
	set := func(name, alias string) StepRecord {
		return StepRecord{Uses: StepSetFreightAlias, Status: StepSucceeded, Output: map[string]any{"name": name, "alias": alias}}
	}
	failed := set("f1", "broken")
	failed.Status = StepFailed
	tests := []struct {
		name  string
		steps []StepRecord
		want  map[string]string
	}{
		{"none", []StepRecord{{Uses: "git-clone", Status: StepSucceeded}}, nil},
		{"by ID", []StepRecord{set("f1", "first")}, map[string]string{"f1": "first"}},
		{"by alias", []StepRecord{set("bold-yak", "second")}, map[string]string{"f2": "second"}},
		{"later step wins", []StepRecord{set("f1", "first"), set("calm-otter", "again")}, map[string]string{"f1": "again"}},
		{"failed step ignored", []StepRecord{failed}, nil},
		{"Freight outside the collection ignored", []StepRecord{set("f9", "other")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AliasesSet(tc.steps, c)
			if !maps.Equal(got, tc.want) || (tc.want == nil) != (got == nil) {
				t.Errorf("AliasesSet = %v, want %v", got, tc.want)
			}
		})
	}
}
