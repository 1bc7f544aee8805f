package steps

import (
	"path"
	"strings"
)

// ignoreRule is one line of a .gitignore-like pattern list.
type ignoreRule struct {
	pattern  string
	negate   bool
	dirOnly  bool
	anchored bool // matches the whole relative path, not any base name
}

// ignoreList matches slash-separated relative paths against gitignore-like
// rules: blank lines and "#" comments are skipped, "!" re-includes, a
// trailing "/" matches directories only, a pattern containing "/" is
// anchored at the root ("**/" prefixes are unanchored). The last matching
// rule wins. Matching a directory excludes everything under it.
type ignoreList []ignoreRule

func parseIgnore(text string) ignoreList {
	var rules ignoreList
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		line = strings.TrimPrefix(line, "**/")
		if strings.Contains(line, "/") {
			r.anchored, line = true, strings.TrimPrefix(line, "/")
		}
		r.pattern = line
		rules = append(rules, r)
	}
	return rules
}

// ignored reports whether rel (slash-separated) is excluded.
func (l ignoreList) ignored(rel string, isDir bool) bool {
	out := false
	for _, r := range l {
		if r.dirOnly && !isDir {
			continue
		}
		target := path.Base(rel)
		if r.anchored {
			target = rel
		}
		if ok, _ := path.Match(r.pattern, target); ok {
			out = !r.negate
		}
	}
	return out
}
