package registry

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

func newClient() *Client {
	return &Client{RateLimit: -1, Keychain: authn.NewMultiKeychain()}
}

func tagsOf(imgs []railyard.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.Tag
	}
	return out
}

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fixture pushes a repository exercising every strategy and returns the
// digests by tag.
func fixture(t *testing.T, host string) map[string]string {
	t.Helper()
	d := map[string]string{}
	push := func(tag string, opts ...testenv.ImageOption) {
		d[tag] = testenv.PushImage(t, host, "app", tag, opts...)
	}
	push("v1.0.0", testenv.WithCreated(t0.Add(5*time.Hour)))
	push("v1.1.0", testenv.WithCreated(t0.Add(1*time.Hour)),
		testenv.WithAnnotations(map[string]string{"org.opencontainers.image.created": t0.Add(9 * time.Hour).Format(time.RFC3339), "team": "a"}))
	push("v1.2", testenv.WithCreated(t0.Add(2*time.Hour)))
	push("v2.0.0-rc.1", testenv.WithCreated(t0.Add(3*time.Hour)),
		testenv.WithLabels(map[string]string{"org.label-schema.build-date": t0.Add(7 * time.Hour).Format(time.RFC3339)}))
	push("1.3.0", testenv.WithCreated(t0.Add(4*time.Hour)))
	push("latest", testenv.WithCreated(t0.Add(6*time.Hour)))
	push("multi-1", testenv.WithCreated(t0.Add(8*time.Hour)), testenv.WithPlatforms("linux/amd64", "linux/arm64/v8"),
		testenv.WithAnnotations(map[string]string{"kind": "index"}))
	return d
}

func TestDiscoverStrategies(t *testing.T) {
	reg := testenv.StartRegistry(t)
	digests := fixture(t, reg.Host)
	repo := reg.Host + "/app"
	tests := []struct {
		name   string
		sub    railyard.ImageSubscription
		want   []string
		reason bool
	}{
		{"semver default strict", railyard.ImageSubscription{}, []string{"v2.0.0-rc.1", "1.3.0", "v1.1.0", "v1.0.0"}, false},
		{"semver loose", railyard.ImageSubscription{StrictSemvers: ptr(false)},
			[]string{"v2.0.0-rc.1", "1.3.0", "v1.2", "v1.1.0", "v1.0.0"}, false},
		{"semver constraint", railyard.ImageSubscription{Constraint: "^1.1"}, []string{"1.3.0", "v1.1.0"}, false},
		{"semver limit", railyard.ImageSubscription{DiscoveryLimit: 2}, []string{"v2.0.0-rc.1", "1.3.0"}, false},
		{"ignore then allow", railyard.ImageSubscription{AllowTagsRegexes: []string{`^v`}, IgnoreTagsRegexes: []string{`rc`}},
			[]string{"v1.1.0", "v1.0.0"}, false},
		{"lexical", railyard.ImageSubscription{ImageSelectionStrategy: "Lexical"},
			[]string{"v2.0.0-rc.1", "v1.2", "v1.1.0", "v1.0.0", "multi-1", "latest", "1.3.0"}, false},
		{"newest build", railyard.ImageSubscription{ImageSelectionStrategy: "NewestBuild", DiscoveryLimit: 4},
			[]string{"v1.1.0", "multi-1", "v2.0.0-rc.1", "latest"}, false},
		{"digest", railyard.ImageSubscription{ImageSelectionStrategy: "Digest", Constraint: "latest"}, []string{"latest"}, false},
		{"digest of a missing tag", railyard.ImageSubscription{ImageSelectionStrategy: "Digest", Constraint: "nope"}, nil, true},
		{"platform keeps indexes listing it", railyard.ImageSubscription{ImageSelectionStrategy: "Lexical", Platform: "linux/arm64/v8"},
			[]string{"multi-1"}, false},
		{"platform nobody has", railyard.ImageSubscription{ImageSelectionStrategy: "Lexical", Platform: "windows/amd64"}, nil, true},
		{"no semver match", railyard.ImageSubscription{Constraint: ">=5"}, nil, true},
	}
	c := newClient()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sub.RepoURL = repo
			res, err := c.Discover(context.Background(), tt.sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := tagsOf(res.Images); !slices.Equal(got, tt.want) {
				t.Errorf("tags = %v, want %v", got, tt.want)
			}
			if (res.Error != "") != tt.reason {
				t.Errorf("Error = %q", res.Error)
			}
			if res.RepoURL != repo || res.Kind != "image" || res.Platform != tt.sub.Platform {
				t.Errorf("result header = %+v", res)
			}
			for _, img := range res.Images {
				if img.Digest != digests[img.Tag] || img.RepoURL != repo {
					t.Errorf("%s: digest %s, want %s (repoURL %s)", img.Tag, img.Digest, digests[img.Tag], img.RepoURL)
				}
			}
		})
	}
}

func TestDiscoverMetadata(t *testing.T) {
	reg := testenv.StartRegistry(t)
	fixture(t, reg.Host)
	c := newClient()
	res, err := c.Discover(context.Background(), railyard.ImageSubscription{RepoURL: reg.Host + "/app",
		ImageSelectionStrategy: "Lexical", DiscoveryLimit: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	byTag := map[string]railyard.Image{}
	for _, img := range res.Images {
		byTag[img.Tag] = img
	}
	tests := []struct {
		tag        string
		created    time.Time
		annotation string
	}{
		{"v1.0.0", t0.Add(5 * time.Hour), ""},
		{"v1.1.0", t0.Add(9 * time.Hour), "a"},     // annotation newer than config
		{"v2.0.0-rc.1", t0.Add(7 * time.Hour), ""}, // label-schema label
		{"multi-1", t0.Add(8 * time.Hour), ""},     // newest image of the index
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			img := byTag[tt.tag]
			if !img.CreatedAt.Equal(tt.created) {
				t.Errorf("createdAt = %v, want %v", img.CreatedAt, tt.created)
			}
			if img.Annotations["team"] != tt.annotation {
				t.Errorf("annotations = %v", img.Annotations)
			}
		})
	}
	if byTag["multi-1"].Annotations["kind"] != "index" {
		t.Errorf("index annotations = %v", byTag["multi-1"].Annotations)
	}
}
