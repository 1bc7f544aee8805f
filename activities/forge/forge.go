// Package forge talks to the pull-request APIs of git forges: Gitea and
// Forgejo, GitHub (and GitHub Enterprise), GitLab, Bitbucket Cloud and Azure
// DevOps. Each provider implements one small interface, Client, through the
// forge's documented REST API.
//
// The token comes from the worker's credentials store (the git credentials
// for the repository URL) and is only ever sent in request headers: it never
// enters a step's configuration, output or message.
package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

// Providers, as named in the steps' `provider` field.
const (
	Gitea     = "gitea"
	GitHub    = "github"
	GitLab    = "gitlab"
	Bitbucket = "bitbucket"
	Azure     = "azure"
)

// Merge readiness of an open pull request.
const (
	MergeUnknown  = "unknown"  // the forge is still computing it
	MergeReady    = "ready"    // it can be merged now
	MergeConflict = "conflict" // the branches conflict
	MergeBlocked  = "blocked"  // checks, reviews or branch protection hold it
)

// PullRequest is what the steps need of a forge's pull (merge) request.
type PullRequest struct {
	Number       int64
	URL          string
	Open         bool
	Merged       bool
	MergeCommit  string
	HeadBranch   string
	BaseBranch   string
	HeadCommit   string
	MergeState   string // one of the Merge* readiness values, for open PRs
	ClosedReason string // for a PR closed without merge: what the forge says
}

// OpenOptions describes a pull request to open.
type OpenOptions struct {
	Source, Target     string
	Title, Description string
	Labels             []string
}

// Client is one repository's pull requests on one forge.
type Client interface {
	// Open opens a pull request from Source into Target.
	Open(ctx context.Context, o OpenOptions) (PullRequest, error)
	// FindOpen returns the open pull request from source into target.
	FindOpen(ctx context.Context, source, target string) (PullRequest, bool, error)
	// Get returns pull request number.
	Get(ctx context.Context, number int64) (PullRequest, error)
	// Merge merges pull request number with method ("" for the forge's
	// default) and returns it as merged.
	Merge(ctx context.Context, number int64, method string) (PullRequest, error)
}

// Errors a Client returns, wrapped with the forge's message. Each but
// ErrNotMergeable also matches the root sentinel that makes it terminal
// (railyard.IsTerminal).
var (
	// ErrPermission: the token is missing, rejected or lacks a permission.
	ErrPermission = railyard.NewKind("permission denied", railyard.ErrUnauthenticated)
	// ErrNotFound: no such repository or pull request (or no access to it).
	ErrNotFound = railyard.NewKind("not found", railyard.ErrNotFound)
	// ErrConflict: the pull request cannot be merged because of conflicts.
	ErrConflict = railyard.NewKind("merge conflict", railyard.ErrRejected)
	// ErrNotMergeable: the forge refuses to merge now (checks, reviews, or
	// mergeability still being computed); waiting may help.
	ErrNotMergeable = errors.New("not mergeable yet")
	// ErrInvalid: the forge rejected the request (bad branch, method …).
	ErrInvalid = railyard.NewKind("rejected by the forge", railyard.ErrInvalid)
)

// Options configure New.
type Options struct {
	RepoURL  string
	Provider string // "" infers it from the URL
	Creds    creds.Source
	HTTP     *http.Client // nil: http.DefaultClient
	// APIBase overrides the API root the provider derives from the URL
	// (tests; unusual installations).
	APIBase string
}

// New returns the Client for a repository URL.
func New(ctx context.Context, o Options) (Client, error) {
	u, err := parseRepoURL(o.RepoURL)
	if err != nil {
		return nil, err
	}
	provider := o.Provider
	if provider == "" {
		if provider = InferProvider(u); provider == "" {
			return nil, fmt.Errorf("%w: cannot tell the forge of %s from its host; set provider (%s)",
				ErrInvalid, redact(u), strings.Join(Providers(), ", "))
		}
	}
	tok, err := lookupToken(ctx, o.Creds, o.RepoURL, redact(u))
	if err != nil {
		return nil, err
	}
	hc := o.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	api := &api{http: hc, tok: tok, repo: redact(u)}
	switch provider {
	case Gitea:
		return newGitea(u, api, o.APIBase)
	case GitHub:
		return newGitHub(u, api, o.APIBase)
	case GitLab:
		return newGitLab(u, api, o.APIBase)
	case Bitbucket:
		return newBitbucket(u, api, o.APIBase)
	case Azure:
		return newAzure(u, api, o.APIBase)
	}
	return nil, fmt.Errorf("%w: unknown provider %q (one of %s)", ErrInvalid, provider, strings.Join(Providers(), ", "))
}

// Providers lists the provider names.
func Providers() []string { return []string{Azure, Bitbucket, Gitea, GitHub, GitLab} }

// InferProvider names the forge of a repository URL from its host, or "".
func InferProvider(u *url.URL) string {
	h := strings.ToLower(u.Hostname())
	switch {
	case h == "github.com" || strings.HasPrefix(h, "github."):
		return GitHub
	case h == "gitlab.com" || strings.HasPrefix(h, "gitlab."):
		return GitLab
	case h == "bitbucket.org":
		return Bitbucket
	case h == "dev.azure.com" || strings.HasSuffix(h, ".visualstudio.com") || strings.Contains(u.Path, "/_git/"):
		return Azure
	case h == "codeberg.org" || strings.HasPrefix(h, "gitea.") || strings.HasPrefix(h, "forgejo.") ||
		strings.Contains(h, "gitea") || strings.Contains(h, "forgejo"):
		return Gitea
	case strings.Contains(h, "github"):
		return GitHub
	case strings.Contains(h, "gitlab"):
		return GitLab
	}
	return ""
}

// RepoPath returns the repository's path in a URL without .git and slashes.
func RepoPath(u *url.URL) string {
	return strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
}

// CommitURL is the web page of a commit in a repository on a known forge,
// or "" when the forge is unknown.
func CommitURL(repoURL, provider, commit string) string {
	u, err := parseRepoURL(repoURL)
	if err != nil || commit == "" {
		return ""
	}
	if provider == "" {
		provider = InferProvider(u)
	}
	web := u.Scheme + "://" + u.Host + "/" + RepoPath(u)
	switch provider {
	case GitHub, Gitea:
		return web + "/commit/" + commit
	case GitLab:
		return web + "/-/commit/" + commit
	case Bitbucket:
		return web + "/commits/" + commit
	case Azure:
		return web + "/commit/" + commit
	}
	return ""
}

func parseRepoURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: repository URL: %w", ErrInvalid, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: repository URL %q: pull requests need an http(s) URL", ErrInvalid, raw)
	}
	if len(strings.Split(RepoPath(u), "/")) < 2 {
		return nil, fmt.Errorf("%w: repository URL %q names no owner and repository", ErrInvalid, raw)
	}
	u.User = nil
	return u, nil
}

func redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

type token struct{ user, secret string }

func lookupToken(ctx context.Context, src creds.Source, repoURL, shown string) (token, error) {
	if src == nil {
		return token{}, nil
	}
	c, ok, err := src.Lookup(ctx, creds.KindGit, repoURL)
	if err != nil {
		return token{}, fmt.Errorf("looking up credentials for %s: %w", shown, err)
	}
	if !ok {
		return token{}, nil
	}
	return token{user: c.Username, secret: c.Password}, nil
}
