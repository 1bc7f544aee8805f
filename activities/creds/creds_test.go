package creds

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

func TestCredentialsRedacted(t *testing.T) {
	c := Credentials{Username: "bot", Password: "hunter2", SSHPrivateKey: "PRIVATE-KEY"}
	ref := SecretRef{Value: "hunter2"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "creds", c, "ref", ref)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c), "%q": fmt.Sprintf("%q", c), "%x": fmt.Sprintf("%x", c),
		"pointer": fmt.Sprintf("%v", &c), "in struct": fmt.Sprintf("%+v", struct{ C Credentials }{c}),
		"ref %v": fmt.Sprintf("%v", ref), "ref %#v": fmt.Sprintf("%#v", ref),
		"slog": logs.String(),
	}
	for verb, out := range outputs {
		t.Run(verb, func(t *testing.T) {
			if strings.Contains(out, "hunter2") || strings.Contains(out, "PRIVATE-KEY") {
				t.Errorf("secret leaked: %s", out)
			}
			if verb != "ref %v" && verb != "ref %#v" && !strings.Contains(out, "bot") {
				t.Errorf("username missing: %s", out)
			}
		})
	}
}

type fixed struct {
	c   Credentials
	ok  bool
	err error
}

func (f fixed) Lookup(context.Context, string, string) (Credentials, bool, error) {
	return f.c, f.ok, f.err
}

func TestChain(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name   string
		chain  Chain
		want   string
		wantOK bool
		err    error
	}{
		{"empty", Chain{}, "", false, nil},
		{"first match wins", Chain{None{}, fixed{c: Credentials{Username: "a"}, ok: true}, fixed{c: Credentials{Username: "b"}, ok: true}}, "a", true, nil},
		{"error stops", Chain{fixed{err: boom}, fixed{ok: true}}, "", false, boom},
		{"nil skipped", Chain{nil, fixed{c: Credentials{Username: "z"}, ok: true}}, "z", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, err := tt.chain.Lookup(context.Background(), KindGit, "x")
			if !errors.Is(err, tt.err) || ok != tt.wantOK || c.Username != tt.want {
				t.Errorf("got %v %v %v", c, ok, err)
			}
		})
	}
}

func writeDockerConfig(t *testing.T, host, user, pass string) {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	body := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}

func TestDockerConfig(t *testing.T) {
	writeDockerConfig(t, "registry.example.com", "docker-user", "docker-pass")
	tests := []struct {
		name, kind, url string
		wantUser        string
	}{
		{"image", KindImage, "registry.example.com/org/app", "docker-user"},
		{"helm oci", KindHelm, "oci://registry.example.com/charts/app", "docker-user"},
		{"other host", KindImage, "other.example.com/org/app", ""},
		{"git never", KindGit, "registry.example.com/org/app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, err := DockerConfig{}.Lookup(context.Background(), tt.kind, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tt.wantUser != "") || c.Username != tt.wantUser {
				t.Errorf("got %v ok=%v", c, ok)
			}
			if ok && c.Password != "docker-pass" {
				t.Errorf("password not read")
			}
		})
	}
}

func TestKeychain(t *testing.T) {
	writeDockerConfig(t, "registry.example.com", "docker-user", "docker-pass")
	store, err := Parse("inline", []byte("credentials:\n- kind: image\n  repoURL: registry.example.com/org/app\n  username: file-user\n  password: {value: file-pass}\n"))
	if err != nil {
		t.Fatal(err)
	}
	kc := Keychain(store, KindImage, nil)
	tests := []struct{ repo, wantUser string }{
		{"registry.example.com/org/app", "file-user"},
		{"registry.example.com/org/other", "docker-user"},
		{"elsewhere.example.com/org/app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			repo, _ := name.NewRepository(tt.repo)
			auth, err := kc.Resolve(repo)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := auth.Authorization()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Username != tt.wantUser {
				t.Errorf("username = %q, want %q", cfg.Username, tt.wantUser)
			}
		})
	}
	bad := Keychain(fixed{err: errors.New("broken file")}, KindImage, authn.DefaultKeychain)
	repo, _ := name.NewRepository("registry.example.com/org/app")
	if _, err := bad.Resolve(repo); err == nil {
		t.Error("lookup error hidden behind fallback")
	}
}
