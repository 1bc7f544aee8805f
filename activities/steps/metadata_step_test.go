package steps

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

func TestSetMetadata(t *testing.T) {
	ref := railyard.FreightRef{ID: "f1", Alias: "brave-fox", Origin: railyard.WarehouseOrigin("app")}
	records := expr.StaticRecords{Timeline: []railyard.Freight{{ID: "f0", Alias: "old-owl"}}}
	c := &Context{Project: "p", Stage: "dev", Collection: railyard.NewCollection(ref), Records: records,
		Requested: []railyard.FreightOrigin{railyard.WarehouseOrigin("app")}}
	tests := []struct {
		name    string
		config  string
		want    []any
		wantErr string
	}{
		{"freight by alias, from the collection", `{"updates":[{"kind":"Freight","name":"brave-fox","values":{"issue":12}}]}`,
			[]any{map[string]any{"kind": "Freight", "name": "f1", "values": map[string]any{"issue": float64(12)}}}, ""},
		{"freight outside the collection", `{"updates":[{"kind":"Freight","name":"old-owl","values":{"a":[1,"b"]}}]}`,
			[]any{map[string]any{"kind": "Freight", "name": "f0", "values": map[string]any{"a": []any{float64(1), "b"}}}}, ""},
		{"own stage", `{"updates":[{"kind":"Stage","name":"dev","values":{"n":{"x":true}}}]}`,
			[]any{map[string]any{"kind": "Stage", "name": "dev", "values": map[string]any{"n": map[string]any{"x": true}}}}, ""},
		{"another stage", `{"updates":[{"kind":"Stage","name":"prod","values":{"a":1}}]}`, nil,
			`updates[0]: Stage "prod": setting the metadata of a stage other than the promoting one (dev): not supported yet`},
		{"unknown freight", `{"updates":[{"kind":"Freight","name":"nope","values":{"a":1}}]}`, nil,
			`updates[0]: Freight "nope": no such Freight from the Warehouses stage dev requests (app)`},
		{"bad kind", `{"updates":[{"kind":"Warehouse","name":"app","values":{"a":1}}]}`, nil, `kind "Warehouse": must be Stage or Freight`},
		{"no values", `{"updates":[{"kind":"Stage","name":"dev","values":{}}]}`, nil, "values: at least one value is required"},
		{"no updates", `{"updates":[]}`, nil, "at least one update is required"},
		{"unknown key", `{"updates":[],"extra":1}`, nil, `unknown field "extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := SetMetadata{}.Run(context.Background(), c, json.RawMessage(tc.config))
			if tc.wantErr != "" {
				var term *TerminalError
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &term) {
					t.Fatalf("error = %v, want a terminal error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Output["updates"]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("updates = %#v, want %#v", got, tc.want)
			}
		})
	}
}
