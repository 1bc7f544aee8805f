package expr

import (
	"reflect"
	"testing"

	"github.com/railyard/railyard"
)

func TestLinks(t *testing.T) {
	env := map[string]any{"ctx": map[string]any{"project": "shop", "stage": "uat"}}
	links := []railyard.DeepLink{
		{Title: "Grafana", URL: "https://grafana.example/d?env=${{ ctx.stage }}&p=${{ ctx.project }}", Description: "metrics"},
		{Title: "prod only", URL: "https://x.example", If: "${{ ctx.stage == 'prod' }}"},
		{Title: "not prod", URL: "https://y.example/${{ ctx.stage }}", If: "ctx.stage != 'prod'"},
		{Title: "broken", URL: "https://z.example/${{ nope( }}"},
	}
	got := Links(links, env)
	want := []RenderedLink{
		{Title: "Grafana", URL: "https://grafana.example/d?env=uat&p=shop", Description: "metrics"},
		{Title: "not prod", URL: "https://y.example/uat"},
	}
	if len(got) != 3 || !reflect.DeepEqual(got[:2], want) || got[2].Title != "broken" || got[2].Error == "" {
		t.Fatalf("got %+v", got)
	}
}
