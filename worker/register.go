package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
	"github.com/railyard/railyard/activities/argocd"
	"github.com/railyard/railyard/activities/charts"
	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/git"
	"github.com/railyard/railyard/activities/registry"
	"github.com/railyard/railyard/activities/steps"
	"github.com/railyard/railyard/activities/verify"
	"github.com/railyard/railyard/internal/webhook"
	"github.com/railyard/railyard/workflows"
)

// register builds the activities from the options and registers them with
// the workflows on w. Two more workers are returned for the caller to start
// and stop: promotion steps run on one polling a task queue of this process
// alone, so that the steps of one promotion share a working directory; the
// Stages' Argo CD health watches on one polling the health queue.
func register(w worker.Worker, c client.Client, o options, clusters *argocd.Clusters, logger *slog.Logger) ([]worker.Worker, webhook.SecretStore, error) {
	src, receiverSecrets, err := credentialSource(o.CredentialsFile, o.globalNamespaces(), logger)
	if err != nil {
		return nil, nil, err
	}
	workRoot, err := activities.PrepareWorkRoot(filepath.Join(o.CacheDir, "work"), hostQueueSuffix())
	if err != nil {
		return nil, nil, err
	}
	gitc := &git.Client{CacheDir: filepath.Join(o.CacheDir, "git"), Creds: src}
	reg := steps.Registry{}.
		Add(steps.GitRunners(gitc)...).
		Add(steps.FileRunners(&http.Client{Timeout: 5 * time.Minute})...).
		Add(steps.RenderRunners()...).
		Add(steps.OCIRunners()...).
		Add(steps.PullRequestRunners(steps.PullRequests{HTTP: &http.Client{Timeout: time.Minute}})...).
		Add(steps.ArgoCDRunners(clusters)...)
	a := &activities.Activities{
		Client:    c,
		HostQueue: o.TaskQueue + "@" + filepath.Base(workRoot),
		WorkRoot:  workRoot,
		Git:       gitc,
		Images:    &registry.Client{Creds: src},
		Charts:    &charts.Client{Creds: src},
		Verify:    &verify.Measurer{Secrets: secretSource(src)},
		ArgoCD:    clusters,
		Shared:    temporalLookup{c},
		Steps: &steps.Engine{Registry: reg, Creds: src, Secrets: secretSource(src), ConfigMaps: temporalLookup{c},
			Records:   temporalLookup{c},
			UIBaseURL: o.uiBaseURL()},
	}
	workflows.Register(w, a)
	host := worker.New(c, a.HostQueue, worker.Options{})
	workflows.RegisterHost(host, a)
	// A health watch is a goroutine waiting on the worker's shared watch of
	// Argo CD: thousands cost little, so the slots are not what bounds them.
	health := worker.New(c, railyard.HealthQueue(o.TaskQueue), worker.Options{
		Identity: workerIdentity(clusters), MaxConcurrentActivityExecutionSize: healthSlots})
	workflows.RegisterHealth(health, a)
	logger.Info("activities registered", "host_queue", a.HostQueue, "work_root", workRoot, "steps", len(reg))
	return []worker.Worker{host, health}, receiverSecrets, nil
}

// healthSlots is how many Stages' health watches one worker holds at once.
const healthSlots = 20_000

// credentialSource reads --credentials: a directory of Kargo Secret
// manifests (which also holds webhook receivers' Secrets) or a credentials
// file (which holds none).
func credentialSource(path string, global []string, logger *slog.Logger) (creds.Source, webhook.SecretStore, error) {
	if path == "" {
		return creds.None{}, nil, nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		s, err := creds.LoadKargoSecrets(path, global)
		if err != nil {
			return nil, nil, fmt.Errorf("--credentials %s: %w", path, err)
		}
		logger.Info("Kargo Secrets read", "dir", path, "secrets", s.Len(), "namespaces", s.Namespaces(), "global", global)
		return s, s, nil
	}
	s, err := creds.LoadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--credentials %s: %w", path, err)
	}
	return s, nil, nil
}

// secretSource answers secret() from the credentials file when it has
// secrets, else finds none.
func secretSource(src creds.Source) interface {
	Secret(ctx context.Context, project, name string) (map[string]string, error)
} {
	if s, ok := src.(interface {
		Secret(ctx context.Context, project, name string) (map[string]string, error)
	}); ok {
		return s
	}
	return noSecrets{}
}

type noSecrets struct{}

func (noSecrets) Secret(_ context.Context, project, name string) (map[string]string, error) {
	return nil, fmt.Errorf("secret %q of project %s: no secrets are configured on this worker (--credentials)", name, project)
}

// hostQueueSuffix names this process's own task queue and work directory:
// host name, process ID and a random part, so a restarted worker never
// picks up a dead one's steps.
func hostQueueSuffix() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
