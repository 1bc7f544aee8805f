package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	railyard "github.com/railyard/railyard"
	"sigs.k8s.io/yaml"
)

// Set is a validated set of manifests: one Resources per project, sorted by
// project name, the ConfigMaps of the shared namespace
// (railyard.SharedNamespace) and the ClusterAnalysisTemplates, and warnings about fields that were accepted
// but have no effect in Railyard.
type Set struct {
	Projects         []*railyard.Resources
	SharedConfigMaps []railyard.ConfigMap
	// ClusterAnalysisTemplates are shared by every project, like the
	// shared ConfigMaps.
	ClusterAnalysisTemplates []railyard.AnalysisTemplate
	Warnings                 []Problem
}

// Shared returns the cluster-wide resources of the set, for the Shared
// workflow.
func (s *Set) Shared() railyard.SharedResources {
	return railyard.SharedResources{ConfigMaps: s.SharedConfigMaps, ClusterTemplates: s.ClusterAnalysisTemplates}
}

// Project returns the named project's resources.
func (s *Set) Project(name string) (*railyard.Resources, bool) {
	for _, p := range s.Projects {
		if p.Project == name {
			return p, true
		}
	}
	return nil, false
}

// Load reads manifests from files and directories (every *.yaml and *.yml
// below a directory, in lexical order) and validates them together.
func Load(paths ...string) (*Set, error) { return LoadInNamespace("", paths...) }

// LoadInNamespace is Load with a default namespace (project) for namespaced
// resources that name none, as `kubectl apply -n` has.
func LoadInNamespace(namespace string, paths ...string) (*Set, error) {
	files := map[string][]byte{}
	for _, p := range paths {
		if err := readPath(p, files); err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load %s: no .yaml or .yml files: %w", strings.Join(paths, ", "), railyard.ErrNotFound)
	}
	return ParseInNamespace(namespace, files)
}

func readPath(p string, files map[string][]byte) error {
	info, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("load manifests: %w", err)
	}
	if !info.IsDir() {
		return readFile(p, files)
	}
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return fmt.Errorf("load manifests: %w", err)
		case d.IsDir() && path != p && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case d.IsDir() || !isManifest(path):
			return nil
		}
		return readFile(path, files)
	})
}

func isManifest(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

func readFile(path string, files map[string][]byte) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load manifests: %w", err)
	}
	files[path] = b
	return nil
}

// Parse validates manifests given as file name → content. Each file may
// hold several YAML documents separated by "---". It returns the Set, or
// Problems listing everything wrong.
func Parse(files map[string][]byte) (*Set, error) { return ParseInNamespace("", files) }

// ParseInNamespace is Parse with a default namespace, as LoadInNamespace.
func ParseInNamespace(namespace string, files map[string][]byte) (*Set, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	r := &report{}
	c := newCatalog()
	c.namespace = namespace
	for _, name := range names {
		for i, doc := range splitDocuments(files[name]) {
			parseDocument(doc, source{File: name, Doc: i + 1}, c, r)
		}
	}
	set := c.resolve(r)
	sortProblems(r.problems)
	sortProblems(r.warnings)
	if len(r.problems) > 0 {
		return nil, Problems(r.problems)
	}
	set.Warnings = r.warnings
	return set, nil
}

var separator = regexp.MustCompile(`^---(\s.*)?$`)

// document is one YAML document of a file and the file line it starts at.
type document struct {
	text []byte
	line int
}

// splitDocuments splits a YAML stream at "---" lines and drops documents
// that hold nothing but comments and white space.
func splitDocuments(b []byte) []document {
	var docs []document
	var cur []string
	start := 1
	flush := func(next int) {
		text := strings.Join(cur, "\n")
		if hasContent(text) {
			docs = append(docs, document{text: []byte(text), line: start})
		}
		cur, start = nil, next
	}
	lines := strings.Split(string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), "\n")
	for i, line := range lines {
		if separator.MatchString(line) {
			flush(i + 2)
			continue
		}
		cur = append(cur, line)
	}
	flush(0)
	return docs
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlError makes a YAML parser message one line, with line numbers counted
// from the start of the file.
func yamlError(err error, firstLine int) string {
	msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
		return fmt.Sprintf("line %d", n+firstLine-1)
	})
	return strings.Join(strings.Fields(msg), " ")
}

func hasContent(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "..." {
			return true
		}
	}
	return false
}

// parseDocument reads one YAML document into the catalog. A Kubernetes List
// (as `kubectl get -o yaml` writes) is read item by item.
func parseDocument(doc document, src source, c *catalog, r *report) {
	j, err := yaml.YAMLToJSONStrict(doc.text)
	if err != nil {
		r.add(src, "", "not valid YAML: %s", yamlError(err, doc.line))
		return
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		r.add(src, "", "not valid YAML: %s", err)
		return
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		r.add(src, "", "must be a YAML mapping (a Kubernetes-style resource), not %s", describe(tree))
		return
	}
	if obj["kind"] == "List" && obj["apiVersion"] == "v1" {
		parseList(obj, src, c, r)
		return
	}
	v, src := parseObject(obj, src, c.namespace, r)
	c.add(v, src, r)
}

func parseList(list map[string]any, src source, c *catalog, r *report) {
	items, ok := list["items"].([]any)
	if !ok {
		r.add(src, "items", "a List must have a list of items")
		return
	}
	for i, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			r.add(src, fmt.Sprintf("items[%d]", i), "must be an object, not %s", describe(item))
			continue
		}
		v, src := parseObject(obj, src, c.namespace, r)
		c.add(v, src, r)
	}
}
