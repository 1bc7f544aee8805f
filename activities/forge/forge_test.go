package forge

import (
	"net/url"
	"testing"

	"github.com/railyard/railyard"
)

func TestInferProvider(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://github.com/acme/gitops.git", GitHub},
		{"https://github.acme.corp/team/gitops", GitHub},
		{"https://gitlab.com/group/sub/gitops.git", GitLab},
		{"https://gitlab.acme.corp/group/gitops", GitLab},
		{"https://bitbucket.org/acme/gitops.git", Bitbucket},
		{"https://dev.azure.com/acme/web/_git/gitops", Azure},
		{"https://acme.visualstudio.com/web/_git/gitops", Azure},
		{"https://codeberg.org/acme/gitops.git", Gitea},
		{"https://gitea.acme.corp/acme/gitops.git", Gitea},
		{"https://git.acme.corp/acme/gitops.git", ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			u, _ := url.Parse(tc.url)
			if got := InferProvider(u); got != tc.want {
				t.Fatalf("InferProvider = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAPIBase(t *testing.T) {
	for _, tc := range []struct{ url, provider, want string }{
		{"https://github.com/acme/gitops.git", GitHub, "https://api.github.com/repos/acme/gitops"},
		{"https://github.acme.corp/acme/gitops", GitHub, "https://github.acme.corp/api/v3/repos/acme/gitops"},
		{"https://gitlab.com/group/sub/gitops.git", GitLab, "https://gitlab.com/api/v4/projects/group%2Fsub%2Fgitops"},
		{"https://bitbucket.org/acme/gitops.git", Bitbucket, "https://api.bitbucket.org/2.0/repositories/acme/gitops"},
		{"https://dev.azure.com/acme/web/_git/gitops", Azure, "https://dev.azure.com/acme/web/_apis/git/repositories/gitops"},
		{"http://127.0.0.1:3000/acme/gitops.git", Gitea, "http://127.0.0.1:3000/api/v1/repos/acme/gitops"},
		{"https://host/sub/path/acme/gitops.git", Gitea, "https://host/sub/path/api/v1/repos/acme/gitops"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			c, err := New(t.Context(), Options{RepoURL: tc.url, Provider: tc.provider})
			if err != nil {
				t.Fatal(err)
			}
			var got string
			switch c := c.(type) {
			case *github:
				got = c.base
			case *gitlab:
				got = c.base
			case *bitbucket:
				got = c.base
			case *azure:
				got = c.base
			case *gitea:
				got = c.base
			}
			if got != tc.want {
				t.Fatalf("base = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCommitURL(t *testing.T) {
	for _, tc := range []struct{ repo, provider, want string }{
		{"https://github.com/acme/gitops.git", "", "https://github.com/acme/gitops/commit/abc"},
		{"https://gitlab.com/g/s/gitops.git", "", "https://gitlab.com/g/s/gitops/-/commit/abc"},
		{"https://bitbucket.org/acme/gitops.git", "", "https://bitbucket.org/acme/gitops/commits/abc"},
		{"https://dev.azure.com/acme/web/_git/gitops", "", "https://dev.azure.com/acme/web/_git/gitops/commit/abc"},
		{"http://user:pw@127.0.0.1:3000/acme/gitops.git", Gitea, "http://127.0.0.1:3000/acme/gitops/commit/abc"},
		{"https://git.acme.corp/acme/gitops.git", "", ""},
		{"/tmp/repo.git", "", ""},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			if got := CommitURL(tc.repo, tc.provider, "abc"); got != tc.want {
				t.Fatalf("CommitURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUnknownForgeNeedsProvider(t *testing.T) {
	_, err := New(t.Context(), Options{RepoURL: "https://git.acme.corp/acme/gitops.git"})
	if err == nil || !railyard.IsTerminal(err) {
		t.Fatalf("err = %v, want a terminal error asking for provider", err)
	}
}
