package steps

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/creds"
)

func TestKustomizeSetImageGolden(t *testing.T) { renderGolden(t, "kustomize-set-image", nil) }

func TestKustomizeBuildGolden(t *testing.T) { renderGolden(t, "kustomize-build", nil) }

// TestKustomizePipelineGolden renders the classic Kargo template (a base and
// three stage overlays) with kustomize-set-image then kustomize-build.
func TestKustomizePipelineGolden(t *testing.T) { renderGolden(t, "render-pipeline", nil) }

func TestRenderRunnersNames(t *testing.T) {
	want := []string{"kustomize-set-image", "kustomize-build", "helm-template", "helm-update-chart"}
	got := RenderRunners()
	if len(got) != len(want) {
		t.Fatalf("got %d runners, want %d", len(got), len(want))
	}
	for i, r := range got {
		t.Run(want[i], func(t *testing.T) {
			if r.Name() != want[i] {
				t.Errorf("runner %d is %q, want %q", i, r.Name(), want[i])
			}
		})
	}
}

func TestRenderPath(t *testing.T) {
	work := t.TempDir()
	if err := os.Symlink("/etc", filepath.Join(work, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rel     string
		want    string
		wantErr bool
	}{
		{rel: "a/b", want: filepath.Join(work, "a/b")},
		{rel: "./a/../b", want: filepath.Join(work, "b")},
		{rel: ".", want: work},
		{rel: "link/passwd", want: filepath.Join(work, "etc/passwd")},
		{rel: "../x", wantErr: true},
		{rel: "/etc/passwd", wantErr: true},
		{rel: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			got, err := renderPath(work, "path", tt.rel)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestKustomizeSetImageIdempotent runs the step twice: the file is the same.
func TestKustomizeSetImageIdempotent(t *testing.T) {
	work := t.TempDir()
	file := filepath.Join(work, "kustomization.yaml")
	if err := os.WriteFile(file, []byte("resources: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := &Context{WorkDir: work, Creds: creds.None{}, Collection: railyard.NewCollection()}
	cfg := []byte(`{"path":".","images":[{"image":"nginx","tag":"1.0"}]}`)
	var first []byte
	for i := range 2 {
		if _, err := (KustomizeSetImage{}).Run(context.Background(), sc, cfg); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(file)
		if i == 1 && string(b) != string(first) {
			t.Errorf("second run changed the file:\n%s\nto\n%s", first, b)
		}
		first = b
	}
}

// BenchmarkKustomizePipeline renders one stage of the classic template:
// kustomize-set-image then kustomize-build.
func BenchmarkKustomizePipeline(b *testing.B) {
	src := filepath.Join("testdata", "render-pipeline", "classic-template", "in")
	for b.Loop() {
		b.StopTimer()
		work := b.TempDir()
		if err := os.CopyFS(work, os.DirFS(src)); err != nil {
			b.Fatal(err)
		}
		sc := &Context{WorkDir: work, Creds: creds.None{}, Collection: railyard.NewCollection()}
		b.StartTimer()
		set := []byte(`{"path":"src/stages/uat","images":[{"image":"placeholder","newName":"ghcr.io/example/app","tag":"1.2.3"}]}`)
		if _, err := (KustomizeSetImage{}).Run(context.Background(), sc, set); err != nil {
			b.Fatal(err)
		}
		build := []byte(`{"path":"src/stages/uat","outPath":"out/uat/manifests.yaml"}`)
		if _, err := (KustomizeBuild{}).Run(context.Background(), sc, build); err != nil {
			b.Fatal(err)
		}
	}
}
