package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
)

func TestHTTPStep(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/status":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Build", "42")
			fmt.Fprintf(w, `{"state": %q, "auth": %q, "q": %q, "method": %q}`,
				r.URL.Query().Get("state"), r.Header.Get("Authorization"), r.URL.Query().Get("q"), r.Method)
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "hello")
		case "/slow":
			time.Sleep(200 * time.Millisecond)
		default:
			http.Error(w, "nope", http.StatusNotFound)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name       string
		config     string
		wantStatus railyard.StepStatus
		wantOut    map[string]any
		wantErr    string
		wantRetry  time.Duration
	}{
		{name: "2xx succeeds with outputs",
			config: `{"url":"%s/status","method":"post","headers":[{"name":"Authorization","value":"Bearer t"}],
				"queryParams":[{"name":"q","value":"a b"}],
				"outputs":[{"name":"auth","fromExpression":"response.body.auth"},{"name":"q","fromExpression":"response.body.q"},
				{"name":"build","fromExpression":"response.header('X-Build')"},{"name":"method","fromExpression":"response.body.method"}]}`,
			wantStatus: StatusSucceeded, wantOut: map[string]any{"auth": "Bearer t", "q": "a b", "build": "42", "method": "POST"}},
		{name: "non-2xx fails without success expression", config: `{"url":"%s/missing"}`, wantStatus: StatusFailed},
		{name: "success expression not met keeps running",
			config:     `{"url":"%s/status","successExpression":"response.body.state == 'done'","pollInterval":"15s"}`,
			wantStatus: StatusRunning, wantRetry: 15 * time.Second},
		{name: "default poll interval",
			config:     `{"url":"%s/status","successExpression":"false"}`,
			wantStatus: StatusRunning, wantRetry: DefaultHTTPPollInterval},
		{name: "success expression met",
			config:     `{"url":"%s/status?state=done","successExpression":"response.body.state == 'done' && response.status == 200"}`,
			wantStatus: StatusSucceeded, wantOut: map[string]any{}},
		{name: "failure expression", config: `{"url":"%s/missing","failureExpression":"response.status == 404","successExpression":"true"}`,
			wantStatus: StatusFailed},
		{name: "error expression", config: `{"url":"%s/status","errorExpression":"response.status == 200"}`,
			wantErr: "error expression matched"},
		{name: "text body", config: `{"url":"%s/text","outputs":[{"name":"b","fromExpression":"response.body"}]}`,
			wantStatus: StatusSucceeded, wantOut: map[string]any{"b": "hello"}},
		{name: "timeout", config: `{"url":"%s/slow","timeout":"50ms"}`, wantErr: "deadline exceeded"},
		{name: "bad expression", config: `{"url":"%s/status","successExpression":"response.status"}`, wantErr: "must evaluate to a bool"},
		{name: "bad timeout", config: `{"url":"%s/status","timeout":"soon"}`, wantErr: "invalid duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := json.RawMessage(fmt.Sprintf(tc.config, srv.URL))
			res, err := HTTP{}.Run(context.Background(), &Context{}, cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.wantStatus || res.RetryAfter != tc.wantRetry {
				t.Errorf("result = %+v", res)
			}
			if tc.wantOut != nil && !reflect.DeepEqual(res.Output, tc.wantOut) {
				t.Errorf("output = %v, want %v", res.Output, tc.wantOut)
			}
		})
	}
}

// TestHTTPBodyFromFileAndProxy: bodyFromFile sends a workspace file, and
// proxy routes the request through an HTTP proxy (a server on loopback
// that answers for the target).
func TestHTTPBodyFromFileAndProxy(t *testing.T) {
	var proxied string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied = r.URL.String()
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"got": %q}`, b)
	}))
	defer proxy.Close()
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "payload.json"), []byte(`{"v":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"url":"http://app.invalid/hook","method":"POST","bodyFromFile":"payload.json","proxy":%q,
		"outputs":[{"name":"got","fromExpression":"response.body.got"}]}`, proxy.URL)
	res, err := HTTP{Client: &http.Client{}}.Run(context.Background(), &Context{WorkDir: work}, json.RawMessage(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if res.Output["got"] != `{"v":1}` || proxied != "http://app.invalid/hook" {
		t.Fatalf("output %v, proxy saw %q", res.Output, proxied)
	}
	for _, bad := range []string{
		`{"url":"http://x.invalid","body":"a","bodyFromFile":"payload.json"}`,
		`{"url":"http://x.invalid","bodyFromFile":"../outside"}`,
		`{"url":"http://x.invalid","proxy":"socks5://p:1080"}`,
	} {
		if _, err := (HTTP{}).Run(context.Background(), &Context{WorkDir: work}, json.RawMessage(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
