package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// fuzzReceiver is one receiver of the test projects and how its provider
// authenticates a request: sign sets the headers a genuine sender sets.
type fuzzReceiver struct {
	path        string
	eventHeader string // the header naming the event; "" when the body says
	sign        func(h http.Header, body []byte)
	authless    bool // the URL is the only credential
}

func fuzzReceivers() []fuzzReceiver {
	hubSig := func(header, secret string) func(http.Header, []byte) {
		return func(h http.Header, body []byte) { h.Set(header, "sha256="+hmacHex(secret, body)) }
	}
	set := func(header, value string) func(http.Header, []byte) {
		return func(h http.Header, _ []byte) { h.Set(header, value) }
	}
	return []fuzzReceiver{
		{path("demo", "github", "gh", "gh-shared-secret"), "X-GitHub-Event", hubSig("X-Hub-Signature-256", "gh-shared-secret"), false},
		{path("demo", "gitlab", "gl", "gl-token"), "X-Gitlab-Event", set("X-Gitlab-Token", "gl-token"), false},
		{path("demo", "bitbucket", "bb", "bb-secret"), "X-Event-Key", hubSig("X-Hub-Signature", "bb-secret"), false},
		{path("demo", "gitea", "gt", "gt-secret"), "X-Gitea-Event", hubSig("X-Hub-Signature-256", "gt-secret"), false},
		{path("demo", "gitea", "gt", "gt-secret"), "X-Gitea-Event", func(h http.Header, body []byte) {
			h.Set("X-Gitea-Signature", hmacHex("gt-secret", body))
		}, false},
		{path("demo", "azure", "az", "only-the-url-knows"), "User-Agent", nil, true},
		{path("demo", "dockerhub", "dh", "only-the-url-knows"), "", nil, true},
		{path("demo", "quay", "qy", "only-the-url-knows"), "", nil, true},
		{path("demo", "harbor", "hb", "Basic aGFyYm9yOnNlY3JldA=="), "", set("Authorization", "Basic aGFyYm9yOnNlY3JldA=="), false},
		{path("demo", "artifactory", "af", "af-token"), "", func(h http.Header, body []byte) {
			h.Set("X-Jfrog-Event-Auth", hmacHex("af-token", body))
		}, false},
		{path("demo", "generic", "gen", "only-the-url-knows"), "X-Event-Type", nil, true},
		{path("demo", "generic", "gen-labels", "only-the-url-knows"), "X-Event-Type", nil, true},
	}
}

// accepted is what a receiver answers when it takes a request.
var accepted = regexp.MustCompile(`^(refreshing \d+ warehouse\(s\)|pong: .+|ignored: .+)\n$`)

// FuzzReceivers posts arbitrary bodies and event names to every receiver,
// signed as its provider signs (or not at all). Every answer is one line:
// 200 with what was refreshed, or a 4xx rejection saying why; a genuine
// signature is never refused, a missing one never accepted; nothing is an
// internal error.
func FuzzReceivers(f *testing.F) {
	seeds := []struct {
		event, body string
	}{
		{"push", githubPush}, {"ping", "{}"}, {"package", githubPackageEvent}, {"Push Hook", gitlabPush},
		{"repo:push", bitbucketPush}, {"repo:refs_changed", bitbucketRefsChanged}, {"push", giteaPush},
		{"AzureContainerRegistry/1.0", acrPush}, {"VSServices/16.255", devopsPush}, {"", dockerhubPush},
		{"", quayPush}, {"", harborPush}, {"", artifactoryPush}, {"push", `{"warehouse":"app","repository":{"url":"https://github.com/example/app"}}`},
		{"push", `{"tier":"critical"}`}, {"diagnostics:ping", ""}, {"push", "not json"}, {"push", `{"repository":[]}`},
	}
	for i := range fuzzReceivers() {
		for _, s := range seeds {
			f.Add(uint8(i), s.event, true, []byte(s.body))
		}
		f.Add(uint8(i), "push", false, []byte(githubPush))
	}
	s, _, rec := newTestServer(f)
	receivers := fuzzReceivers()
	f.Fuzz(func(t *testing.T, which uint8, event string, signed bool, body []byte) {
		rc := receivers[int(which)%len(receivers)]
		req := httptest.NewRequest(http.MethodPost, rc.path, bytes.NewReader(body))
		if rc.eventHeader != "" {
			req.Header[http.CanonicalHeaderKey(rc.eventHeader)] = []string{event}
		}
		if signed && rc.sign != nil {
			rc.sign(req.Header, body)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		rec.take()
		reply := w.Body.String()
		if strings.Count(reply, "\n") != 1 || strings.TrimSpace(reply) == "" {
			t.Fatalf("%s: reply is not one line: %q", rc.path, reply)
		}
		switch code := w.Code; {
		case code == http.StatusOK:
			if !accepted.MatchString(reply) {
				t.Fatalf("%s: accepted with an unexpected reply %q", rc.path, reply)
			}
			if !signed && !rc.authless && !strings.HasPrefix(reply, "pong") {
				t.Fatalf("%s: accepted without credentials: %q", rc.path, reply)
			}
		case code == http.StatusUnauthorized:
			if signed || rc.authless {
				t.Fatalf("%s: refused a genuine sender: %q", rc.path, reply)
			}
		case code == http.StatusBadRequest || code == http.StatusConflict || code == http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%s: status %d %q", rc.path, code, reply)
		}
	})
}
