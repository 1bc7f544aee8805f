package creds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "creds.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"unknown top-level field", "credential: []\n", []string{"unknown field", `"credential"`}},
		{"unknown entry field", "credentials:\n- kind: git\n  repoURL: https://x/y\n  user: bot\n",
			[]string{"entry 0", `unknown field "user"`}},
		{"missing kind", "credentials:\n- repoURL: https://x/y\n  username: a\n", []string{"entry 0", "kind is required"}},
		{"bad kind", "credentials:\n- kind: svn\n  repoURL: https://x/y\n  username: a\n", []string{`kind "svn"`}},
		{"missing repoURL", "credentials:\n- kind: git\n  username: a\n", []string{"repoURL is required"}},
		{"bad regex", "credentials:\n- kind: git\n  repoURL: '(['\n  repoURLIsRegex: true\n  username: a\n",
			[]string{"entry 0", "repoURL", "missing closing"}},
		{"two secret sources", "credentials:\n- kind: git\n  repoURL: https://x/y\n  password: {value: a, env: B}\n",
			[]string{"password: exactly one of value, file or env"}},
		{"nothing to authenticate with", "credentials:\n- kind: git\n  repoURL: https://x/y\n",
			[]string{"one of username, password or sshPrivateKey"}},
		{"all problems at once", "credentials:\n- kind: git\n  username: a\n- kind: image\n  repoURL: r\n  username: a\n- kind: helm\n",
			[]string{"entry 0: repoURL is required", "entry 2: repoURL is required"}},
		{"not yaml", "credentials: [\n", []string{"credentials file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, tt.body)
			_, err := LoadFile(p)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, railyard.ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			for _, w := range append(tt.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "absent.yaml")); err == nil {
		t.Error("absent file: no error")
	}
}

const lookupFile = `
credentials:
- kind: git
  repoURL: 'https://git\.example\.com/org/.*'
  repoURLIsRegex: true
  username: regex-org
  password: {value: regex-secret}
- kind: git
  repoURL: https://GIT.example.com/org/app.git/
  username: exact-app
  password: {value: exact-secret}
- kind: git
  repoURL: 'https://git\.example\.com/.*'
  repoURLIsRegex: true
  username: regex-any
  password: {value: any-secret}
- kind: git
  repoURL: http://plain.example.com/org/repo.git
  username: plain
  password: {value: p}
- kind: git
  repoURL: http://allowed.example.com/org/repo.git
  username: allowed
  password: {value: p}
  allowInsecureHTTP: true
- kind: image
  repoURL: docker.io/library/nginx
  username: hub
  password: {env: RAILYARD_TEST_HUB_TOKEN}
- kind: image
  repoURL: ghcr.io/org/app
  username: ghcr
  password: {file: FILE}
- kind: helm
  repoURL: oci://ghcr.io/org/charts/app
  username: chart
  password: {value: c}
- kind: helm
  repoURL: https://charts.example.com/
  username: classic
  password: {value: c}
- kind: git
  repoURL: git@github.com:org/private.git
  sshPrivateKey: {file: KEY}
`

func TestStoreLookup(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	keyFile := filepath.Join(dir, "key")
	mustWrite(t, pwFile, "from-file\n")
	mustWrite(t, keyFile, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n")
	body := strings.NewReplacer("FILE", pwFile, "KEY", keyFile).Replace(lookupFile)
	s, err := LoadFile(writeFile(t, body))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("RAILYARD_TEST_HUB_TOKEN", "hub-token")
	tests := []struct {
		name, kind, url  string
		wantUser, wantPw string
		wantKey          string
		wantErr          string
	}{
		{"exact wins over earlier regex", KindGit, "https://git.example.com/org/app", "exact-app", "exact-secret", "", ""},
		{"regex in file order", KindGit, "https://git.example.com/org/other.git", "regex-org", "regex-secret", "", ""},
		{"later regex", KindGit, "https://git.example.com/team/x", "regex-any", "any-secret", "", ""},
		{"no match", KindGit, "https://elsewhere.example.com/x", "", "", "", ""},
		{"kind must match", KindHelm, "https://git.example.com/org/app", "", "", "", ""},
		{"http refused", KindGit, "http://plain.example.com/org/repo", "", "", "", "allowInsecureHTTP"},
		{"http allowed", KindGit, "http://allowed.example.com/org/repo.git", "allowed", "p", "", ""},
		{"image normalized docker hub", KindImage, "nginx", "hub", "hub-token", "", ""},
		{"image from file, trimmed", KindImage, "ghcr.io/org/app", "ghcr", "from-file", "", ""},
		{"helm oci", KindHelm, "oci://ghcr.io/org/charts/app", "chart", "c", "", ""},
		{"helm classic trailing slash", KindHelm, "https://charts.example.com", "classic", "c", "", ""},
		{"ssh key kept verbatim", KindGit, "ssh://git@github.com/org/private", "", "",
			"-----BEGIN KEY-----\nabc\n-----END KEY-----\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, err := s.Lookup(context.Background(), tt.kind, tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "entry 3") || !strings.Contains(err.Error(), s.Path()) {
					t.Errorf("error %q does not name file and entry", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tt.wantUser != "" || tt.wantKey != "") {
				t.Fatalf("ok = %v", ok)
			}
			if c.Username != tt.wantUser || c.Password != tt.wantPw || c.SSHPrivateKey != tt.wantKey {
				t.Errorf("got %q/%q/%q", c.Username, c.Password, c.SSHPrivateKey)
			}
		})
	}
}

func TestStoreLookupReadsAtLookupTime(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "pw")
	body := "credentials:\n- kind: image\n  repoURL: r.example.com/a\n  username: u\n  password: {file: " + pw + "}\n" +
		"- kind: image\n  repoURL: r.example.com/b\n  username: u\n  password: {env: RAILYARD_TEST_UNSET_VAR}\n"
	s, err := Parse("inline.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := s.Lookup(ctx, KindImage, "r.example.com/a"); err == nil ||
		!strings.Contains(err.Error(), "inline.yaml: entry 0") {
		t.Fatalf("missing file: error = %v", err)
	}
	mustWrite(t, pw, "one")
	if c, _, _ := s.Lookup(ctx, KindImage, "r.example.com/a"); c.Password != "one" {
		t.Fatalf("password = %q", c.Password)
	}
	mustWrite(t, pw, "two")
	if c, _, _ := s.Lookup(ctx, KindImage, "r.example.com/a"); c.Password != "two" {
		t.Fatalf("rotated password = %q", c.Password)
	}
	_, _, err = s.Lookup(ctx, KindImage, "r.example.com/b")
	if err == nil || !strings.Contains(err.Error(), "entry 1") || !strings.Contains(err.Error(), "RAILYARD_TEST_UNSET_VAR") {
		t.Fatalf("unset env: error = %v", err)
	}
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
