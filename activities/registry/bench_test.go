package registry

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// The fixtures of BENCHMARKS.md: 10,000 SemVer tags (the 25 greatest are
// distinct images, the rest tags of one image) and 2,000 tags of distinct
// images with distinct build times.

var (
	semverOnce sync.Once
	semverReg  *testenv.Registry
	buildsOnce sync.Once
	buildsReg  *testenv.Registry
)

func semverFixture(b *testing.B) *testenv.Registry {
	semverOnce.Do(func() {
		semverReg = testenv.StartRegistry(&testing.T{})
		start := time.Now()
		testenv.PushImage(b, semverReg.Host, "app", "base")
		tags := make([]string, 0, 10_000)
		for i := 0; i < 10_000; i++ {
			tags = append(tags, fmt.Sprintf("1.%d.%d", i/100, i%100))
		}
		testenv.TagMany(b, semverReg.Host, "app", "base", tags)
		for i := 9_999; i >= 9_975; i-- {
			testenv.PushImage(b, semverReg.Host, "app", fmt.Sprintf("1.%d.%d", i/100, i%100))
		}
		b.Logf("10,000-tag fixture in %v", time.Since(start))
	})
	return semverReg
}

func buildsFixture(b *testing.B) *testenv.Registry {
	buildsOnce.Do(func() {
		buildsReg = testenv.StartRegistry(&testing.T{})
		start := time.Now()
		base, err := random.Image(64, 1)
		if err != nil {
			b.Fatal(err)
		}
		p, err := remote.NewPusher()
		if err != nil {
			b.Fatal(err)
		}
		sem := make(chan struct{}, 16)
		var wg sync.WaitGroup
		for i := 0; i < 2_000; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				img, err := mutate.CreatedAt(base, v1.Time{Time: t0.Add(time.Duration(i) * time.Minute)})
				if err != nil {
					b.Error(err)
					return
				}
				ref, _ := name.NewTag(fmt.Sprintf("%s/builds:build-%04d", buildsReg.Host, i))
				if err := p.Push(context.Background(), ref, img); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		b.Logf("2,000-image fixture in %v", time.Since(start))
	})
	return buildsReg
}

type benchCase struct {
	name  string
	sub   railyard.ImageSubscription
	rate  float64
	warm  bool                      // reuse the Client and the previous result
	setup func(b *testing.B, i int) // before each cycle, untimed
}

func runCycles(b *testing.B, reg *testenv.Registry, bc benchCase) {
	c := &Client{RateLimit: bc.rate, Keychain: authn.NewMultiKeychain()}
	var prev *railyard.SubscriptionResult
	ctx := context.Background()
	if bc.warm { // warm up without the rate limit, then measure with it
		c.RateLimit = -1
		res, err := c.Discover(ctx, bc.sub, nil)
		if err != nil {
			b.Fatal(err)
		}
		prev = &res
		c.RateLimit = bc.rate
	}
	var reqs int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if bc.setup != nil {
			bc.setup(b, i)
		}
		if !bc.warm {
			c = &Client{RateLimit: bc.rate, Keychain: authn.NewMultiKeychain()}
		}
		reg.ResetRequests()
		b.StartTimer()
		res, err := c.Discover(ctx, bc.sub, prev)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		reqs += reg.Requests()
		if bc.warm {
			prev = &res
		}
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(reqs)/n, "requests/op")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/n, "ms/op")
	b.ReportMetric(float64(reqs)/n/DefaultRateLimit, "s@20rps")
}

func BenchmarkSemVer10000(b *testing.B) {
	reg := semverFixture(b)
	sub := railyard.ImageSubscription{RepoURL: reg.Host + "/app", DiscoveryLimit: 20}
	cached := sub
	cached.CacheByTag = true
	next := 0
	newTop := func(b *testing.B, _ int) {
		next++
		testenv.PushImage(b, reg.Host, "app", fmt.Sprintf("2.0.%d", next))
	}
	cases := []benchCase{
		{name: "first-cycle", sub: sub, rate: -1},
		{name: "first-cycle-ratelimited", sub: sub, rate: 0},
		{name: "nothing-new", sub: sub, rate: -1, warm: true},
		{name: "nothing-new-cacheByTag", sub: cached, rate: -1, warm: true},
		{name: "one-new-tag", sub: sub, rate: -1, warm: true, setup: newTop},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) { runCycles(b, reg, bc) })
	}
}

func BenchmarkNewestBuild2000(b *testing.B) {
	reg := buildsFixture(b)
	sub := railyard.ImageSubscription{RepoURL: reg.Host + "/builds", ImageSelectionStrategy: "NewestBuild", DiscoveryLimit: 20}
	cases := []benchCase{
		{name: "first-cycle", sub: sub, rate: -1},
		{name: "steady", sub: sub, rate: -1, warm: true},
		{name: "steady-ratelimited", sub: sub, rate: 0, warm: true},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) { runCycles(b, reg, bc) })
	}
}
