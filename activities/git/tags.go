package git

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/railyard/railyard"
)

// tagInfo is one tag of the mirror, peeled to its commit.
type tagInfo struct {
	Name       string
	ObjectType string // of the peeled object; only "commit" tags are candidates
	ID         string // the commit (peeled for annotated tags)
	Date       time.Time
	Author     string
	Committer  string
	Subject    string // the commit's subject
	Tagger     string
	Annotation string
	version    *semver.Version
}

// tagEnv is the expressionFilter environment of the tag strategies.
func tagEnv(t tagInfo) map[string]any {
	return map[string]any{
		"tag": t.Name, "id": t.ID, "creatorDate": t.Date, "author": t.Author,
		"committer": t.Committer, "subject": t.Subject, "tagger": t.Tagger,
		"annotation": t.Annotation,
	}
}

// tagFormat prints, per tag: name, type, id, peeled type, peeled id,
// creator date, then author, committer and subject of the tagged object
// and of the peeled object, tagger, and the annotation.
const tagFormat = "%(refname:strip=2)%1f%(objecttype)%1f%(objectname)%1f%(*objecttype)%1f%(*objectname)" +
	"%1f%(creatordate:unix)%1f%(authorname) %(authoremail)%1f%(committername) %(committeremail)%1f%(subject)" +
	"%1f%(*authorname) %(*authoremail)%1f%(*committername) %(*committeremail)%1f%(*subject)" +
	"%1f%(taggername) %(taggeremail)%1f%(contents)%1e"

// selectTags lists the mirror's tags, filters and orders them by strategy,
// and keeps the first limit that qualify.
func (c *Client) selectTags(ctx context.Context, dir string, sel *selector) ([]railyard.GitCommit, *railyard.ObservedRefs, error) {
	out, err := c.Git(ctx, dir, "for-each-ref", "--sort=-creatordate", "--format="+tagFormat, "refs/tags/")
	if err != nil {
		return nil, nil, err
	}
	all := parseTags(out)
	observed := map[string]string{}
	var cands []tagInfo
	for _, t := range all {
		if !sel.tagAllowed(t.Name) {
			continue
		}
		observed[t.Name] = t.ID
		if t.ObjectType == "commit" && sel.versionOK(&t) {
			cands = append(cands, t)
		}
	}
	sel.order(cands)
	commits, err := c.keepTags(ctx, dir, sel, cands)
	return commits, observedTags(observed), err
}

func (c *Client) keepTags(ctx context.Context, dir string, sel *selector, cands []tagInfo) ([]railyard.GitCommit, error) {
	var out []railyard.GitCommit
	for _, t := range cands {
		if len(out) == sel.limit {
			break
		}
		ok, err := sel.accept(tagEnv(t))
		if err != nil {
			return nil, err
		}
		if ok && sel.hasPathFilters() {
			paths, err := c.changedPaths(ctx, dir, t.ID)
			if err != nil {
				return nil, err
			}
			ok = sel.pathsQualify(paths)
		}
		if ok {
			out = append(out, railyard.GitCommit{RepoURL: sel.sub.RepoURL, ID: t.ID, Tag: t.Name,
				Message: shortSubject(t.Subject), Author: t.Author, Committer: t.Committer, CreatorDate: t.Date})
		}
	}
	return out, nil
}

// changedPaths lists the files a commit changed relative to its first
// parent (everything, for a root commit).
func (c *Client) changedPaths(ctx context.Context, dir, id string) ([]string, error) {
	out, err := c.Git(ctx, dir, "-c", "core.quotePath=false", "log", "-1", "--format=",
		"--name-only", "--no-renames", "--diff-merges=first-parent", id, "--")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

func parseTags(out string) []tagInfo {
	var tags []tagInfo
	for _, rec := range strings.Split(out, "\x1e") {
		f := strings.Split(strings.TrimLeft(rec, "\n"), "\x1f")
		if len(f) < 14 {
			continue
		}
		secs, _ := strconv.ParseInt(f[5], 10, 64)
		t := tagInfo{Name: f[0], ObjectType: f[1], ID: f[2], Date: time.Unix(secs, 0).UTC(),
			Author: f[6], Committer: f[7], Subject: f[8]}
		if f[1] == "tag" { // annotated: describe the peeled commit
			t.ObjectType, t.ID = f[3], f[4]
			t.Author, t.Committer, t.Subject = f[9], f[10], f[11]
			t.Tagger, t.Annotation = f[12], strings.TrimSpace(f[13])
		}
		tags = append(tags, t)
	}
	return tags
}

// versionOK keeps only semantic versions satisfying the constraint under
// SemVer, and every tag otherwise.
func (s *selector) versionOK(t *tagInfo) bool {
	if s.strategy != railyard.CommitSemVer {
		return true
	}
	v, ok := s.versions.Match(t.Name)
	if !ok {
		return false
	}
	t.version = v
	return true
}

// order sorts candidates best first: greatest version (SemVer), greatest
// name (Lexical), or newest creator date (NewestTag, as listed).
func (s *selector) order(tags []tagInfo) {
	switch s.strategy {
	case railyard.CommitSemVer:
		sort.SliceStable(tags, func(i, j int) bool {
			return railyard.CompareVersions(tags[i].version, tags[i].Name, tags[j].version, tags[j].Name) < 0
		})
	case railyard.CommitLexical:
		sort.SliceStable(tags, func(i, j int) bool { return tags[i].Name > tags[j].Name })
	}
}
