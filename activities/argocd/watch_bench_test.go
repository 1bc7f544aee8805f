package argocd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// BenchmarkWatch300Stages measures kube-apiserver's CPU while 300 stages
// track their Applications and Argo CD writes 5 status changes a second:
// the writes alone, then through the worker's one shared watch (what
// Railyard does), with one watch per stage, and with every stage polling
// each 10 s.
func BenchmarkWatch300Stages(b *testing.B) {
	const stages = 300
	kube := testenv.StartKube(b)
	argo := kube.ArgoCDStatus("argocd")
	refs := make([]railyard.AppRef, stages)
	for i := range refs {
		name := fmt.Sprintf("app-%03d", i)
		kube.CreateApp("argocd", name, "https://git.example.com/gitops.git", "main", "")
		argo.SetHealth(name, "Healthy", "")
		refs[i] = railyard.AppRef{Namespace: "argocd", Name: name}
	}
	window := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("RAILYARD_WATCH_WINDOW")); err == nil {
		window = d
	}
	for b.Loop() {
		for _, mode := range []string{"status-writes-only", "shared-watch", "watch-per-stage", "poll-10s"} {
			cpu := measure(b, kube, argo, refs, mode, window)
			b.ReportMetric(cpu, mode+"-apiserver-cpu-%")
		}
	}
}

// measure runs the 300 stages' tracking in mode for window while
// Applications change, and returns the API server's CPU use in percent of
// one core.
func measure(b *testing.B, kube *testenv.Kube, argo *testenv.ArgoCD, refs []railyard.AppRef, mode string, window time.Duration) float64 {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			track(ctx, b, kube, ref, mode)
		}()
	}
	time.Sleep(3 * time.Second) // let the watches start
	before := cpuTicks(b, kube.APIServer.Pid)
	start := time.Now()
	changes := time.NewTicker(200 * time.Millisecond)
	for i := 0; time.Since(start) < window; i++ {
		<-changes.C
		phase := []string{"Healthy", "Progressing"}[i/len(refs)%2]
		argo.SetHealth(refs[i%len(refs)].Name, phase, "")
	}
	changes.Stop()
	used := cpuTicks(b, kube.APIServer.Pid) - before
	elapsed := time.Since(start)
	cancel()
	wg.Wait()
	pct := float64(used) / 100 / elapsed.Seconds() * 100 // USER_HZ is 100
	b.Logf("%s: kube-apiserver used %.1f%% of a core over %s", mode, pct, elapsed.Round(time.Second))
	return pct
}

// track follows one stage's Application until ctx ends.
func track(ctx context.Context, b *testing.B, kube *testenv.Kube, ref railyard.AppRef, mode string) {
	switch mode {
	case "shared-watch":
		cs, err := sharedClusters(kube)
		if err != nil {
			b.Error(err)
			return
		}
		last := railyard.StageHealth{}
		for ctx.Err() == nil {
			h, err := cs.WaitHealth(ctx, []railyard.AppRef{ref}, last, time.Minute, func() {})
			if err == nil {
				last = h
			}
		}
	case "watch-per-stage":
		w, err := kube.Dynamic().Resource(ApplicationsGVR).Namespace(ref.Namespace).Watch(ctx,
			metav1.ListOptions{FieldSelector: "metadata.name=" + ref.Name})
		if err != nil {
			return
		}
		defer w.Stop()
		for range w.ResultChan() {
		}
	case "poll-10s":
		for ctx.Err() == nil {
			_, _ = kube.Dynamic().Resource(ApplicationsGVR).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
			}
		}
	}
}

var (
	sharedOnce sync.Once
	shared     *Clusters
	sharedErr  error
)

// sharedClusters is one worker's clusters, shared by all its stages.
func sharedClusters(kube *testenv.Kube) (*Clusters, error) {
	sharedOnce.Do(func() { shared, sharedErr = Load(Config{Kubeconfig: kube.Kubeconfig}) })
	return shared, sharedErr
}

// cpuTicks is a process's user+system CPU time in clock ticks.
func cpuTicks(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime
}
