package git

import (
	"fmt"
	"regexp"
	"strings"
)

// pathMatcher matches a changed file path against one includePaths or
// excludePaths selector.
type pathMatcher func(path string) bool

// compilePaths compiles selectors: "regex:"/"regexp:" (unanchored regular
// expression), "glob:" (shell glob where "**" crosses directories), or an
// exact path that also selects everything beneath it.
func compilePaths(selectors []string) ([]pathMatcher, error) {
	out := make([]pathMatcher, 0, len(selectors))
	for _, sel := range selectors {
		m, err := compilePath(sel)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", sel, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func compilePath(sel string) (pathMatcher, error) {
	for _, prefix := range []string{"regex:", "regexp:"} {
		if rest, ok := strings.CutPrefix(sel, prefix); ok {
			re, err := regexp.Compile(rest)
			if err != nil {
				return nil, err
			}
			return re.MatchString, nil
		}
	}
	if rest, ok := strings.CutPrefix(sel, "glob:"); ok {
		re, err := globRegexp(rest)
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	dir := strings.Trim(strings.TrimPrefix(sel, "./"), "/")
	return func(p string) bool {
		return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
	}, nil
}

// globRegexp translates a glob into an anchored regular expression: "**"
// matches any characters including "/", "*" and "?" stay within one path
// element, "[…]" is a character class.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch ch := glob[i]; ch {
		case '*':
			if i+1 < len(glob) && glob[i+1] == '*' {
				i++
				if i+1 < len(glob) && glob[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?") // "**/" matches zero or more directories
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			end := strings.IndexByte(glob[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated character class")
			}
			class := glob[i+1 : i+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += end
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func anyPath(ms []pathMatcher, p string) bool {
	for _, m := range ms {
		if m(p) {
			return true
		}
	}
	return false
}
