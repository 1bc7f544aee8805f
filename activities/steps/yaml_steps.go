package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/railyard/railyard/activities/expr"
)

type keyValue struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

type fileUpdateConfig struct {
	Path    string     `json:"path"`
	Updates []keyValue `json:"updates"`
}

type parseOutput struct {
	Name           string `json:"name"`
	FromExpression string `json:"fromExpression"`
}

type fileParseConfig struct {
	Path    string        `json:"path"`
	Outputs []parseOutput `json:"outputs"`
}

// YAMLUpdate is the `yaml-update` step. When every update replaces an
// existing one-line scalar, the file is edited in place byte for byte, so
// comments, quoting and layout are untouched; otherwise the document is
// re-encoded from its node tree (comments kept, indentation detected).
type YAMLUpdate struct{}

// Name implements Runner.
func (YAMLUpdate) Name() string { return "yaml-update" }

// Run implements Runner.
func (YAMLUpdate) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	return runFileUpdate("yaml-update", sc, raw, updateYAML)
}

// runFileUpdate is yaml-update and json-update: decode, read the file in the
// workspace, apply the updates with update, write it back atomically.
func runFileUpdate(step string, sc *Context, raw json.RawMessage, update func([]byte, []keyValue) ([]byte, error)) (Result, error) {
	var c fileUpdateConfig
	if err := DecodeConfig(step, raw, &c); err != nil {
		return Result{}, err
	}
	if len(c.Updates) == 0 {
		return Result{}, Terminal(fmt.Errorf("%s config: updates must not be empty", step))
	}
	full, src, err := readInWorkDir(sc.WorkDir, c.Path)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", step, err)
	}
	out, err := update(src, c.Updates)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("%s %s: %w", step, c.Path, err))
	}
	if err := writeFileAtomic(full, out, fileMode(full, 0o644)); err != nil {
		return Result{}, fmt.Errorf("%s %s: %w", step, c.Path, err)
	}
	return Succeeded(nil), nil
}

// errMissing reports a file that a step needs and that does not exist.
var errMissing = errors.New("does not exist")

func readInWorkDir(workDir, p string) (string, []byte, error) {
	full, err := securePath(workDir, p)
	if err != nil {
		return "", nil, err
	}
	src, err := os.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, Terminal(fmt.Errorf("%s: %w", p, errMissing))
	}
	return full, src, err
}

func updateYAML(src []byte, updates []keyValue) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode}
	}
	if out, ok := spliceYAML(src, &doc, updates); ok {
		return out, nil
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
	return encodeYAML(&doc, detectIndent(src))
}

type edit struct {
	start, end int
	text       string
}

// spliceYAML applies updates as in-place text replacements when possible.
func spliceYAML(src []byte, doc *yaml.Node, updates []keyValue) ([]byte, bool) {
	starts := lineStarts(src)
	var edits []edit
	for _, u := range updates {
		n, err := lookup(doc, keyPath(u.Key), false)
		if err != nil || n == nil {
			return nil, false
		}
		start, end, ok := scalarSpan(src, starts, n)
		if !ok {
			return nil, false
		}
		text, ok := scalarText(u.Value, n.Style)
		if !ok {
			return nil, false
		}
		edits = append(edits, edit{start, end, text})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), src...)
	for i, e := range edits {
		if i > 0 && e.end > edits[i-1].start {
			return nil, false
		}
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, true
}

// YAMLParse is the `yaml-parse` step: each output is an expression over the
// document's top-level keys.
type YAMLParse struct{}

// Name implements Runner.
func (YAMLParse) Name() string { return "yaml-parse" }

// Run implements Runner.
func (YAMLParse) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	return parseFile(sc, raw, "yaml-parse", yaml.Unmarshal)
}

func parseFile(sc *Context, raw json.RawMessage, step string, decode func([]byte, any) error) (Result, error) {
	var c fileParseConfig
	if err := DecodeConfig(step, raw, &c); err != nil {
		return Result{}, err
	}
	if len(c.Outputs) == 0 {
		return Result{}, Terminal(fmt.Errorf("%s config: outputs must not be empty", step))
	}
	_, src, err := readInWorkDir(sc.WorkDir, c.Path)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", step, err)
	}
	var doc map[string]any
	if err := decode(src, &doc); err != nil {
		return Result{}, Terminal(fmt.Errorf("%s %s: %w", step, c.Path, err))
	}
	out, err := evalOutputs(expr.New(doc), c.Outputs, nil)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("%s %s: %w", step, c.Path, err))
	}
	return Succeeded(out), nil
}

func evalOutputs(ev *expr.Evaluator, outputs []parseOutput, extra map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(outputs))
	for _, o := range outputs {
		if o.Name == "" || o.FromExpression == "" {
			return nil, errors.New("every output needs a name and a fromExpression")
		}
		v, err := ev.Eval(o.FromExpression, extra)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		out[o.Name] = v
	}
	return out, nil
}

// YAMLMerge is the `yaml-merge` step: merges inFiles in order (later files
// win; mappings merge deeply, anything else is replaced) into outFile.
type YAMLMerge struct{}

type yamlMergeConfig struct {
	InFiles            []string `json:"inFiles"`
	OutFile            string   `json:"outFile"`
	IgnoreMissingFiles bool     `json:"ignoreMissingFiles,omitempty"`
}

// Name implements Runner.
func (YAMLMerge) Name() string { return "yaml-merge" }

// Run implements Runner.
func (YAMLMerge) Run(_ context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c yamlMergeConfig
	if err := DecodeConfig("yaml-merge", raw, &c); err != nil {
		return Result{}, err
	}
	if len(c.InFiles) == 0 {
		return Result{}, Terminal(errors.New("yaml-merge config: inFiles must not be empty"))
	}
	out, err := securePath(sc.WorkDir, c.OutFile)
	if err != nil {
		return Result{}, fmt.Errorf("yaml-merge outFile: %w", err)
	}
	merged, indent, err := mergeFiles(sc.WorkDir, c.InFiles, c.IgnoreMissingFiles)
	if err != nil {
		return Result{}, fmt.Errorf("yaml-merge: %w", err)
	}
	data := []byte{}
	if merged != nil {
		if data, err = encodeYAML(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{merged}}, indent); err != nil {
			return Result{}, fmt.Errorf("yaml-merge: %w", err)
		}
	}
	if err := writeFileAtomic(out, data, fileMode(out, 0o644)); err != nil {
		return Result{}, fmt.Errorf("yaml-merge %s: %w", c.OutFile, err)
	}
	return Succeeded(nil), nil
}

func mergeFiles(workDir string, files []string, ignoreMissing bool) (*yaml.Node, int, error) {
	var merged *yaml.Node
	indent := 0
	for _, f := range files {
		_, src, err := readInWorkDir(workDir, f)
		if ignoreMissing && errors.Is(err, errMissing) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		if indent == 0 {
			indent = detectIndent(src)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return nil, 0, Terminal(fmt.Errorf("%s: %w", f, err))
		}
		if len(doc.Content) > 0 {
			merged = mergeNodes(merged, doc.Content[0])
		}
	}
	return merged, max(indent, 2), nil
}

// mergeNodes merges src over dst: mapping keys merge recursively, anything
// else replaces.
func mergeNodes(dst, src *yaml.Node) *yaml.Node {
	if dst == nil || dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return src
	}
	for i := 0; i+1 < len(src.Content); i += 2 {
		key, val := src.Content[i], src.Content[i+1]
		replaced := false
		for j := 0; j+1 < len(dst.Content); j += 2 {
			if dst.Content[j].Value == key.Value {
				dst.Content[j+1] = mergeNodes(dst.Content[j+1], val)
				replaced = true
				break
			}
		}
		if !replaced {
			dst.Content = append(dst.Content, key, val)
		}
	}
	return dst
}
