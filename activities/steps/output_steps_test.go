package steps

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestSetFreightAlias: the step refuses an alias the Pipeline would not
// take, instead of reporting success for a rename that cannot happen.
func TestSetFreightAlias(t *testing.T) {
	tests := []struct {
		config, wantErr string
	}{
		{`{"name":"brave-fox","alias":"release-1"}`, ""},
		{`{"name":"brave-fox","alias":"Release 1"}`, `alias "Release 1": use lower-case letters`},
		{`{"name":"brave-fox","alias":"5deb771a0244b4e2c86c5be807cfd0e057329ad6"}`, "looks like a Freight ID"},
		{`{"name":"brave-fox"}`, "name and alias are required"},
	}
	for _, tc := range tests {
		t.Run(tc.config, func(t *testing.T) {
			res, err := SetFreightAlias{}.Run(context.Background(), nil, json.RawMessage(tc.config))
			if tc.wantErr == "" {
				if err != nil || res.Status != StatusSucceeded {
					t.Fatalf("got %+v, %v; want success", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
