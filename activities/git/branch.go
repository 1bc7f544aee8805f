package git

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/railyard/railyard"
)

// commitInfo is one commit read from git log.
type commitInfo struct {
	ID        string
	Date      time.Time
	Author    string
	Committer string
	Subject   string
	Paths     []string
}

// commitEnv is the expressionFilter environment of NewestFromBranch.
func commitEnv(c commitInfo) map[string]any {
	return map[string]any{
		"id": c.ID, "commitDate": c.Date, "author": c.Author,
		"committer": c.Committer, "subject": c.Subject,
	}
}

const (
	logFormat   = "--format=\x1e%H\x1f%ct\x1f%an <%ae>\x1f%cn <%ce>\x1f%s"
	maxLogBatch = 1000
)

// selectBranch walks branch's history newest first, in batches that double
// up to maxLogBatch, until limit commits pass the filters. head is the
// branch's commit.
func (c *Client) selectBranch(ctx context.Context, dir string, sel *selector, branch, head string) ([]railyard.GitCommit, *railyard.ObservedRefs, error) {
	var out []railyard.GitCommit
	batch, skip := sel.limit, 0
	for len(out) < sel.limit {
		infos, err := c.logBatch(ctx, dir, sel, head, batch, skip)
		if err != nil {
			return nil, nil, err
		}
		for _, info := range infos {
			ok, err := sel.keepCommit(info)
			if err != nil {
				return nil, nil, err
			}
			if ok && len(out) < sel.limit {
				out = append(out, toGitCommit(sel.sub.RepoURL, info, branch))
			}
		}
		if len(infos) < batch || !sel.filtersCommits() {
			break
		}
		skip += batch
		batch = min(batch*2, maxLogBatch)
	}
	return out, &railyard.ObservedRefs{BranchHead: head}, nil
}

func (c *Client) logBatch(ctx context.Context, dir string, sel *selector, head string, n, skip int) ([]commitInfo, error) {
	args := []string{"-c", "core.quotePath=false", "log", logFormat,
		"-n", strconv.Itoa(n), "--skip", strconv.Itoa(skip)}
	if !sel.since.IsZero() {
		args = append(args, "--since="+sel.since.Format(time.RFC3339))
	}
	if sel.hasPathFilters() {
		args = append(args, "--name-only", "--no-renames", "--diff-merges=first-parent")
	}
	out, err := c.Git(ctx, dir, append(args, head, "--")...)
	if err != nil {
		return nil, err
	}
	return parseLog(out), nil
}

// parseLog reads records of logFormat, each followed by changed paths when
// --name-only was given.
func parseLog(out string) []commitInfo {
	var infos []commitInfo
	for _, rec := range strings.Split(out, "\x1e") {
		header, rest, _ := strings.Cut(rec, "\n")
		f := strings.Split(header, "\x1f")
		if len(f) < 5 {
			continue
		}
		secs, _ := strconv.ParseInt(f[1], 10, 64)
		info := commitInfo{ID: f[0], Date: time.Unix(secs, 0).UTC(),
			Author: f[2], Committer: f[3], Subject: f[4]}
		for _, p := range strings.Split(rest, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				info.Paths = append(info.Paths, p)
			}
		}
		infos = append(infos, info)
	}
	return infos
}

func (s *selector) filtersCommits() bool {
	return s.hasPathFilters() || s.filter != nil
}

func (s *selector) keepCommit(info commitInfo) (bool, error) {
	if s.hasPathFilters() && !s.pathsQualify(info.Paths) {
		return false, nil
	}
	return s.accept(commitEnv(info))
}

func toGitCommit(repoURL string, info commitInfo, branch string) railyard.GitCommit {
	return railyard.GitCommit{
		RepoURL: repoURL, ID: info.ID, Branch: branch,
		Message: shortSubject(info.Subject), Author: info.Author,
		Committer: info.Committer, CreatorDate: info.Date,
	}
}
