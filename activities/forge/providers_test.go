package forge

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// staticCreds answers every lookup with one credential.
type staticCreds creds.Credentials

func (s staticCreds) Lookup(context.Context, string, string) (creds.Credentials, bool, error) {
	return creds.Credentials(s), true, nil
}

// exchange is one request the client must send and the documented answer
// the fake forge returns.
type exchange struct {
	method, uri string // uri: path and query as sent (r.URL.RequestURI)
	body        string // expected JSON body (compared as JSON); "" = none checked
	status      int    // 0 = 200
	file        string // answer, from testdata/<provider>/; "" = empty
}

type providerCase struct {
	name     string
	provider string
	repoURL  string
	user     string
	prefix   string // API root path the fake serves under
	header   [2]string
	calls    []exchange
	do       func(ctx context.Context, c Client) (any, error)
	want     any
	wantErr  error
}

const tok = "s3cr3t-token"

// errRetryable in a case wants an error that IsTerminal rejects.
var errRetryable = errors.New("retryable")

func TestProviders(t *testing.T) {
	cases := append(append(append(githubCases(), gitlabCases()...), bitbucketCases()...), azureCases()...)
	for _, tc := range cases {
		t.Run(tc.provider+"/"+tc.name, func(t *testing.T) {
			srv := fakeForge(t, tc)
			c, err := New(t.Context(), Options{RepoURL: tc.repoURL, Provider: tc.provider,
				Creds: staticCreds{Username: tc.user, Password: tok}, HTTP: srv.Client(), APIBase: srv.URL + tc.prefix})
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.do(t.Context(), c)
			if tc.wantErr == errRetryable {
				if err == nil || railyard.IsTerminal(err) {
					t.Fatalf("error = %v, want a retryable one", err)
				}
				return
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// fakeForge serves tc.calls in order and fails the test on any other request.
func fakeForge(t *testing.T, tc providerCase) *httptest.Server {
	var mu sync.Mutex
	next := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(tc.calls) {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.RequestURI())
			w.WriteHeader(http.StatusTeapot)
			return
		}
		ex := tc.calls[next]
		next++
		if r.Method != ex.method || r.URL.RequestURI() != tc.prefix+ex.uri {
			t.Errorf("request %d: %s %s, want %s %s", next, r.Method, r.URL.RequestURI(), ex.method, tc.prefix+ex.uri)
		}
		if got := r.Header.Get(tc.header[0]); got != tc.header[1] {
			t.Errorf("request %d: header %s = %q, want %q", next, tc.header[0], got, tc.header[1])
		}
		if ex.body != "" {
			b, _ := io.ReadAll(r.Body)
			if !jsonEqual(b, []byte(ex.body)) {
				t.Errorf("request %d body:\n%s\nwant\n%s", next, b, ex.body)
			}
		}
		if ex.status != 0 {
			w.WriteHeader(ex.status)
		}
		if ex.file != "" {
			data, err := os.ReadFile(filepath.Join("testdata", tc.provider, ex.file))
			if err != nil {
				t.Error(err)
			}
			_, _ = w.Write(data)
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		if next != len(tc.calls) {
			t.Errorf("%d of %d expected requests made", next, len(tc.calls))
		}
	})
	return srv
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func open(o OpenOptions) func(ctx context.Context, c Client) (any, error) {
	return func(ctx context.Context, c Client) (any, error) { return c.Open(ctx, o) }
}

func find(src, dst string) func(ctx context.Context, c Client) (any, error) {
	return func(ctx context.Context, c Client) (any, error) {
		pr, ok, err := c.FindOpen(ctx, src, dst)
		if !ok {
			return nil, err
		}
		return pr, err
	}
}

func get(n int64) func(ctx context.Context, c Client) (any, error) {
	return func(ctx context.Context, c Client) (any, error) { return c.Get(ctx, n) }
}

func merge(n int64, method string) func(ctx context.Context, c Client) (any, error) {
	return func(ctx context.Context, c Client) (any, error) { return c.Merge(ctx, n, method) }
}

var promo = OpenOptions{Source: "railyard/promotion/p1", Target: "main", Title: "Promote", Description: "by Railyard", Labels: []string{"promotion", "prod"}}
