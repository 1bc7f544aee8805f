package registry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/internal/testenv"
)

// failing answers every request but /v2/ with status.
func failing(status int) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/" || r.Method != http.MethodGet {
				h.ServeHTTP(w, r)
				return
			}
			w.WriteHeader(status)
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	ok := testenv.StartRegistry(t)
	testenv.PushImage(t, ok.Host, "app", "1.0.0")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name     string
		host     string
		sub      railyard.ImageSubscription
		sentinel error
		terminal bool
		contains string
	}{
		{"invalid constraint", ok.Host, railyard.ImageSubscription{Constraint: "^^1"}, railyard.ErrInvalid, true, "semver constraint"},
		{"digest needs a tag", ok.Host, railyard.ImageSubscription{ImageSelectionStrategy: "Digest"}, railyard.ErrInvalid, true, "constraint"},
		{"unknown strategy", ok.Host, railyard.ImageSubscription{ImageSelectionStrategy: "Newest"}, railyard.ErrInvalid, true, "imageSelectionStrategy"},
		{"bad regex", ok.Host, railyard.ImageSubscription{AllowTagsRegexes: []string{"("}}, railyard.ErrInvalid, true, "allowTagsRegexes"},
		{"bad platform", ok.Host, railyard.ImageSubscription{Platform: "linux"}, railyard.ErrInvalid, true, "platform"},
		{"unknown repository", ok.Host, railyard.ImageSubscription{RepoURL: "nope"}, railyard.ErrNotFound, true, "listing tags of"},
		{"digest in unknown repository", ok.Host, railyard.ImageSubscription{RepoURL: "nope", ImageSelectionStrategy: "Digest", Constraint: "x"},
			railyard.ErrNotFound, true, "reading image"},
		{"unreachable", strings.TrimPrefix(closed.URL, "http://"), railyard.ImageSubscription{}, nil, false, "connection refused"},
		{"server error", testenv.StartRegistry(t, failing(http.StatusInternalServerError)).Host, railyard.ImageSubscription{}, nil, false, "listing tags of"},
		{"rate limited", testenv.StartRegistry(t, failing(http.StatusTooManyRequests)).Host, railyard.ImageSubscription{}, nil, false, "listing tags of"},
		{"forbidden", testenv.StartRegistry(t, failing(http.StatusForbidden)).Host, railyard.ImageSubscription{}, railyard.ErrUnauthenticated, true, "listing tags of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := tt.sub.RepoURL
			if repo == "" {
				repo = "app"
			}
			tt.sub.RepoURL = tt.host + "/" + repo
			_, err := newClient().Discover(context.Background(), tt.sub, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("%v is not %v", err, tt.sentinel)
			}
			if railyard.IsTerminal(err) != tt.terminal {
				t.Errorf("IsTerminal = %v for %v", !tt.terminal, err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("%q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestDockerRegistry(t *testing.T) {
	host := testenv.StartDockerRegistry(t, testenv.DockerRegistryAuth("bot", "s3cret"))
	auth := testenv.WithPushAuth("bot", "s3cret")
	want := map[string]string{}
	for _, tag := range []string{"v1.0.0", "v1.1.0", "v2.0.0"} {
		want[tag] = testenv.PushImage(t, host, "org/app", tag, auth)
	}
	want["multi"] = testenv.PushImage(t, host, "org/app", "multi", auth, testenv.WithPlatforms("linux/amd64", "linux/arm64"))
	store, err := creds.Parse("test.yaml", []byte("credentials:\n- kind: image\n  repoURL: '.*/org/.*'\n  repoURLIsRegex: true\n  username: bot\n  password: {value: s3cret}\n"))
	if err != nil {
		t.Fatal(err)
	}
	repo := host + "/org/app"
	tests := []struct {
		name     string
		source   creds.Source
		sub      railyard.ImageSubscription
		want     []string
		sentinel error
	}{
		{"anonymous is refused", nil, railyard.ImageSubscription{}, nil, railyard.ErrUnauthenticated},
		{"semver with credentials", store, railyard.ImageSubscription{}, []string{"v2.0.0", "v1.1.0", "v1.0.0"}, nil},
		{"platform", store, railyard.ImageSubscription{ImageSelectionStrategy: "Lexical", Platform: "linux/arm64"}, []string{"multi"}, nil},
		{"digest", store, railyard.ImageSubscription{ImageSelectionStrategy: "Digest", Constraint: "v1.1.0"}, []string{"v1.1.0"}, nil},
		{"unknown repository", store, railyard.ImageSubscription{RepoURL: host + "/org/nope"}, nil, railyard.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient()
			c.Creds = tt.source
			if tt.sub.RepoURL == "" {
				tt.sub.RepoURL = repo
			}
			res, err := c.Discover(context.Background(), tt.sub, nil)
			if tt.sentinel != nil {
				if !errors.Is(err, tt.sentinel) {
					t.Fatalf("error = %v, want %v", err, tt.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := tagsOf(res.Images)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("tags = %v, want %v", got, tt.want)
			}
			for _, img := range res.Images {
				if img.Digest != want[img.Tag] {
					t.Errorf("%s: digest %s, want %s", img.Tag, img.Digest, want[img.Tag])
				}
			}
		})
	}
}

// TestTagPagination serves the tag list in pages linked by Link headers.
func TestTagPagination(t *testing.T) {
	pages := 0
	paginate := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/tags/list") {
				h.ServeHTTP(w, r)
				return
			}
			pages++
			last := r.URL.Query().Get("last")
			r.URL.RawQuery = ""
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var list struct {
				Name string   `json:"name"`
				Tags []string `json:"tags"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &list)
			i := 0
			for i < len(list.Tags) && last != "" && list.Tags[i] <= last {
				i++
			}
			page := list.Tags[i:min(i+2, len(list.Tags))]
			if i+2 < len(list.Tags) {
				w.Header().Set("Link", `</v2/app/tags/list?n=2&last=`+page[len(page)-1]+`>; rel="next"`)
			}
			list.Tags = page
			_ = json.NewEncoder(w).Encode(list)
		})
	}
	reg := testenv.StartRegistry(t, paginate)
	for _, tag := range []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4"} {
		testenv.PushImage(t, reg.Host, "app", tag)
	}
	pages = 0
	res, err := newClient().Discover(context.Background(), railyard.ImageSubscription{RepoURL: reg.Host + "/app", DiscoveryLimit: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 1 || res.Images[0].Tag != "1.0.4" || pages < 3 {
		t.Errorf("top %v after %d pages", tagsOf(res.Images), pages)
	}
}

func TestInsecureSkipTLSVerify(t *testing.T) {
	srv := httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	sub := railyard.ImageSubscription{RepoURL: host + "/app"}
	if _, err := newClient().Discover(context.Background(), sub, nil); err == nil {
		t.Fatal("self-signed certificate accepted without insecureSkipTLSVerify")
	}
	sub.InsecureSkipTLSVerify = true
	_, err := newClient().Discover(context.Background(), sub, nil)
	if !errors.Is(err, railyard.ErrNotFound) { // empty registry: reached it
		t.Fatalf("error = %v, want not found", err)
	}
}
