package git

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/internal/testenv"
)

// staticCreds hands the same credentials to every repository.
type staticCreds creds.Credentials

func (s staticCreds) Lookup(context.Context, string, string) (creds.Credentials, bool, error) {
	return creds.Credentials(s), true, nil
}

type fixture struct {
	srv  *testenv.GitServer
	url  string
	shas map[string]string // subject -> commit
}

// newFixture builds a repository with five commits on main touching
// different paths, a feature branch, and annotated and lightweight tags.
func newFixture(t *testing.T, opts ...testenv.GitOption) *fixture {
	f := &fixture{srv: testenv.NewGitServer(t, opts...), shas: map[string]string{}}
	f.url = f.srv.CreateRepo(t, "demo")
	commit := func(branch, path, subject string) string {
		sha := f.srv.Commit(t, "demo", branch, map[string]string{path: subject}, subject)
		f.shas[subject] = sha
		return sha
	}
	commit("main", "README.md", "initial")                    // 00:01
	c2 := commit("main", "apps/a/deploy.yaml", "feat: app a") // 00:02
	c3 := commit("main", "apps/b/deploy.yaml", "feat: app b") // 00:03
	c4 := commit("main", "docs/guide.md", "docs: guide")      // 00:04
	c5 := commit("main", "apps/a/values.json", "fix: app a values")
	f.srv.Tag(t, "demo", "v1.0.0", c2, true)      // 00:06
	f.srv.Tag(t, "demo", "v1.1.0", c3, false)     // creator date of c3
	f.srv.Tag(t, "demo", "v2.0.0-rc.1", c4, true) // 00:08
	f.srv.Tag(t, "demo", "v1.2", c5, false)       // creator date of c5
	f.srv.Tag(t, "demo", "release-b", c3, true)   // 00:10
	commit("feature", "f.txt", "feature one")
	commit("feature", "f.txt", strings.Repeat("long subject ", 10))
	return f
}

func (f *fixture) client(t *testing.T, src creds.Source) *Client {
	return &Client{CacheDir: t.TempDir(), Creds: src}
}

func TestDiscoverStrategies(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	tests := []struct {
		name string
		sub  railyard.GitSubscription
		want []string // subjects (branch) or tags
	}{
		{name: "newest from default branch", want: []string{"fix: app a values", "docs: guide", "feat: app b", "feat: app a", "initial"}},
		{name: "named branch", sub: railyard.GitSubscription{Branch: "main", DiscoveryLimit: 2}, want: []string{"fix: app a values", "docs: guide"}},
		{name: "include subtree", sub: railyard.GitSubscription{IncludePaths: []string{"apps/a"}}, want: []string{"fix: app a values", "feat: app a"}},
		{name: "include and exclude", sub: railyard.GitSubscription{IncludePaths: []string{"apps/"}, ExcludePaths: []string{"apps/b"}}, want: []string{"fix: app a values", "feat: app a"}},
		{name: "exclude only", sub: railyard.GitSubscription{ExcludePaths: []string{"apps", "README.md"}}, want: []string{"docs: guide"}},
		{name: "glob doublestar", sub: railyard.GitSubscription{IncludePaths: []string{"glob:**/*.yaml"}}, want: []string{"feat: app b", "feat: app a"}},
		{name: "glob star", sub: railyard.GitSubscription{IncludePaths: []string{"glob:apps/*/values.json"}}, want: []string{"fix: app a values"}},
		{name: "regex", sub: railyard.GitSubscription{IncludePaths: []string{"regex:^docs/"}}, want: []string{"docs: guide"}},
		{name: "regexp", sub: railyard.GitSubscription{IncludePaths: []string{`regexp:\.md$`}}, want: []string{"docs: guide", "initial"}},
		{name: "expression", sub: railyard.GitSubscription{ExpressionFilter: `subject startsWith "feat"`}, want: []string{"feat: app b", "feat: app a"}},
		{name: "expression non-bool", sub: railyard.GitSubscription{ExpressionFilter: `id == "` + f.shas["initial"] + `" ? "true" : "false"`}, want: []string{"initial"}},
		{name: "expression on dates", sub: railyard.GitSubscription{ExpressionFilter: `commitDate.Minute() <= 2 && author contains "Railyard"`}, want: []string{"feat: app a", "initial"}},
		{name: "since", sub: railyard.GitSubscription{Since: "2024-01-01T00:03:30Z"}, want: []string{"fix: app a values", "docs: guide"}},
		{name: "feature branch", sub: railyard.GitSubscription{Branch: "feature"}, want: []string{strings.Repeat("long subject ", 10), "feature one"}},
		{name: "semver", sub: railyard.GitSubscription{CommitSelectionStrategy: "SemVer"}, want: []string{"v2.0.0-rc.1", "v1.1.0", "v1.0.0"}},
		{name: "semver constraint", sub: railyard.GitSubscription{CommitSelectionStrategy: "SemVer", SemverConstraint: "^1.0.0"}, want: []string{"v1.1.0", "v1.0.0"}},
		{name: "semver not strict", sub: railyard.GitSubscription{CommitSelectionStrategy: "SemVer", StrictSemvers: new(false)}, want: []string{"v2.0.0-rc.1", "v1.2", "v1.1.0", "v1.0.0"}},
		{name: "semver nothing", sub: railyard.GitSubscription{CommitSelectionStrategy: "SemVer", SemverConstraint: ">=3"}},
		{name: "lexical", sub: railyard.GitSubscription{CommitSelectionStrategy: "Lexical"}, want: []string{"v2.0.0-rc.1", "v1.2", "v1.1.0", "v1.0.0", "release-b"}},
		{name: "lexical allow", sub: railyard.GitSubscription{CommitSelectionStrategy: "Lexical", AllowTagsRegexes: []string{"^v1"}}, want: []string{"v1.2", "v1.1.0", "v1.0.0"}},
		{name: "newest tag", sub: railyard.GitSubscription{CommitSelectionStrategy: "NewestTag"}, want: []string{"release-b", "v2.0.0-rc.1", "v1.0.0", "v1.2", "v1.1.0"}},
		{name: "newest tag ignore", sub: railyard.GitSubscription{CommitSelectionStrategy: "NewestTag", IgnoreTagsRegexes: []string{"rc", "^release"}, DiscoveryLimit: 2}, want: []string{"v1.0.0", "v1.2"}},
		{name: "tag annotation", sub: railyard.GitSubscription{CommitSelectionStrategy: "NewestTag", ExpressionFilter: `annotation contains "release" && tagger contains "Railyard"`}, want: []string{"release-b", "v2.0.0-rc.1", "v1.0.0"}},
		{name: "tag non-bool expression", sub: railyard.GitSubscription{CommitSelectionStrategy: "Lexical", ExpressionFilter: `tag == "v1.2" ? "true" : "0"`}, want: []string{"v1.2"}},
		{name: "tag paths", sub: railyard.GitSubscription{CommitSelectionStrategy: "NewestTag", IncludePaths: []string{"apps/a"}}, want: []string{"v1.0.0", "v1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sub.RepoURL = f.url
			res, err := c.Discover(t.Context(), tt.sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.names(res); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
			if len(tt.want) == 0 && res.Error == "" {
				t.Fatal("empty result without a reason")
			}
			f.checkFields(t, tt.sub, res)
		})
	}
}

// names returns subjects for branch results and tags for tag results, and
// checks that commit IDs are the fixture's.
func (f *fixture) names(res railyard.SubscriptionResult) []string {
	var out []string
	for _, c := range res.Commits {
		if c.Tag != "" {
			out = append(out, c.Tag)
			continue
		}
		for subject, sha := range f.shas {
			if sha == c.ID {
				out = append(out, subject)
			}
		}
	}
	return out
}

func (f *fixture) checkFields(t *testing.T, sub railyard.GitSubscription, res railyard.SubscriptionResult) {
	t.Helper()
	if res.Kind != "git" || res.RepoURL != f.url || res.ObservedRefs == nil {
		t.Fatalf("bad result header: %+v", res)
	}
	for _, c := range res.Commits {
		if len([]rune(c.Message)) > 80 || c.Author == "" || c.Committer == "" || c.CreatorDate.IsZero() || c.RepoURL != f.url {
			t.Fatalf("bad commit fields: %+v", c)
		}
		if sub.Strategy() == railyard.CommitNewestFromBranch && (c.Branch == "" || c.Tag != "") {
			t.Fatalf("branch commit without branch: %+v", c)
		}
	}
}

func TestDiscoverInvalid(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	tests := []struct {
		name string
		sub  railyard.GitSubscription
		want error
	}{
		{name: "bad regex", sub: railyard.GitSubscription{CommitSelectionStrategy: "Lexical", AllowTagsRegexes: []string{"("}}, want: railyard.ErrInvalid},
		{name: "bad constraint", sub: railyard.GitSubscription{CommitSelectionStrategy: "SemVer", SemverConstraint: "^^1"}, want: railyard.ErrInvalid},
		{name: "bad strategy", sub: railyard.GitSubscription{CommitSelectionStrategy: "Oldest"}, want: railyard.ErrInvalid},
		{name: "bad expression", sub: railyard.GitSubscription{ExpressionFilter: "subject +"}, want: railyard.ErrInvalid},
		{name: "unknown variable", sub: railyard.GitSubscription{ExpressionFilter: "tag == 'x'"}, want: railyard.ErrInvalid},
		{name: "non-boolean result", sub: railyard.GitSubscription{ExpressionFilter: "subject"}, want: railyard.ErrInvalid},
		{name: "bad since", sub: railyard.GitSubscription{Since: "yesterday"}, want: railyard.ErrInvalid},
		{name: "bad glob", sub: railyard.GitSubscription{IncludePaths: []string{"glob:[a"}}, want: railyard.ErrInvalid},
		{name: "missing branch", sub: railyard.GitSubscription{Branch: "nope"}, want: railyard.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sub.RepoURL = f.url
			_, err := c.Discover(t.Context(), tt.sub, nil)
			if !errors.Is(err, tt.want) || !railyard.IsTerminal(err) {
				t.Fatalf("err = %v, want %v (terminal)", err, tt.want)
			}
		})
	}
}

func TestDiscoverRemoteErrors(t *testing.T) {
	const pass = "s3cret-token"
	f := newFixture(t, testenv.WithBasicAuth("bot", pass))
	down := testenv.NewGitServer(t)
	downURL := down.CreateRepo(t, "gone")
	down.Close()
	tests := []struct {
		name     string
		url      string
		src      creds.Source
		want     error // nil: success
		terminal bool
		failure  bool
	}{
		{name: "right password", url: f.url, src: staticCreds{Username: "bot", Password: pass}},
		{name: "wrong password", url: f.url, src: staticCreds{Username: "bot", Password: "nope"}, want: railyard.ErrUnauthenticated, terminal: true, failure: true},
		{name: "no credentials", url: f.url, want: railyard.ErrUnauthenticated, terminal: true, failure: true},
		{name: "missing repository", url: f.srv.URL("missing"), src: staticCreds{Username: "bot", Password: pass}, want: railyard.ErrNotFound, terminal: true, failure: true},
		{name: "server down", url: downURL, src: staticCreds{Username: "bot", Password: pass}, failure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.client(t, tt.src)
			res, err := c.Discover(t.Context(), railyard.GitSubscription{RepoURL: tt.url}, nil)
			if (err != nil) != tt.failure {
				t.Fatalf("err = %v, want failure %v", err, tt.failure)
			}
			if err == nil {
				if len(res.Commits) != 5 {
					t.Fatalf("got %d commits", len(res.Commits))
				}
				return
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if railyard.IsTerminal(err) != tt.terminal {
				t.Fatalf("railyard.IsTerminal(%v) = %v", err, !tt.terminal)
			}
			if strings.Contains(err.Error(), pass) || !strings.HasPrefix(err.Error(), "fetching ") {
				t.Fatalf("bad error text: %v", err)
			}
		})
	}
}

func TestDiscoverUserinfoRedacted(t *testing.T) {
	f := newFixture(t, testenv.WithBasicAuth("bot", "pw"))
	url := strings.Replace(f.url, "http://", "http://bot:wrong-pw@", 1)
	_, err := f.client(t, nil).Discover(t.Context(), railyard.GitSubscription{RepoURL: url}, nil)
	if !errors.Is(err, railyard.ErrUnauthenticated) || strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("err = %v", err)
	}
}

func TestDiscoverCycles(t *testing.T) {
	tests := []struct {
		name string
		sub  railyard.GitSubscription
		move func(f *fixture, t *testing.T)
		// requests of the cycle after the move: the listing, then a
		// fetch on its session (a branch) or by refs through git
		// (capabilities, ls-refs, fetch)
		requests int64
	}{
		{name: "branch", move: func(f *fixture, t *testing.T) {
			f.srv.Commit(t, "demo", "main", map[string]string{"new.txt": "x"}, "new commit")
		}, requests: 2},
		{name: "tags", sub: railyard.GitSubscription{CommitSelectionStrategy: "SemVer"}, move: func(f *fixture, t *testing.T) {
			f.srv.Tag(t, "demo", "v3.0.0", "main", true)
		}, requests: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.client(t, nil)
			tt.sub.RepoURL = f.url
			first, err := c.Discover(t.Context(), tt.sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			f.srv.ResetCounters()
			again, err := c.Discover(t.Context(), tt.sub, &first)
			if err != nil || f.srv.Requests() > 2 || again.Commits[0].ID != first.Commits[0].ID {
				t.Fatalf("nothing-new cycle: err %v, %d requests", err, f.srv.Requests())
			}
			tt.move(f, t)
			f.srv.ResetCounters()
			warm, err := c.Discover(t.Context(), tt.sub, &again)
			if err != nil || warm.Commits[0].ID == first.Commits[0].ID {
				t.Fatalf("after a change: err %v, still %s", err, warm.Commits[0].ID)
			}
			if got := f.srv.Requests(); got != tt.requests {
				t.Errorf("after a change: %d requests, want %d", got, tt.requests)
			}
			cold, err := f.client(t, nil).Discover(t.Context(), tt.sub, nil)
			if err != nil || names(cold) != names(warm) || !sameRefs(cold.ObservedRefs, warm.ObservedRefs) {
				t.Fatalf("cold cache differs:\n%v\n%v (%v)", names(cold), names(warm), err)
			}
		})
	}
}

func names(r railyard.SubscriptionResult) string {
	var b strings.Builder
	for _, c := range r.Commits {
		b.WriteString(c.ID + c.Tag + c.Branch + c.Message + "|")
	}
	return b.String()
}

func sameRefs(a, b *railyard.ObservedRefs) bool {
	return a != nil && b != nil && reusable(&railyard.SubscriptionResult{ObservedRefs: a}, "", b)
}

func TestDiscoverConcurrent(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	subs := []railyard.GitSubscription{
		{RepoURL: f.url}, {RepoURL: f.url, CommitSelectionStrategy: "SemVer"},
		{RepoURL: f.url, Branch: "feature"}, {RepoURL: f.url, CommitSelectionStrategy: "NewestTag"},
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(subs)*3)
	for range 3 {
		for _, sub := range subs {
			wg.Go(func() {
				if _, err := c.Discover(t.Context(), sub, nil); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestFetchHead fetches the listed commit: on the listing's own session
// when the mirror is warm (one request more than the listing), by its name
// through git otherwise, and by the branch's name where that is refused.
// Over http, protocol v0 serves a commit the branch moved past since the
// listing (it checks that a want is reachable, not that it is a tip) but
// refuses one a forced push took out of every branch, which protocol v2
// still serves; git's own v0 client asks only for advertised tips.
func TestFetchHead(t *testing.T) {
	v0 := []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=protocol.version", "GIT_CONFIG_VALUE_0=0"}
	tests := []struct {
		name    string
		warm    bool     // the mirror holds main before the new commit
		session bool     // the fetch may follow on the listing's session
		env     []string // the git client's
		files   int      // in the new commit (1 when 0)
		moved   bool     // main moves on after the listing
		reset   bool     // main is forced back after the listing
		extra   int      // branches the mirror holds beside main, on its first commit
		want    string   // "listed" or "tip": main in the mirror afterwards
		// requests after the listing: 1 on the session; 2 for git by
		// commit (capabilities, fetch); more when a refusal is retried
		requests int64
	}{
		{name: "warm, on the session", warm: true, session: true, want: "listed", requests: 1},
		{name: "warm, on the session, a pack kept", warm: true, session: true, files: 150, want: "listed", requests: 1},
		{name: "warm, on the session, more branches than maxHaves", warm: true, session: true, extra: maxHaves + 44, want: "listed", requests: 1},
		{name: "warm, on the session, the branch moved on", warm: true, session: true, moved: true, want: "listed", requests: 1},
		{name: "warm, on the session, the branch forced back", warm: true, session: true, reset: true, want: "listed", requests: 3},
		{name: "cold, git by commit", session: true, want: "listed", requests: 2},
		{name: "git v2, the branch moved on", moved: true, want: "listed", requests: 2},
		{name: "git v0, the listed tip", env: v0, want: "listed", requests: 2},
		{name: "git v0, the branch moved on", env: v0, moved: true, want: "tip", requests: 3},
		{name: "git v0, the branch forced back", env: v0, reset: true, want: "tip", requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c := &Client{CacheDir: t.TempDir(), Env: tt.env}
			r := Remote{URL: f.url}
			if tt.warm {
				if _, err := c.SyncMirror(t.Context(), r); err != nil {
					t.Fatal(err)
				}
			}
			for i := range tt.extra {
				if _, err := c.Git(t.Context(), c.MirrorDir(f.url), "update-ref", fmt.Sprintf("refs/heads/old-%d", i), f.shas["initial"]); err != nil {
					t.Fatal(err)
				}
			}
			files := map[string]string{"new.txt": "x"}
			for i := range tt.files {
				files[fmt.Sprintf("many/%d.txt", i)] = fmt.Sprint(i)
			}
			listed := f.srv.Commit(t, "demo", "main", files, "new")
			sel, err := newSelector(railyard.GitSubscription{RepoURL: f.url, Branch: "main"})
			if err != nil {
				t.Fatal(err)
			}
			head, adv, err := c.branchHead(t.Context(), r, "main")
			if err != nil || head != listed || adv == nil {
				t.Fatalf("branchHead = %s, %v, %v; want %s and a session", head, adv, err, listed)
			}
			defer adv.sess.Close()
			if !tt.session {
				adv = nil
			}
			tip := listed
			if tt.moved {
				tip = f.srv.Commit(t, "demo", "main", map[string]string{"newer.txt": "y"}, "newer")
			}
			if tt.reset {
				tip = f.shas["initial"]
				out, err := exec.Command("git", "-C", f.srv.Path("demo"), "update-ref", "refs/heads/main", tip).CombinedOutput()
				if err != nil {
					t.Fatalf("forcing main back: %v: %s", err, out)
				}
			}
			f.srv.ResetCounters()
			before := packs(t, c.MirrorDir(f.url))
			dir, err := c.fetchHead(t.Context(), r, sel, "main", &head, adv)
			want := map[string]string{"listed": listed, "tip": tip}[tt.want]
			if err != nil || head != want {
				t.Fatalf("head %s, %v; want %s", head, err, want)
			}
			if got, _ := c.Git(t.Context(), dir, "rev-parse", "refs/heads/main"); got != want {
				t.Errorf("mirror's main = %s, want %s", got, want)
			}
			if _, err := c.Git(t.Context(), dir, "fsck", "--connectivity-only", "--no-dangling"); err != nil {
				t.Errorf("mirror incomplete: %v", err)
			}
			if got := f.srv.Requests(); got != tt.requests {
				t.Errorf("%d requests after the listing, want %d", got, tt.requests)
			}
			if added := packs(t, dir) - before; tt.warm && (added > 0) != (tt.files >= unpackLimit) {
				t.Errorf("%d new packs in the mirror for %d new files: want one only from %d objects", added, tt.files, unpackLimit)
			}
		})
	}
}

// packs counts the packs of the repository at dir.
func packs(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}
