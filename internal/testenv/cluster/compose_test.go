package cluster

import (
	"strings"
	"testing"
)

// TestLoadCompose reads the repository's deploy/compose.yaml: the pieces the
// cluster runs must be there, with the values it substitutes.
func TestLoadCompose(t *testing.T) {
	c, err := LoadCompose("../../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, got, want string
	}{
		{"server DB (merged from x-temporal-db)", c.ServerEnv["DB"], "postgres12"},
		{"server POSTGRES_SEEDS", c.ServerEnv["POSTGRES_SEEDS"], "postgresql"},
		{"server image", c.ServerImage, "temporalio/server:" + strings.TrimPrefix(ServerVersion, "v")},
		{"admin-tools image", c.AdminImage, "temporalio/admin-tools:" + strings.TrimPrefix(ServerVersion, "v")},
		{"worker TEMPORAL_NAMESPACE", c.WorkerEnv["TEMPORAL_NAMESPACE"], "default"},
		{"setup TEMPORAL_NAMESPACE", c.SetupEnv["TEMPORAL_NAMESPACE"], "default"},
		{"schema script runs the SQL tool", firstWord(c.SchemaScript, "temporal-sql-tool"), "temporal-sql-tool"},
		{"setup script registers search attributes", firstWord(c.SetupScript, "search-attribute create"), "search-attribute create"},
		{"$$ escapes undone", firstWord(c.SchemaScript, "$$"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if _, err := replaceArg(c.WorkerArgs, "--cache-dir", "/x"); err != nil {
		t.Errorf("worker args %q: %v", c.WorkerArgs, err)
	}
}

func firstWord(text, word string) string {
	if strings.Contains(text, word) {
		return word
	}
	return ""
}

func TestReplaceAll(t *testing.T) {
	tests := []struct {
		name, text string
		pairs      []string
		want       string
		wantErr    string
	}{
		{"replaced", "a --ep postgresql b", []string{"--ep postgresql", "--ep 127.0.0.1"}, "a --ep 127.0.0.1 b", ""},
		{"missing names the text", "a b", []string{"--ep postgresql", "x"}, "", `file no longer contains "--ep postgresql"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceAll("file", tt.text, tt.pairs...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
