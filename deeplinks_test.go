package railyard

import (
	"reflect"
	"strings"
	"testing"
)

func TestResolveLinks(t *testing.T) {
	stage := Stage{Name: "uat", Labels: map[string]string{"tier": "staging"}}
	links := []DeepLink{
		{Title: "Grafana", URL: "https://grafana.example/d?env={{ .stage.metadata.name }}&ns={{ .stage.metadata.namespace | upper }}", Description: "metrics"},
		{Title: "prod only", URL: "https://x.example", If: "stage.metadata.name == 'prod'"},
		{Title: "staging", URL: "https://y.example/{{ index .stage.metadata.labels \"tier\" }}", If: "stage.metadata.labels.tier == 'staging'"},
		{Title: "broken", URL: "https://z.example/{{ .stage.nope.deeper }"},
		{Title: "not bool", URL: "https://z.example", If: "1"},
	}
	got, errs := ResolveLinks(links, StageLinkContext("shop", stage))
	want := []ResolvedLink{
		{Title: "Grafana", URL: "https://grafana.example/d?env=uat&ns=SHOP", Description: "metrics"},
		{Title: "staging", URL: "https://y.example/staging"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("links = %+v, want %+v", got, want)
	}
	if len(errs) != 2 || !strings.Contains(errs[0], `"broken"`) || !strings.Contains(errs[1], "not a boolean") {
		t.Errorf("errors = %q", errs)
	}
	f := Freight{ID: "abc", Alias: "brave-fox", Images: []Image{{RepoURL: "ghcr.io/x/app", Tag: "1.2.3"}}}
	got, errs = ResolveLinks([]DeepLink{{Title: "release", URL: "https://rel.example/{{ (index .freight.images 0).tag }}/{{ .freight.metadata.name }}"}},
		FreightLinkContext("shop", f))
	if len(errs) > 0 || len(got) != 1 || got[0].URL != "https://rel.example/1.2.3/abc" {
		t.Errorf("freight links = %+v, %q", got, errs)
	}
}
