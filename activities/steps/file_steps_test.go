package steps

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestKeyPath(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a", []string{"a"}},
		{"a.b.0", []string{"a", "b", "0"}},
		{`metadata.annotations.example\.com/x`, []string{"metadata", "annotations", "example.com/x"}},
		{`a\.b\.c`, []string{"a.b.c"}},
		{`a\b`, []string{`a\b`}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := keyPath(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("keyPath(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestIgnore(t *testing.T) {
	rules := parseIgnore("# comment\n*.tmp\nbuild/\n/docs/*.md\n!keep.tmp\n**/cache\n")
	tests := []struct {
		rel   string
		dir   bool
		ignor bool
	}{
		{"a.tmp", false, true},
		{"x/y/a.tmp", false, true},
		{"keep.tmp", false, false},
		{"build", true, true},
		{"build", false, false},
		{"docs/readme.md", false, true},
		{"other/docs/readme.md", false, false},
		{"deep/cache", true, true},
		{"main.go", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.rel, func(t *testing.T) {
			if got := rules.ignored(tc.rel, tc.dir); got != tc.ignor {
				t.Errorf("ignored(%q, dir=%v) = %v", tc.rel, tc.dir, got)
			}
		})
	}
}

func TestSecurePath(t *testing.T) {
	work := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(work, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(work, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p       string
		wantErr string
	}{
		{"a/b.yaml", ""},
		{"./dir/../x", ""},
		{filepath.Join(work, "abs.yaml"), ""},
		{"", "must not be empty"},
		{"../x", "outside"},
		{"dir/../../x", "outside"},
		{"/etc/passwd", "outside"},
		{"link/x", "symbolic link"},
		{"link", "symbolic link"},
	}
	for _, tc := range tests {
		t.Run(tc.p, func(t *testing.T) {
			_, err := securePath(work, tc.p)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("securePath(%q) err = %v, want %q", tc.p, err, tc.wantErr)
			}
		})
	}
}

func TestCopySkipsGitDirectory(t *testing.T) {
	work := t.TempDir()
	for _, f := range []string{"src/.git/HEAD", "src/a.txt"} {
		p := filepath.Join(work, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Copy{}.Run(context.Background(), &Context{WorkDir: work}, json.RawMessage(`{"inPath":"src","outPath":"dst"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(work, "dst/a.txt")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(work, "dst/.git")); !os.IsNotExist(err) {
		t.Error(".git was copied")
	}
}

func TestFileWritePermissions(t *testing.T) {
	tests := []struct {
		perm    string
		want    os.FileMode
		wantErr bool
	}{
		{`"0600"`, 0o600, false},
		{`"755"`, 0o755, false},
		{`640`, 0o640, false},
		{`"rwx"`, 0, true},
		{`"1777"`, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.perm, func(t *testing.T) {
			work := t.TempDir()
			cfg := `{"path":"f","contents":"x","permissions":` + tc.perm + `}`
			_, err := FileWrite{}.Run(context.Background(), &Context{WorkDir: work}, json.RawMessage(cfg))
			if tc.wantErr {
				if err == nil {
					t.Fatal("want error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(filepath.Join(work, "f"))
			if err != nil || st.Mode().Perm() != tc.want {
				t.Errorf("mode = %v, %v", st.Mode().Perm(), err)
			}
		})
	}
}

func TestFileWriteIdempotentWithoutOverwrite(t *testing.T) {
	work := t.TempDir()
	cfg := json.RawMessage(`{"path":"f","contents":"same","overwrite":false}`)
	for i := 0; i < 2; i++ {
		if _, err := (FileWrite{}).Run(context.Background(), &Context{WorkDir: work}, cfg); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}
