package registry

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// TestCycleCost counts the registry requests of successive cycles.
func TestCycleCost(t *testing.T) {
	reg := testenv.StartRegistry(t)
	repo := reg.Host + "/app"
	for i := 0; i < 30; i++ {
		testenv.PushImage(t, reg.Host, "app", fmt.Sprintf("1.0.%d", i), testenv.WithCreated(t0.Add(time.Duration(i)*time.Hour)))
	}
	ctx := context.Background()
	type step struct {
		name   string
		before func(t *testing.T)
		sub    railyard.ImageSubscription
		fresh  bool // a new Client: a restarted worker
		want   int64
		top    string
	}
	semver := railyard.ImageSubscription{RepoURL: repo, DiscoveryLimit: 5}
	cached := semver
	cached.CacheByTag = true
	newest := railyard.ImageSubscription{RepoURL: repo, ImageSelectionStrategy: "NewestBuild", DiscoveryLimit: 5}
	digest := railyard.ImageSubscription{RepoURL: repo, ImageSelectionStrategy: "Digest", Constraint: "1.0.3"}
	steps := []step{
		{name: "first semver cycle: ping, list, 5 manifests and configs", sub: semver, want: 12, top: "1.0.29"},
		{name: "nothing new: list + HEAD of the top", sub: semver, want: 2, top: "1.0.29"},
		{name: "nothing new, cacheByTag: list only", sub: cached, want: 1, top: "1.0.29"},
		{name: "restarted worker with the previous result", sub: semver, fresh: true, want: 3, top: "1.0.29"}, // + ping
		{name: "new top tag: list, manifest, config", sub: semver, want: 3, top: "1.0.30",
			before: func(t *testing.T) { testenv.PushImage(t, reg.Host, "app", "1.0.30") }},
		{name: "new tag below the top: + HEAD of the top", sub: semver, want: 4, top: "1.0.30",
			before: func(t *testing.T) { testenv.PushImage(t, reg.Host, "app", "1.0.28-hotfix.1") }},
		{name: "top tag moved: list, HEAD, manifest and config of the new digest", sub: semver, want: 4, top: "1.0.30",
			before: func(t *testing.T) { testenv.PushImage(t, reg.Host, "app", "1.0.30") }},
		// 32 tags, of which 1.0.30 and the hotfix are cached from the SemVer cycles.
		{name: "newest build first cycle reads what is not cached", sub: newest, want: 1 + 2*30, top: "1.0.29"},
		{name: "newest build steady: list + HEAD", sub: newest, want: 2, top: "1.0.29"},
		{name: "digest first: HEAD only, metadata cached", sub: digest, want: 1, top: "1.0.3"},
		{name: "digest steady: HEAD", sub: digest, want: 1, top: "1.0.3"},
	}
	c := newClient()
	prev := map[string]*railyard.SubscriptionResult{}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before(t)
			}
			if s.fresh {
				c = newClient()
			}
			key := s.sub.Strategy()
			reg.ResetRequests()
			res, err := c.Discover(ctx, s.sub, prev[key])
			if err != nil {
				t.Fatal(err)
			}
			if got := reg.Requests(); got != s.want {
				t.Errorf("requests = %d, want %d", got, s.want)
			}
			if len(res.Images) == 0 || res.Images[0].Tag != s.top {
				t.Fatalf("top = %v, want %s", tagsOf(res.Images), s.top)
			}
			if p := prev[key]; p != nil && p.Images[0].Tag == s.top && s.name[:7] == "top tag" &&
				p.Images[0].Digest == res.Images[0].Digest {
				t.Error("moved tag not noticed")
			}
			prev[key] = &res
		})
	}
}
