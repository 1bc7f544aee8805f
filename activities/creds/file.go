package creds

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/railyard/railyard"
)

// Store holds the credentials of a credentials file. Secret values that come
// from files or environment variables are read at every lookup, so rotating
// them needs no restart. A Store is safe for concurrent use.
type Store struct {
	path    string
	entries []entry
	secrets []secretEntry
}

// entry is one credential of the file.
type entry struct {
	index             int
	kind              string
	repoURL           string // normalized when exact
	re                *regexp.Regexp
	username          string
	password          SecretRef
	sshPrivateKey     SecretRef
	allowInsecureHTTP bool
}

// fileEntry is the YAML shape of one credential.
type fileEntry struct {
	Kind              string     `json:"kind"`
	RepoURL           string     `json:"repoURL"`
	RepoURLIsRegex    bool       `json:"repoURLIsRegex,omitempty"`
	Username          string     `json:"username,omitempty"`
	Password          *SecretRef `json:"password,omitempty"`
	SSHPrivateKey     *SecretRef `json:"sshPrivateKey,omitempty"`
	AllowInsecureHTTP bool       `json:"allowInsecureHTTP,omitempty"`
}

// LoadFile reads and validates a credentials file:
//
//	credentials:
//	- kind: git                  # git | image | helm
//	  repoURL: https://git.example.com/org/repo.git
//	  repoURLIsRegex: false      # true: repoURL is a regular expression
//	  username: bot
//	  password: {env: GIT_TOKEN} # or {value: "…"} or {file: /path}
//	  sshPrivateKey: {file: /path/id_ed25519}
//	  allowInsecureHTTP: false
//	secrets:                     # values for secret("name") in expressions
//	- name: slack
//	  project: demo              # optional; empty means every project
//	  data:
//	    token: {env: SLACK_TOKEN}
//
// Every problem of the file is reported, each naming the entry.
func LoadFile(path string) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading credentials file: %w", err)
	}
	return Parse(path, data)
}

// Parse validates the contents of a credentials file; path names it in errors.
func Parse(path string, data []byte) (*Store, error) {
	raw, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("credentials file %s: %w: %w", path, railyard.ErrInvalid, err)
	}
	var doc struct {
		Credentials []json.RawMessage `json:"credentials"`
		Secrets     []secretEntry     `json:"secrets"`
	}
	if err := strictJSON(raw, &doc); err != nil {
		return nil, fmt.Errorf("credentials file %s: %w: %w", path, railyard.ErrInvalid, err)
	}
	s := &Store{path: path}
	var problems []string
	for i, msg := range doc.Credentials {
		e, err := parseEntry(i, msg)
		if err != nil {
			problems = append(problems, fmt.Sprintf("entry %d: %v", i, err))
			continue
		}
		s.entries = append(s.entries, e)
	}
	for i, sec := range doc.Secrets {
		if err := sec.validate(); err != nil {
			problems = append(problems, fmt.Sprintf("secrets entry %d: %v", i, err))
		}
	}
	s.secrets = doc.Secrets
	if len(problems) > 0 {
		return nil, fmt.Errorf("credentials file %s: %w: %s", path, railyard.ErrInvalid,
			strings.Join(problems, "; "))
	}
	return s, nil
}

func strictJSON(data []byte, v any) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func parseEntry(i int, msg json.RawMessage) (entry, error) {
	var f fileEntry
	if err := strictJSON(msg, &f); err != nil {
		return entry{}, err
	}
	e := entry{index: i, kind: f.Kind, username: f.Username, allowInsecureHTTP: f.AllowInsecureHTTP}
	switch f.Kind {
	case KindGit, KindImage, KindHelm:
	case "":
		return entry{}, fmt.Errorf("kind is required (git, image or helm)")
	default:
		return entry{}, fmt.Errorf("kind %q is not one of git, image, helm", f.Kind)
	}
	if f.RepoURL == "" {
		return entry{}, fmt.Errorf("repoURL is required")
	}
	if f.RepoURLIsRegex {
		re, err := regexp.Compile(f.RepoURL)
		if err != nil {
			return entry{}, fmt.Errorf("repoURL: %w", err)
		}
		e.re = re
	} else {
		e.repoURL = normalize(f.Kind, f.RepoURL)
	}
	if f.Password != nil {
		if err := f.Password.validate(); err != nil {
			return entry{}, fmt.Errorf("password: %w", err)
		}
		e.password = *f.Password
	}
	if f.SSHPrivateKey != nil {
		if err := f.SSHPrivateKey.validate(); err != nil {
			return entry{}, fmt.Errorf("sshPrivateKey: %w", err)
		}
		e.sshPrivateKey = *f.SSHPrivateKey
	}
	if f.Password == nil && f.SSHPrivateKey == nil && f.Username == "" {
		return entry{}, fmt.Errorf("one of username, password or sshPrivateKey is required")
	}
	return e, nil
}

// normalize puts a repository URL in the canonical form of its kind.
func normalize(kind, repoURL string) string {
	switch kind {
	case KindGit:
		return railyard.NormalizeGitURL(repoURL)
	case KindImage:
		return railyard.NormalizeImageURL(strings.TrimSpace(repoURL))
	}
	u := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(repoURL)), "/")
	if strings.HasPrefix(u, "oci://") {
		return "oci://" + railyard.NormalizeChartURL(u)
	}
	return u
}

// Path is the file the store was loaded from.
func (s *Store) Path() string { return s.path }

// Len is the number of credentials in the store.
func (s *Store) Len() int { return len(s.entries) }

// Lookup implements Source. Exact matches win over regular expressions, each
// in file order. A match for a plain http:// URL is refused with an error
// unless the entry sets allowInsecureHTTP.
func (s *Store) Lookup(ctx context.Context, kind, repoURL string) (Credentials, bool, error) {
	e, ok := s.match(kind, repoURL)
	if !ok {
		return Credentials{}, false, nil
	}
	where := fmt.Sprintf("credentials file %s: entry %d (%s %s)", s.path, e.index, e.kind, e.pattern())
	if isPlainHTTP(repoURL) && !e.allowInsecureHTTP {
		return Credentials{}, false, fmt.Errorf(
			"%s: refusing to send credentials to %s over plain http; set allowInsecureHTTP: true to allow it: %w",
			where, repoURL, railyard.ErrRejected)
	}
	c := Credentials{Username: e.username}
	var err error
	if c.Password, err = e.password.resolve(ctx, true); err != nil {
		return Credentials{}, false, fmt.Errorf("%s: password: %w", where, err)
	}
	if c.SSHPrivateKey, err = e.sshPrivateKey.resolve(ctx, false); err != nil {
		return Credentials{}, false, fmt.Errorf("%s: sshPrivateKey: %w", where, err)
	}
	return c, true, nil
}

func (s *Store) match(kind, repoURL string) (entry, bool) {
	norm := normalize(kind, repoURL)
	for _, e := range s.entries {
		if e.kind == kind && e.re == nil && e.repoURL == norm {
			return e, true
		}
	}
	for _, e := range s.entries {
		if e.kind == kind && e.re != nil && (e.re.MatchString(norm) || e.re.MatchString(repoURL)) {
			return e, true
		}
	}
	return entry{}, false
}

func (e entry) pattern() string {
	if e.re != nil {
		return "regex " + e.re.String()
	}
	return e.repoURL
}

func isPlainHTTP(u string) bool {
	return len(u) >= 7 && strings.EqualFold(strings.TrimSpace(u)[:7], "http://")
}
