package railyard

import "testing"

// The expected IDs were computed outside Go from Kargo's algorithm, e.g.
//
//	printf '%s' 'Warehouse/app:https://github.com/example/repo:abc123' | sha1sum
func TestFreightIDMatchesKargo(t *testing.T) {
	cases := []struct {
		name string
		f    Freight
		want string
	}{
		{"commit, URL normalized", Freight{Origin: WarehouseOrigin("app"),
			Commits: []GitCommit{{RepoURL: "https://user:pw@GitHub.com/Example/Repo.git/", ID: "abc123"}}},
			"f744b818d21a08797e5b2e44d7abc696f50b875d"},
		{"tagged commit", Freight{Origin: WarehouseOrigin("app"),
			Commits: []GitCommit{{RepoURL: "https://github.com/example/repo", ID: "abc123", Tag: "v1.0.0"}}},
			"fc7cb06d14be77ef1a208f97b974daf2ffd0e718"},
		{"image, repo verbatim, tag and digest", Freight{Origin: WarehouseOrigin("images"),
			Images: []Image{{RepoURL: "nginx", Tag: "1.25.0", Digest: "sha256:deadbeef"}}},
			"9b20e97a5e060bbafc5c72818c8c266f746cc2c5"},
		{"OCI chart", Freight{Origin: WarehouseOrigin("charts"),
			Charts: []Chart{{RepoURL: "oci://Registry.Example.com/charts/app", Version: "1.2.3"}}},
			"c19ad4c12eecd5bb1205be62fe8461259b0732a9"},
		{"HTTP chart (path.Join folds the scheme's //, as in Kargo)", Freight{Origin: WarehouseOrigin("charts"),
			Charts: []Chart{{RepoURL: "https://charts.example.com", Name: "app", Version: "1.2.3"}}},
			"3a3691d1b72ec8121cdf6e4af9858137675e8968"},
		{"several artifacts sorted, scp-like git URL", Freight{Origin: WarehouseOrigin("mixed"),
			Commits: []GitCommit{{RepoURL: "git@github.com:acme/config.git", ID: "c0ffee"}},
			Images:  []Image{{RepoURL: "ghcr.io/acme/api", Tag: "2.0.0", Digest: "sha256:aa"}},
			Charts:  []Chart{{RepoURL: "https://charts.example.com", Name: "app", Version: "1.2.3"}}},
			"7afe7a9914b1fd5a55cd29e28425beb6ddc39daf"},
		{"subscription name", Freight{Origin: WarehouseOrigin("app"),
			Commits: []GitCommit{{RepoURL: "https://github.com/example/repo", ID: "abc123", SubscriptionName: "src"}}},
			"8463539b73c0b2ea4b41a164c35d42f4631e95b5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.ComputeID(); got != tc.want {
				t.Errorf("ComputeID = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNormalizeURLs(t *testing.T) {
	cases := []struct {
		fn       func(string) string
		in, want string
		kind     string
	}{
		{NormalizeGitURL, "https://GitHub.com/Org/Repo.git", "https://github.com/org/repo", "git"},
		{NormalizeGitURL, "http://bot:token@git.local:8080/a/b/", "http://git.local:8080/a/b", "git"},
		{NormalizeGitURL, "ssh://git@github.com/org/repo.git", "ssh://git@github.com/org/repo", "git"},
		{NormalizeGitURL, "git@github.com:org/repo.git", "ssh://git@github.com/org/repo", "git"},
		{NormalizeGitURL, "https://example.com/repo?ref=x", "https://example.com/repo?ref=x", "git"},
		{NormalizeImageURL, "docker.io/library/nginx", "nginx", "image"},
		{NormalizeImageURL, "index.docker.io/acme/app", "acme/app", "image"},
		{NormalizeImageURL, "ghcr.io/acme/app", "ghcr.io/acme/app", "image"},
		{NormalizeChartURL, "OCI://ghcr.io/Acme/charts/app", "ghcr.io/acme/charts/app", "chart"},
	}
	for _, tc := range cases {
		t.Run(tc.kind+" "+tc.in, func(t *testing.T) {
			if got := tc.fn(tc.in); got != tc.want {
				t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCollection(t *testing.T) {
	a := FreightRef{ID: "bbb", Alias: "late-otter", Origin: WarehouseOrigin("images")}
	b := FreightRef{ID: "aaa", Origin: WarehouseOrigin("config")}
	c := NewCollection(a, b)
	if c.ID != "b0696a9485397a32e74fc7d20eb458c2420b2ddc" { // sha1("aaa,bbb")
		t.Errorf("collection ID = %s", c.ID)
	}
	if got := c.Summary(); got != "config=aaa, images=late-otter" {
		t.Errorf("Summary = %q", got)
	}
	moved := c.With(FreightRef{ID: "ccc", Origin: WarehouseOrigin("images")})
	if r, _ := moved.Get(WarehouseOrigin("images")); r.ID != "ccc" || !moved.Has("aaa") || moved.Has("bbb") {
		t.Errorf("With replaced the wrong slot: %+v", moved)
	}
	if kept := moved.Keep([]FreightOrigin{WarehouseOrigin("config")}); len(kept.Items) != 1 || !kept.Has("aaa") {
		t.Errorf("Keep = %+v", kept)
	}
	if NewCollection().ID != "" {
		t.Error("an empty collection has an ID")
	}
}

func TestNewestFreight(t *testing.T) {
	found := DiscoveredArtifacts{Results: []SubscriptionResult{
		{Kind: "git", RepoURL: "https://g/r", Commits: []GitCommit{{RepoURL: "https://g/r", ID: "new"}, {ID: "old"}}},
		{Kind: "image", RepoURL: "app", Images: []Image{{RepoURL: "app", Tag: "2"}}},
	}}
	f, err := found.NewestFreight(WarehouseOrigin("w"))
	if err != nil || f.Commits[0].ID != "new" || f.Images[0].Tag != "2" || f.ID != f.ComputeID() {
		t.Fatalf("NewestFreight = %+v, %v", f, err)
	}
	found.Results[1].Images = nil
	found.Results[1].Error = "no tag matches ^3"
	if _, err := found.NewestFreight(WarehouseOrigin("w")); err == nil || err.Error() == "" {
		t.Fatal("a subscription with nothing found minted Freight")
	}
}
