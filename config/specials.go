package config

import (
	"fmt"
	"strings"
)

// A special is a field Kargo (or Argo Rollouts) has that Railyard treats
// differently from an ordinary field: removed or deprecated fields, fields
// whose semantics Railyard has not built, and harmless fields worth a
// warning. Specials are taken out of the tree before the strict walk, so they
// are reported once, with their own message, instead of as unknown fields.
type special struct {
	pattern string // field path; "[*]" matches every list item, "*" every key
	message string
	warning bool     // report as a warning and keep the field
	except  []string // with a trailing "*": keys that are not special
	// emptyObjectOK: an empty object asks for nothing. Otherwise `{}` is
	// taken at its word, as Kargo takes it (autoRollback: {} enables
	// rollbacks with their defaults).
	emptyObjectOK bool
}

// match is one field found by a pattern.
type match struct {
	path  string
	key   string
	value any
}

// takeSpecials reports and removes the specials found in tree.
func takeSpecials(tree map[string]any, specials []special, r *report, src source) {
	for _, s := range specials {
		for _, m := range find(tree, splitPattern(s.pattern), "", s.except, !s.warning) {
			if isEmpty(m.value, s.emptyObjectOK) {
				continue // an explicit null, "" or [] asks for nothing
			}
			msg := strings.ReplaceAll(s.message, "{key}", m.key)
			if s.warning {
				r.warn(src, m.path, "%s", msg)
				continue
			}
			r.add(src, m.path, "%s", msg)
		}
	}
}

func splitPattern(p string) []string {
	p = strings.ReplaceAll(p, "[*]", ".[*]")
	return strings.Split(p, ".")
}

// find returns the fields of tree matching the pattern segments, removing
// them when remove is set.
func find(node any, segs []string, path string, except []string, remove bool) []match {
	if len(segs) == 0 {
		return nil
	}
	seg, rest := segs[0], segs[1:]
	if seg == "[*]" {
		list, _ := node.([]any)
		var out []match
		for i, item := range list {
			out = append(out, find(item, rest, fmt.Sprintf("%s[%d]", path, i), except, remove)...)
		}
		return out
	}
	obj, ok := node.(map[string]any)
	if !ok {
		return nil
	}
	var out []match
	for _, k := range sortedKeys(obj) {
		if (seg == "*" && contains(except, k)) || (seg != "*" && seg != k) {
			continue
		}
		if len(rest) > 0 {
			out = append(out, find(obj[k], rest, join(path, k), except, remove)...)
			continue
		}
		out = append(out, match{path: join(path, k), key: k, value: obj[k]})
		if remove {
			delete(obj, k)
		}
	}
	return out
}

func isEmpty(v any, emptyObjectOK bool) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0 && emptyObjectOK
	case string:
		return x == ""
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
