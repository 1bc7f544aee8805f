package steps

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func tarOf(t *testing.T, entries ...*tar.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, h := range entries {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(h.Name))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write([]byte(h.Name))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUntarRefusesEscapes(t *testing.T) {
	tests := []struct {
		name    string
		entry   *tar.Header
		wantErr string
	}{
		{"dot-dot stays inside", &tar.Header{Name: "../../x.txt", Typeflag: tar.TypeReg, Mode: 0o644}, ""},
		{"absolute link", &tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}, "leaves the output directory"},
		{"relative link out", &tar.Header{Name: "a/l", Typeflag: tar.TypeSymlink, Linkname: "../../x"}, "leaves the output directory"},
		{"link inside", &tar.Header{Name: "a/l", Typeflag: tar.TypeSymlink, Linkname: "../b"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			if err := os.WriteFile(filepath.Join(work, "a.tar"), tarOf(t, tt.entry), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Untar{}.Run(context.Background(), &Context{WorkDir: work}, []byte(`{"inPath":"a.tar","outPath":"out"}`))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(work, "x.txt")); err == nil {
				t.Fatal("an entry was written outside outPath")
			}
		})
	}
}

func TestTarIsReproducible(t *testing.T) {
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "in", "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(work, "in", "d", "f"), []byte("x"), 0o644)
	var archives [][]byte
	for range 2 {
		if _, err := (Tar{}).Run(context.Background(), &Context{WorkDir: work}, []byte(`{"inPath":"in","outPath":"a.tgz","gzip":true}`)); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(work, "a.tgz"))
		archives = append(archives, b)
		_ = os.Chtimes(filepath.Join(work, "in", "d", "f"), time.Unix(12345, 0), time.Unix(12345, 0))
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Fatal("the same input gave different archives")
	}
	if _, err := (Tar{}).Run(context.Background(), &Context{WorkDir: work}, []byte(`{"inPath":"in","outPath":"in/a.tar"}`)); err == nil {
		t.Fatal("an archive inside its own input was accepted")
	}
}

func TestUntarKeepsTheWorkspace(t *testing.T) {
	work := t.TempDir()
	_ = os.MkdirAll(filepath.Join(work, "dl"), 0o755)
	_ = os.WriteFile(filepath.Join(work, "dl", "a.tar"), tarOf(t, &tar.Header{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644}), 0o644)
	for _, out := range []string{".", "dl"} {
		_, err := Untar{}.Run(context.Background(), &Context{WorkDir: work}, []byte(`{"inPath":"dl/a.tar","outPath":"`+out+`"}`))
		if err == nil || !strings.Contains(err.Error(), "must not be the working directory") {
			t.Errorf("outPath %s: error = %v", out, err)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "dl", "a.tar")); err != nil {
		t.Fatal("the archive was removed")
	}
}
