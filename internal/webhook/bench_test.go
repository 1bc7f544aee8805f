package webhook

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestBurstCoalesces: 100 valid pushes to one repository within a moment
// cost one immediate refresh and one trailing refresh, not 100.
func TestBurstCoalesces(t *testing.T) {
	s, hs, rec := newTestServer(t)
	s.Coalesce = 300 * time.Millisecond
	gh := path("demo", "github", "gh", "gh-shared-secret")
	for i := range 100 {
		status, reply := post(t, hs.URL, gh, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": fmt.Sprint("burst-", i),
			"X-Hub-Signature-256": "sha256=" + sign("gh-shared-secret", githubPush)}, githubPush)
		if status != http.StatusOK {
			t.Fatalf("event %d: %d %s", i, status, reply)
		}
	}
	time.Sleep(500 * time.Millisecond)
	got := rec.take()
	if len(got) < 1 || len(got) > 2 {
		t.Errorf("100 events caused %d refreshes: %v", len(got), got)
	}
	t.Logf("100 events → %d refresh signals", len(got))
}

// BenchmarkRejected measures how many bad requests one core turns away
// (run with -cpu 1): the handler alone, and over loopback HTTP.
func BenchmarkRejected(b *testing.B) {
	s, hs, _ := newTestServer(b)
	gh := path("demo", "github", "gh", "gh-shared-secret")
	cases := []struct {
		name, path string
		headers    map[string]string
	}{
		{"bad-signature", gh, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign("wrong", githubPush)}},
		{"unknown-path", "/github/" + strings.Repeat("0", 64), nil},
	}
	for _, c := range cases {
		b.Run(c.name+"/handler", func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(githubPush))
				for k, v := range c.headers {
					req.Header.Set(k, v)
				}
				rr := httptest.NewRecorder()
				s.ServeHTTP(rr, req)
				if rr.Code < 400 {
					b.Fatalf("accepted: %d", rr.Code)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rejected/s")
		})
		b.Run(c.name+"/http", func(b *testing.B) {
			client := hs.Client()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, hs.URL+c.path, strings.NewReader(githubPush))
				for k, v := range c.headers {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 400 {
					b.Fatalf("accepted: %d", resp.StatusCode)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rejected/s")
		})
	}
}
