package creds

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"

	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
)

// CredTypeLabel is the label Kargo uses to tell what a Secret is for.
const CredTypeLabel = "kargo.akuity.io/cred-type"

// KindGeneric is the cred-type of Secrets that are not repository
// credentials (secret() values, webhook receivers' secrets).
const KindGeneric = "generic"

// KargoSecrets is a Source, a secret() provider and a webhook receivers'
// Secret store read from a directory of Kargo Secret manifests, the files a
// Kargo user already has. A Secret belongs to the project named by its
// namespace; Secrets in the global namespaces serve every project. A lookup
// for project A never sees a Secret of project B. The directory is read
// again when a file changed (checked at most every reloadEvery), so rotating
// a Secret needs no restart. Safe for concurrent use.
type KargoSecrets struct {
	dir    string
	global []string

	mu      sync.Mutex
	checked time.Time
	stamp   string
	secrets []kargoSecret
}

const reloadEvery = 2 * time.Second

// kargoSecret is one Secret manifest, decoded.
type kargoSecret struct {
	file, namespace, name string
	credType              string
	data                  map[string]string
	repoURL               string // normalized, for exact matches
	re                    *regexp.Regexp
}

// secretManifest is the shape of a v1 Secret.
type secretManifest struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   secretMeta        `json:"metadata"`
	Type       string            `json:"type"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
	Immutable  *bool             `json:"immutable"`
}

// secretMeta is the part of a Secret's metadata Railyard reads. Other
// metadata (uid, resourceVersion, managedFields … as `kubectl get -o yaml`
// writes them) is ignored.
type secretMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
}

// UnmarshalJSON reads the metadata leniently.
func (m *secretMeta) UnmarshalJSON(b []byte) error {
	type plain secretMeta
	return json.Unmarshal(b, (*plain)(m))
}

// LoadKargoSecrets reads every *.yaml, *.yml and *.json file of dir. Every
// problem is reported at once, naming the file and the Secret; no secret
// value is ever part of an error.
func LoadKargoSecrets(dir string, globalNamespaces []string) (*KargoSecrets, error) {
	s := &KargoSecrets{dir: dir, global: globalNamespaces}
	if err := s.reload(true); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the directory the Secrets are read from.
func (s *KargoSecrets) Path() string { return s.dir }

// Len is the number of Secrets read.
func (s *KargoSecrets) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.secrets)
}

func (s *KargoSecrets) files() ([]string, string, error) {
	var files []string
	var stamp strings.Builder
	err := filepath.WalkDir(s.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != s.dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		ext := strings.ToLower(filepath.Ext(path))
		if d.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, path)
		fmt.Fprintf(&stamp, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("reading Kargo Secrets directory %s: %w", s.dir, err)
	}
	sort.Strings(files)
	return files, stamp.String(), nil
}

// reload reads the directory again when its files changed. A directory
// that became invalid keeps the Secrets read last and returns the problem.
func (s *KargoSecrets) reload(force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !force && time.Since(s.checked) < reloadEvery {
		return nil
	}
	s.checked = time.Now()
	files, stamp, err := s.files()
	if err != nil {
		return err
	}
	if !force && stamp == s.stamp {
		return nil
	}
	var all []kargoSecret
	var problems []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		secrets, errs := parseSecrets(f, b)
		all = append(all, secrets...)
		problems = append(problems, errs...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("kargo Secrets in %s: %w: %s", s.dir, railyard.ErrInvalid, strings.Join(problems, "; "))
	}
	s.secrets, s.stamp = all, stamp
	return nil
}

func (s *KargoSecrets) current() ([]kargoSecret, error) {
	err := s.reload(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secrets, err
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// parseSecrets decodes the Secrets of one file (several YAML documents).
func parseSecrets(file string, b []byte) ([]kargoSecret, []string) {
	var out []kargoSecret
	var problems []string
	for i, doc := range docSeparator.Split(string(b), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		where := fmt.Sprintf("%s: document %d", file, i+1)
		raw, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: not valid YAML", where))
			continue
		}
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		items, isList := listItems(raw)
		for j, item := range items {
			at := where
			if isList {
				at = fmt.Sprintf("%s: items[%d]", where, j)
			}
			var m secretManifest
			if err := strictJSON(item, &m); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", at, err))
				continue
			}
			sec, err := m.decode(file)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: Secret %s/%s: %v", file, m.Metadata.Namespace, m.Metadata.Name, err))
				continue
			}
			out = append(out, sec)
		}
	}
	return out, problems
}

// listItems returns the items of a v1 List (what `kubectl get secrets -o
// yaml` writes), or the document itself.
func listItems(raw []byte) ([]json.RawMessage, bool) {
	var list struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(raw, &list) != nil || list.Kind != "List" || list.APIVersion != "v1" {
		return []json.RawMessage{raw}, false
	}
	return list.Items, true
}

func (m secretManifest) decode(file string) (kargoSecret, error) {
	if m.APIVersion != "v1" || m.Kind != "Secret" {
		return kargoSecret{}, fmt.Errorf("want apiVersion v1, kind Secret, not %s %s", m.APIVersion, m.Kind)
	}
	if m.Metadata.Name == "" || m.Metadata.Namespace == "" {
		return kargoSecret{}, fmt.Errorf("metadata.name and metadata.namespace (the project) are required")
	}
	sec := kargoSecret{file: file, namespace: m.Metadata.Namespace, name: m.Metadata.Name,
		credType: m.Metadata.Labels[CredTypeLabel], data: map[string]string{}}
	for k, v := range m.Data {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil {
			return kargoSecret{}, fmt.Errorf("data.%s is not base64", k)
		}
		sec.data[k] = string(dec)
	}
	for k, v := range m.StringData {
		sec.data[k] = v // stringData wins, as in Kubernetes
	}
	switch sec.credType {
	case KindGit, KindImage, KindHelm:
		return sec, sec.compileRepo()
	case KindGeneric, "":
		return sec, nil
	}
	return kargoSecret{}, fmt.Errorf("label %s: %q is not one of git, image, helm, generic", CredTypeLabel, sec.credType)
}

func (sec *kargoSecret) compileRepo() error {
	pattern := sec.data["repoURLPattern"]
	if pattern == "" && strings.EqualFold(sec.data["repoURLIsRegex"], "true") {
		pattern = sec.data["repoURL"]
	}
	switch {
	case pattern != "":
		re, err := regexp.Compile(pattern)
		if err != nil {
			return fmt.Errorf("repoURLPattern: %w", err)
		}
		sec.re = re
	case sec.data["repoURL"] != "":
		sec.repoURL = normalize(sec.credType, sec.data["repoURL"])
	default:
		return fmt.Errorf("a %s credential needs repoURL or repoURLPattern", sec.credType)
	}
	return nil
}

// visible lists the namespaces a project may read: its own, then the global
// ones. Without a project only the global namespaces are visible.
func (s *KargoSecrets) visible(project string) []string {
	if project == "" {
		return s.global
	}
	return append([]string{project}, s.global...)
}

// Lookup implements Source for the project of ctx (WithProject): an exact
// repoURL match wins over a pattern, the project's Secrets over global
// ones, and within those the lexical order of file and document.
func (s *KargoSecrets) Lookup(ctx context.Context, kind, repoURL string) (Credentials, bool, error) {
	all, err := s.current()
	if err != nil && all == nil {
		return Credentials{}, false, err
	}
	norm := normalize(kind, repoURL)
	for _, ns := range s.visible(ProjectFrom(ctx)) {
		for _, exact := range []bool{true, false} {
			for _, sec := range all {
				if sec.namespace != ns || sec.credType != kind {
					continue
				}
				if (exact && sec.re == nil && sec.repoURL == norm) ||
					(!exact && sec.re != nil && (sec.re.MatchString(repoURL) || sec.re.MatchString(norm))) {
					return Credentials{Username: sec.data["username"], Password: sec.data["password"],
						SSHPrivateKey: sec.data["sshPrivateKey"]}, true, nil
				}
			}
		}
	}
	return Credentials{}, false, nil
}

// Secret answers secret("name") for project: a Secret of the project's
// namespace, else of a global namespace.
func (s *KargoSecrets) Secret(_ context.Context, project, name string) (map[string]string, error) {
	return s.find(s.visible(project), project, name)
}

// ReceiverSecret is the data of the Secret a project's webhook receiver
// references. As in Kargo, it must be in the project's own namespace.
func (s *KargoSecrets) ReceiverSecret(project, name string) (map[string]string, error) {
	return s.find([]string{project}, project, name)
}

func (s *KargoSecrets) find(namespaces []string, project, name string) (map[string]string, error) {
	all, err := s.current()
	if err != nil && all == nil {
		return nil, err
	}
	for _, ns := range namespaces {
		for _, sec := range all {
			if sec.namespace == ns && sec.name == name {
				return maps(sec.data), nil
			}
		}
	}
	return nil, fmt.Errorf("secret %q of project %s is not in %s: %w", name, project, s.dir, railyard.ErrNotFound)
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Namespaces lists the namespaces that hold Secrets, for the worker's log.
func (s *KargoSecrets) Namespaces() []string {
	all, _ := s.current()
	var out []string
	for _, sec := range all {
		if !slices.Contains(out, sec.namespace) {
			out = append(out, sec.namespace)
		}
	}
	sort.Strings(out)
	return out
}
