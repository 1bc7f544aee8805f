package steps

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/git"
)

// cloneJob is one git-clone run. On a worker that already holds the
// repository's mirror, the mirror's fetch runs beside the local work: the
// step's repository is cloned from the mirror and the commit checkouts the
// mirror already holds are made while the fetch waits on the network. The
// branch and tag checkouts follow the fetch, at the refs it brought.
type cloneJob struct {
	g      GitClone
	sc     *Context
	c      *gitCloneConfig
	remote git.Remote
	repo   string            // the step's bare repository
	mirror string            // the worker's mirror of the remote
	refs   map[string]string // ref name -> commit, after the fetch
	done   map[int]string    // checkout index -> commit, for checkouts made
	head   string            // the remote's default branch, when listed
}

// run makes every checkout and returns the commits by checkout key.
func (j *cloneJob) run(ctx context.Context) (map[string]any, error) {
	if err := os.RemoveAll(j.repo); err != nil {
		return nil, fmt.Errorf("cleaning %s: %w", j.repo, err)
	}
	j.done = map[int]string{}
	if err := j.prepare(ctx); err != nil {
		return nil, err
	}
	commits := map[string]any{}
	for i, co := range j.c.Checkout {
		sha, ok := j.done[i]
		if !ok {
			var err error
			if sha, err = j.checkout(ctx, co); err != nil {
				return nil, fmt.Errorf("checking out %s into %s: %w", git.Redact(j.c.RepoURL), co.Path, err)
			}
		}
		commits[co.key()] = sha
	}
	return commits, nil
}

// prepare brings the mirror up to date and clones the step's repository
// from it, concurrently when the mirror exists already.
func (j *cloneJob) prepare(ctx context.Context) error {
	j.mirror = j.g.Git.MirrorDir(j.remote.URL)
	if !j.g.Git.HasMirror(j.remote.URL) {
		if err := j.sync(ctx); err != nil {
			return err
		}
		if err := j.clone(ctx); err != nil {
			return err
		}
		return j.readRefs(ctx)
	}
	if git.ListsInProcess(j.remote.URL) {
		return j.prepareListed(ctx)
	}
	fetched := make(chan error, 1)
	go func() { fetched <- j.sync(ctx) }()
	err := j.clone(ctx)
	if err == nil {
		j.early(ctx)
	}
	if ferr := <-fetched; ferr != nil {
		return ferr
	}
	if err != nil {
		return err
	}
	return j.readRefs(ctx)
}

// listing is the remote's refs, listed while the step clones.
type listing struct {
	refs map[string]string // ref name -> commit (peeled for annotated tags)
	head string            // the default branch
	err  error
}

// prepareListed lists the remote's refs in this process while it clones
// from the mirror, and fetches only when the mirror differs from the
// listing in a ref the checkouts need, or lacks a commit they name. A
// mirror that git-push keeps current (pushed.go) then needs no fetch at all.
func (j *cloneJob) prepareListed(ctx context.Context) error {
	listed := make(chan listing, 1)
	go func() {
		refs, head, err := j.g.Git.LsRemote(ctx, j.remote)
		l := listing{refs: map[string]string{}, head: head, err: err}
		for _, r := range refs {
			l.refs[r.Name] = r.ID
		}
		listed <- l
	}()
	err := j.clone(ctx)
	if err == nil {
		j.early(ctx)
	}
	l := <-listed
	if err != nil {
		return err
	}
	if l.err == nil {
		j.head = l.head
		names, held, err := j.needed(ctx)
		if err != nil {
			return err
		}
		if j.allEarly() && held.matches(l.refs, names) {
			return j.copyRefs(ctx, names, held)
		}
	}
	if err := j.sync(ctx); err != nil {
		return err
	}
	return j.readRefs(ctx)
}

// allEarly reports whether every commit checkout was made from the mirror.
func (j *cloneJob) allEarly() bool {
	for i, co := range j.c.Checkout {
		if _, ok := j.done[i]; co.Commit != "" && !ok {
			return false
		}
	}
	return true
}

// sync fetches every branch and tag into the mirror.
func (j *cloneJob) sync(ctx context.Context) error {
	unlock := j.g.Git.Lock(j.remote.URL)
	defer unlock()
	_, err := j.g.Git.SyncMirror(ctx, j.remote)
	return err
}

// clone makes the step's bare repository, borrowing the mirror's objects
// (nothing copied), with its settings written as it is created. Its refs are
// those the checkouts need, copied from the mirror after its fetch.
func (j *cloneJob) clone(ctx context.Context) error {
	name, email := defaultAuthorName, defaultAuthorEmail
	if a := j.c.Author; a != nil && a.Name != "" {
		name, email = a.Name, a.Email
	}
	settings := [][2]string{{"remote.origin.url", j.remote.URL}, {"user.name", name}, {"user.email", email},
		{"gc.auto", "0"}, {"maintenance.auto", "false"}, {"http.sslVerify", fmt.Sprint(!j.remote.Insecure)}}
	if err := j.g.Git.Borrow(ctx, j.mirror, j.repo, settings); err != nil {
		return fmt.Errorf("cloning %s: %w", git.Redact(j.remote.URL), err)
	}
	return nil
}

// early makes, during the fetch, the commit checkouts whose commit the
// mirror holds already. The others wait for the fetch.
func (j *cloneJob) early(ctx context.Context) {
	for i, co := range j.c.Checkout {
		if co.Commit == "" || !git.IsObjectName(co.Commit) {
			continue
		}
		path, err := securePath(j.sc.WorkDir, co.Path)
		if err != nil || os.RemoveAll(path) != nil {
			continue // the checkout after the fetch reports it
		}
		if j.addDetached(ctx, path, co, co.Commit) == nil {
			j.done[i] = co.Commit
			continue
		}
		_, _ = gitIn(ctx, j.g.Git, j.repo, "worktree", "prune") // forget a half-made worktree
	}
}

// readRefs copies the refs the branch and tag checkouts need from the
// fetched mirror into the step's repository, in one transaction, and
// remembers where each remote branch was for git-push's lease.
func (j *cloneJob) readRefs(ctx context.Context) error {
	names, held, err := j.needed(ctx)
	if err != nil {
		return err
	}
	return j.copyRefs(ctx, names, held)
}

// needed names the refs the branch and tag checkouts need and reads them
// from the mirror.
func (j *cloneJob) needed(ctx context.Context) ([]string, heldRefs, error) {
	names, err := j.refNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	held, err := j.mirrorRefs(ctx, names)
	return names, held, err
}

// refNames are the refs the branch and tag checkouts need.
func (j *cloneJob) refNames(ctx context.Context) ([]string, error) {
	var names []string
	for i, co := range j.c.Checkout {
		if _, ok := j.done[i]; ok || co.Commit != "" {
			continue
		}
		if co.Tag != "" {
			names = append(names, "refs/tags/"+co.Tag)
			continue
		}
		branch, err := j.branch(ctx, co)
		if err != nil {
			return nil, err
		}
		names = append(names, "refs/heads/"+branch)
	}
	return names, nil
}

// heldRefs are refs of the mirror: the object each names and the commit it
// peels to (the same object unless it is an annotated tag).
type heldRefs map[string][2]string

// mirrorRefs reads names from the mirror, in one process.
func (j *cloneJob) mirrorRefs(ctx context.Context, names []string) (heldRefs, error) {
	held := heldRefs{}
	if len(names) == 0 {
		return held, nil
	}
	out, err := gitIn(ctx, j.g.Git, j.mirror, append([]string{"for-each-ref", "--format=%(objectname) %(*objectname) %(refname)"}, names...)...)
	if err != nil {
		return nil, fmt.Errorf("reading the refs of %s: %w", git.Redact(j.remote.URL), err)
	}
	for _, line := range strings.Split(out, "\n") {
		switch f := strings.Fields(line); len(f) {
		case 2:
			held[f[1]] = [2]string{f[0], f[0]}
		case 3:
			held[f[2]] = [2]string{f[0], f[1]} // annotated tag: peeled to its commit
		}
	}
	return held, nil
}

// matches reports whether the mirror holds each of names as the remote
// listed it: at the same commit, or absent from both.
func (h heldRefs) matches(listed map[string]string, names []string) bool {
	for _, name := range names {
		got, held := h[name]
		want, ok := listed[name]
		if held != ok || held && got[1] != want {
			return false
		}
	}
	return true
}

// copyRefs writes the held refs among names into the step's repository and
// records them; a name the mirror lacks is deleted there.
func (j *cloneJob) copyRefs(ctx context.Context, names []string, held heldRefs) error {
	j.refs = map[string]string{}
	if len(names) == 0 {
		return nil
	}
	var tx strings.Builder
	for _, name := range names {
		ref, ok := held[name]
		switch {
		case !ok:
			fmt.Fprintf(&tx, "delete %s\n", name)
			continue
		case strings.HasPrefix(name, "refs/heads/"):
			fmt.Fprintf(&tx, "update %s %s\nupdate refs/remotes/origin/%s %s\n", name, ref[0], strings.TrimPrefix(name, "refs/heads/"), ref[0])
		default:
			fmt.Fprintf(&tx, "update %s %s\n", name, ref[0])
		}
		j.refs[name] = ref[1]
	}
	_, err := j.g.Git.Run(ctx, git.Cmd{Dir: j.repo, Args: []string{"update-ref", "--stdin"}, Stdin: strings.NewReader(tx.String())})
	if err != nil {
		return fmt.Errorf("updating the refs of %s: %w", j.repo, err)
	}
	return nil
}

// branch is the branch a branch checkout names, or the remote's default
// (as listed, or as the client knows it).
func (j *cloneJob) branch(ctx context.Context, co gitCheckout) (string, error) {
	if co.Branch != "" {
		return co.Branch, nil
	}
	if j.head != "" {
		return j.head, nil
	}
	name, _, err := j.g.Git.DefaultBranch(ctx, j.remote)
	return name, err
}

// checkout adds one worktree after the fetch and returns the commit it
// holds ("" for a new orphan branch).
func (j *cloneJob) checkout(ctx context.Context, co gitCheckout) (string, error) {
	path, err := securePath(j.sc.WorkDir, co.Path)
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(path); err != nil {
		return "", err
	}
	switch {
	case co.Commit != "":
		if err := j.g.ensureCommit(ctx, j.sc, j.repo, j.remote, co.Commit); err != nil {
			return "", err
		}
		if err := j.addDetached(ctx, path, co, co.Commit); err != nil {
			return "", err
		}
		if git.IsObjectName(co.Commit) {
			return co.Commit, nil
		}
		return gitIn(ctx, j.g.Git, path, "rev-parse", "--verify", "-q", "HEAD")
	case co.Tag != "":
		sha, ok := j.refs["refs/tags/"+co.Tag]
		if !ok {
			return "", Terminal(fmt.Errorf("tag %s: %w", co.Tag, railyard.ErrNotFound))
		}
		return sha, j.addDetached(ctx, path, co, sha)
	}
	branch, err := j.branch(ctx, co)
	if err != nil {
		return "", err
	}
	sha, ok := j.refs["refs/heads/"+branch]
	if !ok && !co.Create {
		return "", Terminal(fmt.Errorf("branch %q: %w (set create: true to create it)", branch, railyard.ErrNotFound))
	}
	if !ok {
		return "", j.g.addOrphan(ctx, j.repo, path, branch)
	}
	return sha, j.addWorktree(ctx, path, co, branch)
}

// addDetached adds a worktree detached at rev: with git.AddWorktree for a
// full commit name, with git worktree add otherwise (a short name, a
// sparse checkout).
func (j *cloneJob) addDetached(ctx context.Context, path string, co gitCheckout, rev string) error {
	if len(co.Sparse) == 0 && git.IsObjectName(rev) {
		return j.g.Git.AddWorktree(ctx, j.repo, path, "", rev)
	}
	args := append(worktreeAdd(co), "--detach", path, rev+"^{commit}")
	if _, err := gitIn(ctx, j.g.Git, j.repo, args...); err != nil {
		return err
	}
	return j.populate(ctx, path, co)
}

// addWorktree adds a worktree on branch, with git.AddWorktree unless the
// checkout is sparse. (Two checkouts of one branch never get here: copying
// their refs refuses the duplicate.)
func (j *cloneJob) addWorktree(ctx context.Context, path string, co gitCheckout, branch string) error {
	if len(co.Sparse) == 0 {
		return j.g.Git.AddWorktree(ctx, j.repo, path, branch, "")
	}
	if _, err := gitIn(ctx, j.g.Git, j.repo, append(worktreeAdd(co), path, branch)...); err != nil {
		return err
	}
	return j.populate(ctx, path, co)
}

// populate checks out a sparse checkout's cone.
func (j *cloneJob) populate(ctx context.Context, path string, co gitCheckout) error {
	if len(co.Sparse) == 0 {
		return nil
	}
	return j.g.populate(ctx, path, co.Sparse)
}

// worktreeAdd is `git worktree add` for co: a sparse checkout is populated
// afterwards, limited to its cone.
func worktreeAdd(co gitCheckout) []string {
	add := []string{"worktree", "add", "--quiet"}
	if len(co.Sparse) > 0 {
		add = append(add, "--no-checkout")
	}
	return add
}
