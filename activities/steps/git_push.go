package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/forge"
	"github.com/railyard/railyard/activities/git"
)

// GitPush is the `git-push` step. It is idempotent: when the commit the
// clone saw at the tip of the target branch, or one before it, carries this
// promotion's trailer, it reports that commit instead of pushing again.
// Otherwise it pushes with a lease on that tip, one round trip when the
// remote has not moved: in this process when it can (git.PushOwnObjects),
// with git push when it cannot. When it has, the step fetches the branch, looks for
// its trailer there, rebases and retries, up to maxAttempts times.
type GitPush struct{ Git *git.Client }

type gitPushConfig struct {
	Path                 string `json:"path"`
	TargetBranch         string `json:"targetBranch,omitempty"`
	GenerateTargetBranch bool   `json:"generateTargetBranch,omitempty"`
	Tag                  string `json:"tag,omitempty"`
	Force                bool   `json:"force,omitempty"`
	MaxAttempts          *int   `json:"maxAttempts,omitempty"`
	Provider             string `json:"provider,omitempty"` // for commitURL; "" infers it
}

const defaultPushAttempts = 10

// GeneratedBranchPrefix prefixes the branches of generateTargetBranch.
const GeneratedBranchPrefix = "railyard/promotion/"

// Name implements Runner.
func (GitPush) Name() string { return "git-push" }

// pushJob is one git-push run.
type pushJob struct {
	g      GitPush
	sc     *Context
	c      gitPushConfig
	dir    string
	repo   string // the checkout's repository when git-clone laid it out, else ""
	url    string
	branch string
}

// Run implements Runner.
func (g GitPush) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c gitPushConfig
	if err := DecodeConfig("git-push", raw, &c); err != nil {
		return Result{}, err
	}
	j := &pushJob{g: g, sc: sc, c: c}
	if err := j.prepare(ctx); err != nil {
		return Result{}, err
	}
	if c.Tag != "" {
		return j.pushTag(ctx)
	}
	return j.pushBranch(ctx)
}

func (j *pushJob) prepare(ctx context.Context) error {
	n := 0
	for _, set := range []bool{j.c.TargetBranch != "", j.c.GenerateTargetBranch, j.c.Tag != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return Terminal(errors.New("git-push config: targetBranch, generateTargetBranch and tag are mutually exclusive"))
	}
	if j.c.MaxAttempts != nil && *j.c.MaxAttempts < 1 {
		return Terminal(errors.New("git-push config: maxAttempts must be at least 1"))
	}
	dir, err := securePath(j.sc.WorkDir, j.c.Path)
	if err != nil {
		return fmt.Errorf("git-push path: %w", err)
	}
	j.dir, j.repo = dir, git.WorktreeRepo(dir)
	if j.url, err = originURL(ctx, j.g.Git, dir); err != nil {
		return err
	}
	j.branch, err = j.targetBranch(ctx)
	return err
}

func (j *pushJob) targetBranch(ctx context.Context) (string, error) {
	switch {
	case j.c.TargetBranch != "":
		return strings.TrimPrefix(j.c.TargetBranch, "refs/heads/"), nil
	case j.c.GenerateTargetBranch:
		return GeneratedBranchPrefix + j.sc.Promotion, nil
	case j.c.Tag != "":
		return "", nil
	}
	b, err := gitIn(ctx, j.g.Git, j.dir, "symbolic-ref", "--short", "-q", "HEAD")
	if err != nil || b == "" {
		return "", Terminal(errors.New("git-push: the checkout is not on a branch; set targetBranch"))
	}
	return b, nil
}

func (j *pushJob) attempts() int {
	if j.c.MaxAttempts != nil {
		return *j.c.MaxAttempts
	}
	return defaultPushAttempts
}

func (j *pushJob) output(commit string) Result {
	return Succeeded(map[string]any{"branch": j.branch, "commit": commit,
		"commitURL": forge.CommitURL(j.url, j.c.Provider, commit)})
}

func (j *pushJob) pushBranch(ctx context.Context) (Result, error) {
	if res, done, err := j.fastPush(ctx); done {
		return res, err
	}
	var last error
	for attempt := 1; attempt <= j.attempts(); attempt++ {
		if attempt > 1 {
			if err := backoff(ctx, attempt); err != nil {
				return Result{}, err
			}
		}
		res, retry, err := j.tryPush(ctx)
		if !retry {
			return res, err
		}
		last = err
	}
	return Result{}, fmt.Errorf("pushing %s to %s: gave up after %d attempts: %w",
		j.branch, git.Redact(j.url), j.attempts(), last)
}

// pushed is the result of pushing head. The worker's mirror learns the
// branch's new tip, so that the next clone of it fetches nothing; a mirror
// left behind only costs that clone a fetch, so a failure is not reported.
func (j *pushJob) pushed(ctx context.Context, head string) Result {
	if j.repo != "" {
		_ = j.g.Git.RecordPush(ctx, j.url, j.repo, head, j.branch)
	}
	return j.output(head)
}

// tryPush makes one attempt; retry reports that the remote moved during it.
func (j *pushJob) tryPush(ctx context.Context) (Result, bool, error) {
	remoteHead, err := j.fetchTarget(ctx)
	if err != nil {
		return Result{}, false, err
	}
	if j.sc.Promotion != "" && remoteHead != "" {
		if sha, err := j.findPromotionCommit(ctx); err != nil || sha != "" {
			return j.output(sha), false, err
		}
	}
	if remoteHead != "" && !j.c.Force {
		if err := j.integrate(ctx); err != nil {
			return Result{}, false, err
		}
	}
	head, err := gitIn(ctx, j.g.Git, j.dir, "rev-parse", "HEAD")
	if err != nil {
		return Result{}, false, Terminal(fmt.Errorf("pushing %s: nothing committed: %w", j.c.Path, err))
	}
	refspec := "HEAD:refs/heads/" + j.branch
	if j.c.Force {
		refspec = "+" + refspec
	}
	_, err = gitRemote(ctx, j.g.Git, j.sc, j.dir, j.url, "push", "origin", refspec)
	if err == nil {
		return j.pushed(ctx, head), false, nil
	}
	err = fmt.Errorf("pushing %s to %s: %w", j.branch, git.Redact(j.url), err)
	return Result{}, isRaceLost(err), err
}

// fastPush pushes in one round trip when the remote branch is where the
// clone saw it (refs/remotes/origin/<branch>, set by git-clone): the push
// carries a lease on that commit. done is false when the careful path must
// run: a forced push, or a remote that moved since the clone.
func (j *pushJob) fastPush(ctx context.Context) (res Result, done bool, err error) {
	if j.c.Force {
		return Result{}, false, nil
	}
	head, known, err := j.heads(ctx)
	if err != nil {
		return Result{}, false, nil // the careful path reports it
	}
	if j.sc.Promotion != "" && known != "" {
		if sha, err := j.findPromotionCommit(ctx); err != nil || sha != "" {
			return j.output(sha), true, err
		}
	}
	if head == known {
		return j.output(head), true, nil // nothing new: the remote has it
	}
	if j.repo != "" {
		u := git.Update{Ref: "refs/heads/" + j.branch, Old: known, New: head}
		err := j.g.Git.PushOwnObjects(ctx, git.Remote{URL: j.url, Creds: j.sc.Creds}, j.repo, u)
		switch {
		case err == nil:
			return j.pushed(ctx, head), true, nil
		case isRaceLost(err):
			return Result{}, false, nil
		} // git push tries, and tells what fails in its words
	}
	lease := "--force-with-lease=refs/heads/" + j.branch + ":" + known
	_, err = gitRemote(ctx, j.g.Git, j.sc, j.dir, j.url, "push", lease, "origin", "HEAD:refs/heads/"+j.branch)
	switch {
	case err == nil:
		return j.pushed(ctx, head), true, nil
	case isRaceLost(err):
		return Result{}, false, nil
	}
	return Result{}, true, fmt.Errorf("pushing %s to %s: %w", j.branch, git.Redact(j.url), err)
}

// heads returns the checkout's HEAD and the commit the clone saw at the tip
// of the target branch (refs/remotes/origin/<branch>), "" when the branch
// did not exist then: read from git-clone's files when it can be (no
// process), else with one git process when the branch existed.
func (j *pushJob) heads(ctx context.Context) (head, known string, err error) {
	if head, ok := git.WorktreeHead(j.dir); ok && j.repo != "" {
		if known, ok := git.LooseRef(j.repo, "refs/remotes/origin/"+j.branch); ok {
			return head, known, nil
		}
	}
	out, err := gitIn(ctx, j.g.Git, j.dir, "rev-parse", "HEAD", "refs/remotes/origin/"+j.branch+"^{commit}")
	if f := strings.Fields(out); err == nil && len(f) == 2 {
		return f[0], f[1], nil
	}
	head, err = gitIn(ctx, j.g.Git, j.dir, "rev-parse", "HEAD")
	return head, "", err
}

// fetchTarget fetches the target branch into refs/remotes/origin/<branch>
// and returns its head, or "" when the branch does not exist yet.
func (j *pushJob) fetchTarget(ctx context.Context) (string, error) {
	ref := "refs/heads/" + j.branch
	ls, err := gitRemote(ctx, j.g.Git, j.sc, j.dir, j.url, "ls-remote", "--heads", "origin", ref)
	if err != nil {
		return "", fmt.Errorf("fetching %s: %w", git.Redact(j.url), err)
	}
	if !strings.Contains(ls, "\t"+ref) {
		return "", nil
	}
	_, err = gitRemote(ctx, j.g.Git, j.sc, j.dir, j.url, "fetch", "--quiet", "--no-tags",
		"origin", "+"+ref+":refs/remotes/origin/"+j.branch)
	if err != nil {
		return "", fmt.Errorf("fetching %s: %w", git.Redact(j.url), err)
	}
	return gitIn(ctx, j.g.Git, j.dir, "rev-parse", "refs/remotes/origin/"+j.branch)
}

// findPromotionCommit returns the commit of the remote branch that carries
// this promotion's trailer, or "": one git process, which prints only the
// commits whose message mentions the trailer.
func (j *pushJob) findPromotionCommit(ctx context.Context) (string, error) {
	out, err := gitIn(ctx, j.g.Git, j.dir, "log", "--fixed-strings", "--grep="+trailerLine(j.sc.Promotion),
		"--format=%x1e%H%x1f%B", "refs/remotes/origin/"+j.branch, "--")
	if err != nil {
		return "", err
	}
	for _, rec := range strings.Split(out, "\x1e") {
		if sha, msg, ok := strings.Cut(rec, "\x1f"); ok && hasTrailer(msg, j.sc.Promotion) {
			return strings.TrimSpace(sha), nil
		}
	}
	return "", nil
}

// integrate rebases local commits onto the fetched remote branch when the
// remote has commits the checkout lacks.
func (j *pushJob) integrate(ctx context.Context) error {
	remote := "refs/remotes/origin/" + j.branch
	if _, err := gitIn(ctx, j.g.Git, j.dir, "merge-base", "--is-ancestor", remote, "HEAD"); err == nil {
		return nil
	}
	_, err := gitIn(ctx, j.g.Git, j.dir, "rebase", "--quiet", "--no-autostash", remote)
	if err == nil {
		return nil
	}
	_, _ = gitIn(ctx, j.g.Git, j.dir, "rebase", "--abort")
	return Terminal(fmt.Errorf("pushing %s to %s: rebasing onto the remote branch: %w: %w",
		j.branch, git.Redact(j.url), err, railyard.ErrRejected))
}

func (j *pushJob) pushTag(ctx context.Context) (Result, error) {
	head, err := gitIn(ctx, j.g.Git, j.dir, "rev-parse", "refs/tags/"+j.c.Tag+"^{commit}")
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("pushing tag %s: %w", j.c.Tag, railyard.ErrNotFound))
	}
	refspec := "refs/tags/" + j.c.Tag + ":refs/tags/" + j.c.Tag
	if j.c.Force {
		refspec = "+" + refspec
	}
	_, err = gitRemote(ctx, j.g.Git, j.sc, j.dir, j.url, "push", "origin", refspec)
	if err != nil && !j.remoteTagIs(ctx, head) {
		return Result{}, fmt.Errorf("pushing tag %s to %s: %w", j.c.Tag, git.Redact(j.url), err)
	}
	return Succeeded(map[string]any{"tag": j.c.Tag, "commit": head,
		"commitURL": forge.CommitURL(j.url, j.c.Provider, head)}), nil
}

// remoteTagIs reports whether the remote's tag already points at commit (a
// retried push).
func (j *pushJob) remoteTagIs(ctx context.Context, commit string) bool {
	out, err := gitRemote(ctx, j.g.Git, j.sc, j.dir, j.url, "ls-remote", "--tags", "origin", "refs/tags/"+j.c.Tag)
	return err == nil && strings.Contains(out, commit)
}

// isRaceLost reports a push rejected because the remote branch moved.
func isRaceLost(err error) bool {
	s := err.Error()
	return strings.Contains(s, "[rejected]") || strings.Contains(s, "non-fast-forward") ||
		strings.Contains(s, "fetch first") || strings.Contains(s, "cannot lock ref") ||
		strings.Contains(s, "failed to update ref") || strings.Contains(s, "stale info")
}

// backoff waits a little before another attempt, with jitter so that
// concurrent promotions do not collide again.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt*20+rand.IntN(50)) * time.Millisecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
