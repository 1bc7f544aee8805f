package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// JSONUpdate is the `json-update` step. Keys keep their order; the file is
// re-indented with the indentation it had (two spaces by default).
type JSONUpdate struct{}

// Name implements Runner.
func (JSONUpdate) Name() string { return "json-update" }

// Run implements Runner.
func (JSONUpdate) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	return runFileUpdate("json-update", sc, raw, updateJSON)
}

func updateJSON(src []byte, updates []keyValue) ([]byte, error) {
	if !json.Valid(src) {
		return nil, errors.New("not valid JSON")
	}
	var doc yaml.Node // JSON is YAML: the node tree keeps key order
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	for _, u := range updates {
		n, err := lookup(&doc, keyPath(u.Key), true)
		if err != nil {
			return nil, err
		}
		if err := setNode(n, u.Value); err != nil {
			return nil, fmt.Errorf("key %s: %w", u.Key, err)
		}
	}
	var compact bytes.Buffer
	if err := writeJSON(&compact, doc.Content[0]); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", jsonIndent(src)); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func jsonIndent(src []byte) string {
	for _, line := range strings.Split(string(src), "\n")[1:] {
		trimmed := strings.TrimLeft(line, " \t")
		if ws := line[:len(line)-len(trimmed)]; ws != "" {
			return ws
		}
	}
	return "  "
}

// writeJSON renders a YAML node tree decoded from JSON back as JSON.
func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, n.Content[i].Value)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		return writeScalar(b, n)
	default:
		return fmt.Errorf("unsupported YAML node kind %d in JSON", n.Kind)
	}
	return nil
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Tag {
	case "!!str":
		writeString(b, n.Value)
	case "!!null":
		b.WriteString("null")
	case "!!bool", "!!int", "!!float":
		if json.Valid([]byte(n.Value)) {
			b.WriteString(n.Value)
			return nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		out, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(out)
	default:
		writeString(b, n.Value)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// JSONParse is the `json-parse` step: each output is an expression over the
// document's top-level keys.
type JSONParse struct{}

// Name implements Runner.
func (JSONParse) Name() string { return "json-parse" }

// Run implements Runner.
func (JSONParse) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	return parseFile(sc, raw, "json-parse", json.Unmarshal)
}
