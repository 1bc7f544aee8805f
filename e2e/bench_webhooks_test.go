package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkWebhooks prints, with warehouses polling every 10 minutes: git
// push (its post-receive hook POSTs a signed GitHub event) → Freight
// minted and → commit on the dev branch, median of 10; and the discoveries
// a burst of 100 signed push events causes.
func BenchmarkWebhooks(b *testing.B) {
	w := newHookWorld(b)
	var minted, dev []time.Duration
	for i := range 10 {
		begin := time.Now()
		sha := w.push(fmt.Sprint("bench-", i))
		poll(b, 30*time.Second, func() bool { return w.hasFreight("app", sha) })
		minted = append(minted, time.Since(begin))
		poll(b, 60*time.Second, func() bool { return w.dev("app.txt") == sha })
		dev = append(dev, time.Since(begin))
	}
	b.ReportMetric(median(minted).Seconds()*1000, "ms-to-freight")
	b.ReportMetric(median(dev).Seconds()*1000, "ms-to-dev")
	b.Logf("push → Freight: median %s of %v", median(minted), minted)
	b.Logf("push → dev commit: median %s of %v", median(dev), dev)

	before := w.cycles("app")
	body := `{"ref":"refs/heads/main","repository":{"name":"src","clone_url":"` + w.src + `"}}`
	m := hmac.New(sha256.New, []byte(hookGitHubSecret))
	m.Write([]byte(body))
	sig := "sha256=" + hex.EncodeToString(m.Sum(nil))
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 100 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, w.urls["github"], strings.NewReader(body))
			req.Header.Set("X-GitHub-Event", "push")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprint("burst-", i))
			req.Header.Set("X-Hub-Signature-256", sig)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("burst event %d: %d", i, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	sent := time.Since(start)
	time.Sleep(5 * time.Second)
	n := w.cycles("app") - before
	b.ReportMetric(float64(n), "discoveries/100-events")
	b.Logf("burst of 100 events (sent in %s) → %d discoveries", sent.Round(time.Millisecond), n)
}

func poll(b *testing.B, timeout time.Duration, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
