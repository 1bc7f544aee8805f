package dashboard

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestLayOut lays out every testdata/layout/*.input.json and compares the
// result with the .golden.json beside it.
func TestLayOut(t *testing.T) {
	inputs, err := filepath.Glob("testdata/layout/*.input.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no layout inputs: %v", err)
	}
	for _, path := range inputs {
		name := strings.TrimSuffix(filepath.Base(path), ".input.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var in []GraphInput
			if err := json.Unmarshal(raw, &in); err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(LayOut(in), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(path, ".input.json") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("layout of %s differs from %s:\n%s", name, golden, got)
			}
		})
	}
}

// TestLayOutProperties checks what every layout must satisfy: edges point
// right, nodes of one layer do not overlap, and the 30-stage graph is at
// most 5 columns wide.
func TestLayOutProperties(t *testing.T) {
	tests := []struct {
		name      string
		in        []GraphInput
		maxLayers int
	}{
		{"empty", nil, 0},
		{"chain", []GraphInput{{Name: "prod", Upstream: []string{"uat"}}, {Name: "uat", Upstream: []string{"dev"}}, {Name: "dev"}}, 3},
		{"self and unknown upstream", []GraphInput{{Name: "a", Upstream: []string{"a", "ghost"}}}, 1},
		{"cycle", []GraphInput{{Name: "a", Upstream: []string{"b"}}, {Name: "b", Upstream: []string{"a"}}}, 2},
		{"thirty", thirtyStages(), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := LayOut(tt.in)
			if len(g.Nodes) != len(tt.in) {
				t.Fatalf("%d nodes for %d stages", len(g.Nodes), len(tt.in))
			}
			at := map[string]Node{}
			layers := 0
			for _, n := range g.Nodes {
				at[n.Name] = n
				layers = max(layers, n.Layer+1)
			}
			if layers > tt.maxLayers {
				t.Errorf("%d layers, want at most %d", layers, tt.maxLayers)
			}
			for _, e := range g.Edges {
				if at[e.From].X >= at[e.To].X {
					t.Errorf("edge %s -> %s points left", e.From, e.To)
				}
			}
			for _, a := range g.Nodes {
				for _, b := range g.Nodes {
					if a.Name != b.Name && a.Layer == b.Layer && a.Y < b.Y && a.Y+a.H > b.Y {
						t.Errorf("%s overlaps %s", a.Name, b.Name)
					}
				}
			}
		})
	}
}

// thirtyStages is 10 teams' dev → uat → prod (kept in step with
// testdata/layout/thirty.input.json by hand).
func thirtyStages() []GraphInput {
	var out []GraphInput
	for i := range 10 {
		p := string(rune('a' + i))
		out = append(out, GraphInput{Name: p + "-dev", Lines: 4},
			GraphInput{Name: p + "-uat", Upstream: []string{p + "-dev"}, Lines: 5},
			GraphInput{Name: p + "-prod", Upstream: []string{p + "-uat"}, Lines: 5})
	}
	return out
}
