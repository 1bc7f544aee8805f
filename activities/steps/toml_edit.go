package steps

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// TOML editing keeps the file as it is and replaces only the text of the
// values it updates, so comments, order and layout survive. A key that is
// missing is added at the end of its table (a new table at the end of the
// file when there is none). The result is parsed again and must hold the
// new values.

// tomlEntry is a key/value line or a table header found in a TOML file.
type tomlEntry struct {
	path       []string // full path of the key, or of the table for a header
	header     bool
	arrayTable bool
	valStart   int // the value's bytes (key/value lines)
	valEnd     int
	lineEnd    int // just after the line (or the value's last line)
}

var bareKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func isBare(c byte) bool {
	return c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// scanTOML lists the headers and key/value lines of src. Keys inside inline
// tables and arrays are not listed.
func scanTOML(src string) ([]tomlEntry, error) {
	var out []tomlEntry
	var table []string
	arrayCount := map[string]int{}
	for i := 0; i < len(src); {
		lineStart := i
		i = skipSpace(src, i)
		switch {
		case i >= len(src):
		case src[i] == '\n' || src[i] == '\r' || src[i] == '#':
			i = lineEndOf(src, i)
		case src[i] == '[':
			arr := strings.HasPrefix(src[i:], "[[")
			open := map[bool]int{true: 2, false: 1}[arr]
			close := map[bool]string{true: "]]", false: "]"}[arr]
			keys, j, err := scanKey(src, i+open)
			if err != nil {
				return nil, err
			}
			if !strings.HasPrefix(src[j:], close) {
				return nil, fmt.Errorf("malformed table header at byte %d", lineStart)
			}
			table = keys
			if arr {
				k := strings.Join(keys, "\x00")
				table = append(append([]string{}, keys...), strconv.Itoa(arrayCount[k]))
				arrayCount[k]++
			}
			i = lineEndOf(src, j+len(close))
			out = append(out, tomlEntry{path: table, header: true, arrayTable: arr, lineEnd: i})
		default:
			keys, j, err := scanKey(src, i)
			if err != nil {
				return nil, err
			}
			j = skipSpace(src, j)
			if j >= len(src) || src[j] != '=' {
				return nil, fmt.Errorf("expected '=' after key at byte %d", lineStart)
			}
			start := skipSpace(src, j+1)
			end, err := valueEnd(src, start)
			if err != nil {
				return nil, err
			}
			i = lineEndOf(src, end)
			path := append(append([]string{}, table...), keys...)
			out = append(out, tomlEntry{path: path, valStart: start, valEnd: end, lineEnd: i})
		}
	}
	return out, nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// lineEndOf returns the index just after the newline ending the line at i.
func lineEndOf(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// scanKey reads a dotted key (bare or quoted parts) starting at i.
func scanKey(s string, i int) ([]string, int, error) {
	var keys []string
	for {
		i = skipSpace(s, i)
		if i >= len(s) {
			return nil, i, errors.New("unexpected end of file in a key")
		}
		switch s[i] {
		case '"', '\'':
			end, err := stringEnd(s, i)
			if err != nil {
				return nil, i, err
			}
			var m map[string]any
			if err := toml.Unmarshal([]byte("k = "+s[i:end]), &m); err != nil {
				return nil, i, fmt.Errorf("bad quoted key %s: %w", s[i:end], err)
			}
			k, _ := m["k"].(string)
			keys = append(keys, k)
			i = end
		default:
			j := i
			for j < len(s) && isBare(s[j]) {
				j++
			}
			if j == i {
				return nil, i, fmt.Errorf("unexpected %q in a key", s[i])
			}
			keys = append(keys, s[i:j])
			i = j
		}
		i = skipSpace(s, i)
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		return keys, i, nil
	}
}

// stringEnd returns the index after the string literal starting at i.
func stringEnd(s string, i int) (int, error) {
	q := s[i]
	if strings.HasPrefix(s[i:], strings.Repeat(string(q), 3)) {
		delim := strings.Repeat(string(q), 3)
		j := i + 3
		for {
			k := strings.Index(s[j:], delim)
			if k < 0 {
				return 0, errors.New("unterminated multi-line string")
			}
			j += k
			if q == '"' && escaped(s, j) {
				j++
				continue
			}
			j += 3
			for j < len(s) && s[j] == q { // up to two quotes may end the content
				j++
			}
			return j, nil
		}
	}
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\n':
			return 0, errors.New("unterminated string")
		case s[j] == '\\' && q == '"':
			j++
		case s[j] == q:
			return j + 1, nil
		}
	}
	return 0, errors.New("unterminated string")
}

func escaped(s string, j int) bool {
	n := 0
	for k := j - 1; k >= 0 && s[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// valueEnd returns the end of the value starting at i: strings, arrays and
// inline tables may span lines; a comment or the end of line ends it.
func valueEnd(s string, i int) (int, error) {
	depth, last := 0, i
	for j := i; j < len(s); {
		switch c := s[j]; {
		case c == '"' || c == '\'':
			end, err := stringEnd(s, j)
			if err != nil {
				return 0, err
			}
			j, last = end, end
		case c == '[' || c == '{':
			depth++
			j++
			last = j
		case c == ']' || c == '}':
			depth--
			j++
			last = j
		case c == '#':
			j = lineEndOf(s, j)
			if depth == 0 {
				return last, nil
			}
		case c == '\n' && depth == 0:
			return last, nil
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			j++
		default:
			j++
			last = j
		}
	}
	return last, nil
}

// updateTOML applies the updates to src in order.
func updateTOML(src []byte, updates []keyValue) ([]byte, error) {
	doc := string(src)
	for _, u := range updates {
		path := keyPath(u.Key)
		val, err := formatTOML(u.Value)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", u.Key, err)
		}
		if doc, err = setTOML(doc, path, val); err != nil {
			return nil, fmt.Errorf("key %s: %w", u.Key, err)
		}
	}
	var check map[string]any
	if _, err := toml.Decode(doc, &check); err != nil {
		return nil, fmt.Errorf("the updated file is not valid TOML: %w", err)
	}
	for _, u := range updates {
		if got, want := lookupTOML(check, keyPath(u.Key)), u.Value; !sameJSON(got, want) {
			return nil, fmt.Errorf("key %s could not be set (it is inside an inline table or array, or a dotted key defines its table)", u.Key)
		}
	}
	return []byte(doc), nil
}

func setTOML(doc string, path []string, val string) (string, error) {
	entries, err := scanTOML(doc)
	if err != nil {
		return "", fmt.Errorf("reading the file: %w", err)
	}
	for _, e := range entries {
		if !e.header && equalPath(e.path, path) {
			return doc[:e.valStart] + val + doc[e.valEnd:], nil
		}
	}
	table, key := path[:len(path)-1], path[len(path)-1]
	line := formatKey(key) + " = " + val + "\n"
	at, found := -1, len(table) == 0
	for _, e := range entries {
		switch {
		case e.header && found:
			return insertAt(doc, at, line), nil
		case e.header:
			found = equalPath(e.path, table)
			if found {
				at = e.lineEnd
			}
		case found:
			at = e.lineEnd
		}
	}
	if found {
		return insertAt(doc, at, line), nil
	}
	keys := make([]string, len(table))
	for i, k := range table {
		keys[i] = formatKey(k)
	}
	if doc != "" && !strings.HasSuffix(doc, "\n") {
		doc += "\n"
	}
	return doc + "\n[" + strings.Join(keys, ".") + "]\n" + line, nil
}

// insertAt inserts line at offset at (-1: the start of the file).
func insertAt(doc string, at int, line string) string {
	if at < 0 {
		at = 0
	}
	if at > 0 && doc[at-1] != '\n' {
		line = "\n" + line
	}
	return doc[:at] + line + doc[at:]
}

func equalPath(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
