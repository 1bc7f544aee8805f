// Command feeder keeps the offline quickstart busy: it serves an in-memory
// OCI registry on loopback and pushes a new app:1.0.N tag on a timer, and
// commits a feature-flag change to the local config repository on a slower
// timer, so that both of the quickstart's pipelines have something to move.
//
// Images are random but reproducible (seeded by N), so after a restart the
// feeder pushes the same digests again and Railyard mints no new Freight.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	listen      string
	repo        string
	imageEvery  time.Duration
	configEvery time.Duration
	configRepo  string // bare repository to push to
	workDir     string // the feeder's clone of it
	stateFile   string // remembers the last image tag number
}

func main() {
	var o options
	flag.StringVar(&o.listen, "listen", "127.0.0.1:5001", "registry address")
	flag.StringVar(&o.repo, "repo", "app", "image repository to push tags to")
	flag.DurationVar(&o.imageEvery, "image-every", 30*time.Second, "push a new image tag this often")
	flag.DurationVar(&o.configEvery, "config-every", 90*time.Second, "commit a feature-flag change this often")
	flag.StringVar(&o.configRepo, "config-repo", "", "bare git repository of the configuration (required)")
	flag.StringVar(&o.workDir, "work-dir", "", "working clone of the config repository (default: <config-repo>-work)")
	flag.StringVar(&o.stateFile, "state", "", "file keeping the image counter (default: <work-dir>.state)")
	flag.Parse()
	if o.configRepo == "" {
		fmt.Fprintln(os.Stderr, "feeder: --config-repo is required")
		os.Exit(2)
	}
	if o.workDir == "" {
		o.workDir = strings.TrimSuffix(o.configRepo, ".git") + "-work"
	}
	if o.stateFile == "" {
		o.stateFile = o.workDir + ".state"
	}
	log.SetFlags(0)
	log.SetPrefix("feeder: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serving the registry: %w", err)
	}
	srv := &http.Server{Handler: newRegistry(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	imgs := &images{host: l.Addr().String(), repo: o.repo}
	last := readCounter(o.stateFile)
	if err := imgs.pushUpTo(last); err != nil {
		return err
	}
	cfg := &configRepo{bare: o.configRepo, work: o.workDir}
	if err := cfg.prepare(); err != nil {
		return err
	}
	log.Printf("registry on %s/%s (tags 1.0.1..1.0.%d); config in %s", imgs.host, o.repo, last, o.configRepo)
	return loop(ctx, o, imgs, cfg, last)
}

// loop pushes a tag every imageEvery and commits flags every configEvery.
func loop(ctx context.Context, o options, imgs *images, cfg *configRepo, n int) error {
	imageTick := time.NewTicker(o.imageEvery)
	defer imageTick.Stop()
	configTick := time.NewTicker(o.configEvery)
	defer configTick.Stop()
	for {
		select {
		case <-ctx.Done():
			log.Print("stopped")
			return nil
		case <-imageTick.C:
			if err := imgs.push(n + 1); err != nil {
				log.Print(err)
				continue
			}
			n++
			if err := os.WriteFile(o.stateFile, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
				log.Printf("saving the image counter: %v", err)
			}
			log.Printf("pushed %s/%s:1.0.%d", imgs.host, imgs.repo, n)
		case <-configTick.C:
			rev, err := cfg.commitNext()
			if err != nil {
				log.Print(err)
				continue
			}
			log.Printf("committed feature flags revision %d", rev)
		}
	}
}

// readCounter returns the last image number pushed by an earlier run, at
// least 1.
func readCounter(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func quietLogger() *log.Logger { return log.New(io.Discard, "", 0) }

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
