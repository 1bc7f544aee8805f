package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/forge"
)

// fakeForge is a forge.Client over a map of pull requests.
type fakeForge struct {
	prs      map[int64]*forge.PullRequest
	next     int64
	fail     error // returned by every call when set
	openErr  error // returned by Open, after it opened (a lost answer)
	mergeErr error
	opened   int
	merged   int
}

func (f *fakeForge) Open(_ context.Context, o forge.OpenOptions) (forge.PullRequest, error) {
	if f.fail != nil {
		return forge.PullRequest{}, f.fail
	}
	f.next++
	f.opened++
	pr := &forge.PullRequest{Number: f.next, URL: fmt.Sprintf("http://forge/pulls/%d", f.next), Open: true,
		HeadBranch: o.Source, BaseBranch: o.Target, MergeState: forge.MergeUnknown}
	f.prs[pr.Number] = pr
	if f.openErr != nil {
		return forge.PullRequest{}, f.openErr
	}
	return *pr, nil
}

func (f *fakeForge) FindOpen(_ context.Context, src, dst string) (forge.PullRequest, bool, error) {
	if f.fail != nil {
		return forge.PullRequest{}, false, f.fail
	}
	for _, pr := range f.prs {
		if pr.Open && pr.HeadBranch == src && pr.BaseBranch == dst {
			return *pr, true, nil
		}
	}
	return forge.PullRequest{}, false, nil
}

func (f *fakeForge) Get(_ context.Context, n int64) (forge.PullRequest, error) {
	if f.fail != nil {
		return forge.PullRequest{}, f.fail
	}
	pr, ok := f.prs[n]
	if !ok {
		return forge.PullRequest{}, forge.ErrNotFound
	}
	return *pr, nil
}

func (f *fakeForge) Merge(_ context.Context, n int64, _ string) (forge.PullRequest, error) {
	if f.mergeErr != nil {
		return forge.PullRequest{}, f.mergeErr
	}
	pr := f.prs[n]
	pr.Open, pr.Merged, pr.MergeCommit, pr.MergeState = false, true, "m3rg3", ""
	f.merged++
	return *pr, nil
}

func prRunner(f *fakeForge, now time.Time) PullRequests {
	return PullRequests{Now: func() time.Time { return now },
		NewClient: func(context.Context, forge.Options) (forge.Client, error) { return f, nil }}
}

type prCase struct {
	name      string
	prs       []forge.PullRequest
	fail      error
	openErr   error
	mergeErr  error
	waited    time.Duration // since the step first ran
	runner    func(PullRequests) Runner
	config    string
	status    railyard.StepStatus
	retry     time.Duration
	message   string // substring
	output    string // JSON of the output; "" = not checked
	terminal  bool   // an error, terminal
	retryable bool   // an error, retryable
	opened    int
}

func TestPullRequestSteps(t *testing.T) {
	open := func(p PullRequests) Runner { return GitOpenPR{p} }
	wait := func(p PullRequests) Runner { return GitWaitForPR{p} }
	merge := func(p PullRequests) Runner { return GitMergePR{p} }
	openPR := forge.PullRequest{Number: 12, URL: "http://forge/pulls/12", Open: true, HeadBranch: "railyard/promotion/p1", BaseBranch: "main", MergeState: forge.MergeReady}
	pending := openPR
	pending.MergeState = forge.MergeUnknown
	conflicted := openPR
	conflicted.MergeState = forge.MergeConflict
	merged := forge.PullRequest{Number: 12, URL: openPR.URL, Merged: true, MergeCommit: "abc123"}
	closed := forge.PullRequest{Number: 12, URL: openPR.URL, ClosedReason: "closed without merge at 2026-12-01T11:00:00Z"}
	const repo = `"repoURL":"http://forge/acme/gitops.git","provider":"gitea"`
	down := errors.New("dial tcp 127.0.0.1:1: connection refused")
	denied := fmt.Errorf("http://forge/acme/gitops.git: %w (403): token lacks write:repository", forge.ErrPermission)
	cases := []prCase{
		{name: "open: opens one", runner: open, config: `{` + repo + `,"sourceBranch":"railyard/promotion/p1","targetBranch":"main"}`,
			status: StatusSucceeded, output: `{"pr":{"id":1,"url":"http://forge/pulls/1"}}`, message: "opened", opened: 1},
		{name: "open: re-run finds the open one", prs: []forge.PullRequest{openPR}, runner: open,
			config: `{` + repo + `,"sourceBranch":"refs/heads/railyard/promotion/p1","targetBranch":"main"}`,
			status: StatusSucceeded, output: `{"pr":{"id":12,"url":"http://forge/pulls/12"}}`, message: "already open", opened: 0},
		{name: "open: answer lost, found after", openErr: down, runner: open,
			config: `{` + repo + `,"sourceBranch":"b","targetBranch":"main"}`, status: StatusSucceeded, message: "already open", opened: 1},
		{name: "open: forge down is polled", fail: down, runner: open,
			config: `{` + repo + `,"sourceBranch":"b","targetBranch":"main"}`, status: StatusRunning, retry: 10 * time.Second, message: "connection refused; retrying in 10s"},
		{name: "open: forge down for too long", fail: down, waited: 11 * time.Minute, runner: open,
			config: `{` + repo + `,"sourceBranch":"b","targetBranch":"main"}`, retryable: true},
		{name: "open: no permission", fail: denied, runner: open,
			config: `{` + repo + `,"sourceBranch":"b","targetBranch":"main"}`, terminal: true, message: "opening pull request on http://forge/acme/gitops.git"},
		{name: "open: source branch required", runner: open, config: `{` + repo + `,"targetBranch":"main"}`, terminal: true},
		{name: "wait: open, first poll", prs: []forge.PullRequest{openPR}, runner: wait, config: `{` + repo + `,"prNumber":12}`,
			status: StatusRunning, retry: 10 * time.Second, message: "waiting for PR #12 (http://forge/pulls/12) to be merged; aborting the promotion leaves it open"},
		{name: "wait: backs off with the time waited", prs: []forge.PullRequest{openPR}, waited: 2 * time.Minute, runner: wait,
			config: `{` + repo + `,"prNumber":"12"}`, status: StatusRunning, retry: 2 * time.Minute},
		{name: "wait: default ceiling", prs: []forge.PullRequest{openPR}, waited: 5 * time.Hour, runner: wait,
			config: `{` + repo + `,"prNumber":12}`, status: StatusRunning, retry: DefaultWaitForPRPoll},
		{name: "wait: pollInterval is the ceiling", prs: []forge.PullRequest{openPR}, waited: time.Hour, runner: wait,
			config: `{` + repo + `,"prNumber":12,"pollInterval":"30s"}`, status: StatusRunning, retry: 30 * time.Second},
		{name: "wait: merged", prs: []forge.PullRequest{merged}, runner: wait, config: `{` + repo + `,"prNumber":12}`,
			status: StatusSucceeded, output: `{"commit":"abc123","pr":{"id":12,"url":"http://forge/pulls/12"}}`},
		{name: "wait: closed unmerged fails with the reason", prs: []forge.PullRequest{closed}, runner: wait, config: `{` + repo + `,"prNumber":12}`,
			status: StatusFailed, message: "PR #12 (http://forge/pulls/12) was closed without merge at 2026-12-01T11:00:00Z"},
		{name: "wait: forge down keeps waiting", fail: down, waited: 3 * time.Hour, runner: wait, config: `{` + repo + `,"prNumber":12}`,
			status: StatusRunning, retry: DefaultWaitForPRPoll, message: "reading pull request #12"},
		{name: "wait: no such PR", runner: wait, config: `{` + repo + `,"prNumber":99}`, terminal: true},
		{name: "wait: bad pollInterval", runner: wait, config: `{` + repo + `,"prNumber":12,"pollInterval":"soon"}`, terminal: true},
		{name: "merge: ready", prs: []forge.PullRequest{openPR}, runner: merge, config: `{` + repo + `,"prNumber":12}`,
			status: StatusSucceeded, output: `{"commit":"m3rg3","pr":{"id":12,"url":"http://forge/pulls/12"}}`},
		{name: "merge: already merged", prs: []forge.PullRequest{merged}, runner: merge, config: `{` + repo + `,"prNumber":12}`,
			status: StatusSucceeded, output: `{"commit":"abc123","pr":{"id":12,"url":"http://forge/pulls/12"}}`},
		{name: "merge: conflict fails", prs: []forge.PullRequest{conflicted}, runner: merge, config: `{` + repo + `,"prNumber":12,"wait":true}`,
			status: StatusFailed, message: "has merge conflicts with main"},
		{name: "merge: forge reports conflict on merge", prs: []forge.PullRequest{openPR}, mergeErr: forge.ErrConflict, runner: merge,
			config: `{` + repo + `,"prNumber":12}`, status: StatusFailed, message: "has merge conflicts"},
		{name: "merge: waits until mergeable", prs: []forge.PullRequest{pending}, runner: merge, config: `{` + repo + `,"prNumber":12,"wait":true}`,
			status: StatusRunning, retry: 10 * time.Second, message: "waiting for PR #12 (http://forge/pulls/12) to become mergeable"},
		{name: "merge: not mergeable without wait fails", prs: []forge.PullRequest{pending}, runner: merge, config: `{` + repo + `,"prNumber":12}`,
			status: StatusFailed, message: "set wait: true"},
		{name: "merge: closed fails", prs: []forge.PullRequest{closed}, runner: merge, config: `{` + repo + `,"prNumber":12}`,
			status: StatusFailed, message: "was closed without merge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeForge{prs: map[int64]*forge.PullRequest{}, fail: tc.fail, openErr: tc.openErr, mergeErr: tc.mergeErr}
			for _, pr := range tc.prs {
				f.prs[pr.Number] = &pr
			}
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			sc := &Context{Stage: "prod", Promotion: "p1", StartedAt: now.Add(-tc.waited)}
			res, err := tc.runner(prRunner(f, now)).Run(t.Context(), sc, json.RawMessage(tc.config))
			checkPRResult(t, tc, res, err)
			if f.opened != tc.opened {
				t.Errorf("opened %d pull requests, want %d", f.opened, tc.opened)
			}
		})
	}
}

func checkPRResult(t *testing.T, tc prCase, res Result, err error) {
	t.Helper()
	switch {
	case tc.terminal || tc.retryable:
		if err == nil || railyard.IsTerminal(err) != tc.terminal {
			t.Fatalf("err = %v (terminal %v), want terminal=%v", err, railyard.IsTerminal(err), tc.terminal)
		}
		if !strings.Contains(err.Error(), tc.message) {
			t.Fatalf("err = %q, want it to contain %q", err, tc.message)
		}
		return
	case err != nil:
		t.Fatal(err)
	}
	if res.Status != tc.status || res.RetryAfter != tc.retry {
		t.Fatalf("status %s retry %s (%s), want %s retry %s", res.Status, res.RetryAfter, res.Message, tc.status, tc.retry)
	}
	if !strings.Contains(res.Message, tc.message) {
		t.Fatalf("message %q, want it to contain %q", res.Message, tc.message)
	}
	// A promotion waiting on a pull request it could read can be woken by
	// an event about it; one polling a forge that is down cannot.
	if want := ""; tc.status == StatusRunning {
		if len(tc.prs) > 0 {
			want = "http://forge/acme/gitops#12"
		}
		if res.WaitingOn != want {
			t.Fatalf("waitingOn %q, want %q", res.WaitingOn, want)
		}
	}
	if tc.output != "" {
		got, _ := json.Marshal(res.Output)
		if string(got) != tc.output {
			t.Fatalf("output %s, want %s", got, tc.output)
		}
	}
}
