package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// keyPath splits a dotted key; `\.` is a literal dot.
func keyPath(key string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(key); i++ {
		switch {
		case key[i] == '\\' && i+1 < len(key) && key[i+1] == '.':
			cur.WriteByte('.')
			i++
		case key[i] == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(key[i])
		}
	}
	return append(parts, cur.String())
}

// lookup walks path from n; with create, missing mapping keys are added.
func lookup(n *yaml.Node, path []string, create bool) (*yaml.Node, error) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			if !create {
				return nil, nil
			}
			n.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
		}
		n = n.Content[0]
	}
	for i, key := range path {
		next, err := child(n, key, create)
		if err != nil || next == nil {
			if err != nil {
				err = fmt.Errorf("key %s: %w", strings.Join(path[:i+1], "."), err)
			}
			return nil, err
		}
		n = next
	}
	return n, nil
}

func child(n *yaml.Node, key string, create bool) (*yaml.Node, error) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1], nil
			}
		}
		if !create {
			return nil, nil
		}
		v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
		return v, nil
	case yaml.SequenceNode:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(n.Content) {
			return nil, fmt.Errorf("no index %q in a list of %d", key, len(n.Content))
		}
		return n.Content[i], nil
	case yaml.AliasNode:
		return child(n.Alias, key, create)
	}
	if create && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		return child(n, key, create)
	}
	return nil, fmt.Errorf("cannot descend into a scalar")
}

// setNode replaces n's content with value, keeping n's comments and, for
// strings replacing strings, its quoting style.
func setNode(n *yaml.Node, value any) error {
	var repl yaml.Node
	if err := repl.Encode(value); err != nil {
		return err
	}
	if repl.Kind == yaml.ScalarNode && n.Kind == yaml.ScalarNode && repl.Tag == "!!str" && n.Tag == "!!str" &&
		!strings.Contains(repl.Value, "\n") {
		repl.Style = n.Style
	}
	repl.HeadComment, repl.LineComment, repl.FootComment = n.HeadComment, n.LineComment, n.FootComment
	*n = repl
	return nil
}

// scalarSpan returns the byte range of a single-line scalar's source text.
func scalarSpan(src []byte, lineStarts []int, n *yaml.Node) (int, int, bool) {
	if n.Kind != yaml.ScalarNode || n.Line < 1 || n.Line > len(lineStarts) || n.Tag == "!!merge" {
		return 0, 0, false
	}
	start := lineStarts[n.Line-1]
	lineEnd := bytes.IndexByte(src[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src) - start
	}
	line := src[start : start+lineEnd]
	off := runeOffset(line, n.Column-1)
	if off < 0 {
		return 0, 0, false
	}
	rest := line[off:]
	var end int
	switch n.Style {
	case 0:
		if !bytes.HasPrefix(rest, []byte(n.Value)) {
			return 0, 0, false
		}
		end = len(n.Value)
	case yaml.DoubleQuotedStyle:
		end = closingQuote(rest, '"')
	case yaml.SingleQuotedStyle:
		end = closingQuote(rest, '\'')
	default:
		return 0, 0, false
	}
	if end <= 0 {
		return 0, 0, false
	}
	return start + off, start + off + end, true
}

func runeOffset(line []byte, col int) int {
	off := 0
	for i := 0; i < col; i++ {
		if off >= len(line) {
			return -1
		}
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	return off
}

// closingQuote returns the length of a quoted scalar starting at s[0].
func closingQuote(s []byte, q byte) int {
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return -1
}

// scalarText renders value as the source text of a one-line scalar in the
// given style, or ok=false when that is not possible.
func scalarText(value any, style yaml.Style) (string, bool) {
	s, isString := value.(string)
	switch {
	case isString && strings.ContainsAny(s, "\n\r"):
		return "", false
	case isString && style == yaml.DoubleQuotedStyle:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSpace(b.String()), true
	case isString && style == yaml.SingleQuotedStyle:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'", true
	}
	switch value.(type) {
	case string, float64, float32, int, int64, bool, nil, json.Number:
	default:
		return "", false
	}
	out, err := yaml.Marshal(value)
	if err != nil {
		return "", false
	}
	text := strings.TrimSuffix(string(out), "\n")
	return text, !strings.Contains(text, "\n")
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// detectIndent guesses the indentation width of a YAML document.
func detectIndent(src []byte) int {
	for _, line := range strings.Split(string(src), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if n := len(line) - len(trimmed); n > 0 && trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			if n > 8 {
				return 2
			}
			return n
		}
	}
	return 2
}

func encodeYAML(doc *yaml.Node, indent int) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(indent)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
