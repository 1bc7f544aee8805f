package railyard

import (
	"slices"
	"testing"
)

func TestPullRequestKey(t *testing.T) {
	tests := []struct {
		name, url string
		number    int64
		want      string
	}{
		{"clone URL", "http://127.0.0.1:3000/team/gitops.git", 12, "http://127.0.0.1:3000/team/gitops#12"},
		{"web URL, case and slash", "https://GitHub.com/Team/GitOps/", 3, "https://github.com/team/gitops#3"},
		{"credentials dropped", "https://org@dev.azure.com/org/p/_git/repo", 7, "https://dev.azure.com/org/p/_git/repo#7"},
		{"scp-like", "git@github.com:team/gitops.git", 1, "ssh://git@github.com/team/gitops#1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PullRequestKey(tt.url, tt.number)
			if got != tt.want {
				t.Fatalf("PullRequestKey(%q, %d) = %q, want %q", tt.url, tt.number, got, tt.want)
			}
		})
	}
	if keys := PullRequestKeys([]string{"https://a/x.git", "https://a/x"}, 2); !slices.Equal(keys, []string{"https://a/x#2", "https://a/x#2"}) {
		t.Fatalf("PullRequestKeys = %v", keys)
	}
}
