package expr

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestConfigMapFunctions(t *testing.T) {
	src := StaticConfigMaps{"p": {"app": {"repoURL": "https://git.example/app"}}, "": {"org": {"team": "platform"}}}
	tests := []struct {
		name string
		src  ConfigMapSource
		code string
		want any
	}{
		{"value", src, `configMap("app").repoURL`, "https://git.example/app"},
		{"missing map is empty", src, `len(configMap("nope"))`, 0},
		{"missing key is empty", src, `configMap("app").nope`, ""},
		{"nil source", nil, `len(configMap("app"))`, 0},
		{"shared", src, `sharedConfigMap("org").team`, "platform"},
		{"shared does not read the project", src, `len(sharedConfigMap("app"))`, 0},
		{"project does not read the shared ones", src, `len(configMap("org"))`, 0},
		{"nil source shared", nil, `len(sharedConfigMap("org"))`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := New(nil, ConfigMapFunctions(context.Background(), tc.src, "p")).Eval(tc.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.code, got, tc.want)
			}
		})
	}
}

// countingMaps counts reads and fails for the name "broken".
type countingMaps struct{ reads int }

func (c *countingMaps) ConfigMap(_ context.Context, _, name string) (map[string]string, error) {
	c.reads++
	if name == "broken" {
		return nil, errors.New("project workflow unreachable")
	}
	return map[string]string{"k": "v"}, nil
}

func (c *countingMaps) SharedConfigMap(context.Context, string) (map[string]string, error) {
	return nil, nil
}

func TestConfigMapReadOncePerEvaluator(t *testing.T) {
	src := &countingMaps{}
	ev := New(nil, ConfigMapFunctions(context.Background(), src, "p"))
	got, err := ev.Eval(`configMap("a").k + configMap("a").k`, nil)
	if err != nil || got != "vv" {
		t.Fatalf("got %v, %v", got, err)
	}
	if src.reads != 1 {
		t.Errorf("read %d times, want once", src.reads)
	}
	_, err = ev.Eval(`configMap("broken").k`, nil)
	if err == nil || !strings.Contains(err.Error(), `configMap("broken"): project workflow unreachable`) {
		t.Errorf("error = %v", err)
	}
	if _, err := ev.Eval(`configMap("")`, nil); err == nil || !strings.Contains(err.Error(), "name must not be empty") {
		t.Errorf("empty name: error = %v", err)
	}
}
