package steps

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"

	"github.com/railyard/railyard/internal/testenv"
)

const chartLayer = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

// pushArtifact pushes an artifact with a config layer and a chart layer.
func pushArtifact(t *testing.T, ref string) {
	t.Helper()
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: static.NewLayer([]byte("provenance"), "application/vnd.cncf.helm.chart.provenance.v1.prov")},
		mutate.Addendum{Layer: static.NewLayer([]byte("chart bytes"), chartLayer)},
	)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag(ref)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
}

func TestOCIDownload(t *testing.T) {
	reg := testenv.StartRegistry(t)
	pushArtifact(t, reg.Host+"/charts/app:1.0.0")
	tests := []struct {
		name, config, want, wantErr string
		existing                    bool
	}{
		{name: "layer by media type", config: `{"imageRef":"oci://%s/charts/app:1.0.0","outPath":"app.tgz","mediaType":"` + chartLayer + `"}`, want: "chart bytes"},
		{name: "first layer", config: `{"imageRef":"%s/charts/app:1.0.0","outPath":"app.tgz"}`, want: "provenance"},
		{name: "no such media type", config: `{"imageRef":"%s/charts/app:1.0.0","outPath":"app.tgz","mediaType":"x/y"}`, wantErr: "no layer has media type x/y"},
		{name: "existing file", existing: true, config: `{"imageRef":"%s/charts/app:1.0.0","outPath":"app.tgz"}`, wantErr: "already exists"},
		{name: "overwrite", existing: true, config: `{"imageRef":"%s/charts/app:1.0.0","outPath":"app.tgz","allowOverwrite":true}`, want: "provenance"},
		{name: "missing tag", config: `{"imageRef":"%s/charts/app:9.9.9","outPath":"app.tgz"}`, wantErr: "MANIFEST_UNKNOWN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			if tt.existing {
				_ = os.WriteFile(filepath.Join(work, "app.tgz"), []byte("old"), 0o644)
			}
			_, err := OCIDownload{}.Run(context.Background(), &Context{WorkDir: work}, []byte(fmt.Sprintf(tt.config, reg.Host)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(work, "app.tgz"))
			if string(got) != tt.want {
				t.Errorf("file = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOCIPush(t *testing.T) {
	reg := testenv.StartRegistry(t)
	single := testenv.PushImage(t, reg.Host, "app", "1.0.0")
	multi := testenv.PushImage(t, reg.Host, "multi", "1.0.0", testenv.WithPlatforms("linux/amd64", "linux/arm64"))
	run := func(t *testing.T, config string) map[string]any {
		t.Helper()
		res, err := OCIPush{}.Run(context.Background(), &Context{WorkDir: t.TempDir()}, []byte(config))
		if err != nil {
			t.Fatal(err)
		}
		return res.Output
	}
	t.Run("retag keeps the digest", func(t *testing.T) {
		out := run(t, fmt.Sprintf(`{"srcRef":"%s/app:1.0.0","destRef":"%s/prod/app:v1"}`, reg.Host, reg.Host))
		if out["digest"] != single || out["tag"] != "v1" || out["image"] != reg.Host+"/prod/app:v1" {
			t.Fatalf("outputs %v, want digest %s", out, single)
		}
	})
	t.Run("annotations on an image", func(t *testing.T) {
		out := run(t, fmt.Sprintf(`{"srcRef":"%s/app@%s","destRef":"oci://%s/app:annotated","annotations":{"org.example/stage":"prod"}}`, reg.Host, single, reg.Host))
		m := manifestAt(t, reg.Host+"/app:annotated")
		if m.Annotations["org.example/stage"] != "prod" || out["digest"] == single {
			t.Fatalf("annotations %v, digest %v", m.Annotations, out["digest"])
		}
	})
	t.Run("index copied whole, annotations scoped", func(t *testing.T) {
		out := run(t, fmt.Sprintf(`{"srcRef":"%s/multi:1.0.0","destRef":"%s/multi:prod","annotations":{"index:level":"index","manifest:level":"image"}}`, reg.Host, reg.Host))
		ref, _ := name.ParseReference(reg.Host + "/multi:prod")
		idx, err := remote.Index(ref)
		if err != nil {
			t.Fatal(err)
		}
		im, _ := idx.IndexManifest()
		if len(im.Manifests) != 2 || im.Annotations["level"] != "index" || out["digest"] == multi {
			t.Fatalf("index %+v", im)
		}
		for _, d := range im.Manifests {
			img, _ := idx.Image(d.Digest)
			m, _ := img.Manifest()
			if m.Annotations["level"] != "image" || d.Platform == nil {
				t.Fatalf("child %s: annotations %v, platform %v", d.Digest, m.Annotations, d.Platform)
			}
		}
	})
	t.Run("destination without tag", func(t *testing.T) {
		_, err := OCIPush{}.Run(context.Background(), &Context{WorkDir: t.TempDir()},
			[]byte(fmt.Sprintf(`{"srcRef":"%s/app:1.0.0","destRef":"%s/app@%s"}`, reg.Host, reg.Host, single)))
		if err == nil || !strings.Contains(err.Error(), "must have a tag") {
			t.Fatalf("error = %v", err)
		}
	})
}

func manifestAt(t *testing.T, ref string) *v1.Manifest {
	t.Helper()
	r, _ := name.ParseReference(ref)
	img, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
