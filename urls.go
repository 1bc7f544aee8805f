package railyard

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/google/go-containerregistry/pkg/name"
)

var scpLike = regexp.MustCompile(`^((?:[\w-]+@)?[\w-]+(?:\.[\w-]+)*)(?::(.*))?$`)

// NormalizeGitURL returns the canonical form of a git repository URL used for
// comparison and Freight IDs: lower case, no credentials on http(s), no
// trailing "/" or ".git", and scp-like "user@host:path" rewritten to ssh://.
// A URL it cannot make sense of is returned unchanged.
func NormalizeGitURL(repo string) string {
	orig := repo
	if strings.Map(dropSpace, trimSpaceUnescaped(repo)) != trimSpaceUnescaped(repo) {
		return orig // internal white space: leave it alone
	}
	repo = strings.Map(dropSpace, repo)
	if repo == "" {
		return orig
	}
	if strings.HasPrefix(repo, "http://") || strings.HasPrefix(repo, "https://") ||
		strings.HasPrefix(repo, "ssh://") {
		u, err := url.Parse(repo)
		if err != nil || len(u.Query()) > 0 {
			return orig
		}
		if !strings.HasPrefix(repo, "ssh://") {
			u.User = nil
		}
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), ".git")
		return strings.ToLower(u.String())
	}
	m := scpLike.FindStringSubmatch(repo)
	if m == nil {
		return orig
	}
	p, err := url.Parse(m[2])
	if err != nil {
		return orig
	}
	p.Path = strings.TrimSuffix(strings.TrimSuffix(p.Path, "/"), ".git")
	if p.Path == "" {
		return strings.ToLower("ssh://" + m[1])
	}
	return strings.ToLower(fmt.Sprintf("ssh://%s/%s", m[1], p.String()))
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) || !unicode.IsPrint(r) {
		return -1
	}
	return r
}

func trimSpaceUnescaped(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	isSpace := func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }
	return strings.TrimRightFunc(strings.TrimLeftFunc(s, isSpace), isSpace)
}

// NormalizeImageURL returns the canonical form of an image repository:
// Docker Hub's registry host and "library/" prefix are dropped, anything else
// is "<registry>/<repository>". An unparsable reference is returned as is.
func NormalizeImageURL(repo string) string {
	ref, err := name.ParseReference(repo, name.WeakValidation)
	if err != nil {
		return repo
	}
	reg := ref.Context().Registry.Name()
	r := ref.Context().RepositoryStr()
	if reg == "index.docker.io" || reg == "registry-1.docker.io" {
		return strings.TrimPrefix(r, "library/")
	}
	return reg + "/" + r
}

// NormalizeChartURL returns the canonical form of a chart repository URL:
// lower case, without "oci://", normalized as an image repository.
func NormalizeChartURL(repo string) string {
	return NormalizeImageURL(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(repo)), "oci://"))
}
