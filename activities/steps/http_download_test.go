package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func TestHTTPDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chart.tgz":
			fmt.Fprintf(w, "archive auth=%s v=%s", r.Header.Get("Authorization"), r.URL.Query().Get("v"))
		case "/flaky":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name, config string
		existing     bool
		want         string // file contents
		wantErr      string
		terminal     bool
	}{
		{name: "downloads with headers and query",
			config: `{"url":"%s/chart.tgz","outPath":"dl/chart.tgz","headers":[{"name":"Authorization","value":"Bearer t"}],"queryParams":[{"name":"v","value":"1 2"}]}`,
			want:   "archive auth=Bearer t v=1 2"},
		{name: "existing file refused", existing: true,
			config: `{"url":"%s/chart.tgz","outPath":"dl/chart.tgz"}`, wantErr: "already exists", terminal: true},
		{name: "existing file replaced when allowed", existing: true,
			config: `{"url":"%s/chart.tgz","outPath":"dl/chart.tgz","allowOverwrite":true}`, want: "archive auth= v="},
		{name: "404 is terminal", config: `{"url":"%s/nope","outPath":"x"}`, wantErr: "status 404", terminal: true},
		{name: "503 is retried", config: `{"url":"%s/flaky","outPath":"x"}`, wantErr: "status 503"},
		{name: "outPath outside", config: `{"url":"%s/chart.tgz","outPath":"../x"}`, wantErr: "outside", terminal: true},
		{name: "bad timeout", config: `{"url":"%s/chart.tgz","outPath":"x","timeout":"soon"}`, wantErr: "timeout", terminal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			if tt.existing {
				_ = os.MkdirAll(filepath.Join(work, "dl"), 0o755)
				_ = os.WriteFile(filepath.Join(work, "dl", "chart.tgz"), []byte("old"), 0o644)
			}
			_, err := HTTPDownload{}.Run(context.Background(), &Context{WorkDir: work}, []byte(fmt.Sprintf(tt.config, srv.URL)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || railyard.IsTerminal(err) != tt.terminal {
					t.Fatalf("error = %v (terminal %t), want %q (terminal %t)", err, railyard.IsTerminal(err), tt.wantErr, tt.terminal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(work, "dl", "chart.tgz"))
			if string(got) != tt.want {
				t.Errorf("file = %q, want %q", got, tt.want)
			}
		})
	}
}
