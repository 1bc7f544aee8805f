package main

import (
	"fmt"
	"math/rand"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// epoch dates every image, so that an image depends on its number only.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func newRegistry() http.Handler { return registry.New(registry.Logger(quietLogger())) }

// images pushes app:1.0.N tags to the feeder's registry.
type images struct {
	host string
	repo string
}

// pushUpTo pushes tags 1.0.1 to 1.0.n: an earlier run's tags, again.
func (i *images) pushUpTo(n int) error {
	for k := 1; k <= n; k++ {
		if err := i.push(k); err != nil {
			return err
		}
	}
	return nil
}

// push pushes the image numbered n as 1.0.n.
func (i *images) push(n int) error {
	tag := fmt.Sprintf("1.0.%d", n)
	ref, err := name.NewTag(i.host+"/"+i.repo+":"+tag, name.Insecure)
	if err != nil {
		return fmt.Errorf("image reference for %s: %w", tag, err)
	}
	img, err := build(n)
	if err != nil {
		return fmt.Errorf("building image %s: %w", tag, err)
	}
	if err := remote.Write(ref, img); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	return nil
}

// build makes a small random image seeded by n, labelled with its version
// and created one minute after the previous one.
func build(n int) (v1.Image, error) {
	img, err := random.Image(256, 1, random.WithSource(rand.NewSource(int64(n))))
	if err != nil {
		return nil, err
	}
	version := fmt.Sprintf("1.0.%d", n)
	img, err = mutate.Config(img, v1.Config{Labels: map[string]string{
		"org.opencontainers.image.version": version,
		"org.opencontainers.image.title":   "railyard quickstart app",
	}})
	if err != nil {
		return nil, err
	}
	return mutate.CreatedAt(img, v1.Time{Time: epoch.Add(time.Duration(n) * time.Minute)})
}
