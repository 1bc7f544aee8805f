package railyard

import (
	"strings"
	"testing"
)

func TestCheckFreight(t *testing.T) {
	w := WarehouseSpec{Subscriptions: []Subscription{
		{Git: &GitSubscription{RepoURL: "https://git.example.com/Config.git"}},
		{Image: &ImageSubscription{RepoURL: "registry.example.com/app"}},
		{Chart: &ChartSubscription{RepoURL: "https://charts.example.com", Name: "app"}},
	}}
	commit := GitCommit{RepoURL: "https://git.example.com/config", ID: "abc"}
	image := Image{RepoURL: "registry.example.com/app", Tag: "1.0.0"}
	chart := Chart{RepoURL: "https://charts.example.com/", Name: "app", Version: "1.2.3"}
	cases := []struct {
		name string
		f    Freight
		want []string
	}{
		{"one of each, URLs normalized", Freight{Commits: []GitCommit{commit}, Images: []Image{image}, Charts: []Chart{chart}}, nil},
		{"missing image", Freight{Commits: []GitCommit{commit}, Charts: []Chart{chart}}, []string{"no artifact for the image subscription"}},
		{"two commits", Freight{Commits: []GitCommit{commit, commit}, Images: []Image{image}, Charts: []Chart{chart}}, []string{"2 artifacts for the git subscription"}},
		{"unsubscribed image", Freight{Commits: []GitCommit{commit}, Images: []Image{image, {RepoURL: "other/app", Tag: "1"}}, Charts: []Chart{chart}},
			[]string{"image other/app: the warehouse does not subscribe to it"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := w.CheckFreight(tc.f)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %d problems like %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestValidAlias(t *testing.T) {
	for _, tc := range []struct {
		alias string
		ok    bool
	}{{"happy-otter", true}, {"v2", true}, {"Bad", false}, {"-x", false}, {"", false},
		{strings.Repeat("z", 40), true}, {strings.Repeat("a", 40), false}, {"0123456789abcdef0123456789abcdef01234567", false}} {
		t.Run(tc.alias, func(t *testing.T) {
			if err := ValidAlias(tc.alias); (err == nil) != tc.ok {
				t.Errorf("ValidAlias(%q) = %v, want ok=%v", tc.alias, err, tc.ok)
			}
		})
	}
}
