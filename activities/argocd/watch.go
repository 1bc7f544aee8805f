package argocd

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/railyard/railyard"
)

// A watcher is one watch of the Applications of one namespace, shared by
// every stage of the worker that tracks Applications there: the stages read
// its cache, and it wakes them when anything changes. One watch per cluster
// and namespace, whatever the number of stages.
type watcher struct {
	store  cache.Store
	synced cache.InformerSynced

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every event
}

func (c *Cluster) watcher(namespace string) *watcher {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.watchers[namespace]; ok {
		return w
	}
	if c.watchers == nil {
		c.watchers = map[string]*watcher{}
	}
	f := dynamicinformer.NewFilteredDynamicSharedInformerFactory(c.Client, 10*time.Minute, namespace, nil)
	inf := f.ForResource(ApplicationsGVR).Informer()
	w := &watcher{store: inf.GetStore(), synced: inf.HasSynced, changed: make(chan struct{})}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { w.wake() },
		UpdateFunc: func(any, any) { w.wake() },
		DeleteFunc: func(any) { w.wake() },
	})
	go inf.Run(context.Background().Done()) // for the life of the worker
	c.watchers[namespace] = w
	return w
}

func (w *watcher) wake() {
	w.mu.Lock()
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}

func (w *watcher) next() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

func (w *watcher) observe(name, namespace string) railyard.AppObservation {
	obj, ok, _ := w.store.GetByKey(namespace + "/" + name)
	if !ok {
		return railyard.AppObservation{}
	}
	app, _ := obj.(*unstructured.Unstructured)
	return Observe(app)
}

// Health evaluates the Applications from the watches' caches, starting
// the watches on first use and waiting for their first listing.
func (cs *Clusters) Health(ctx context.Context, apps []railyard.AppRef) (railyard.StageHealth, []<-chan struct{}, error) {
	var out []railyard.AppHealth
	var wake []<-chan struct{}
	for _, ref := range apps {
		c, err := cs.Cluster(ref)
		if err != nil {
			return railyard.StageHealth{}, nil, err
		}
		w := c.watcher(ref.Namespace)
		wake = append(wake, w.next())
		if !cache.WaitForCacheSync(ctx.Done(), w.synced) {
			return railyard.StageHealth{}, nil, fmt.Errorf("listing Applications in %s: %w", ref.Namespace, ctx.Err())
		}
		out = append(out, railyard.EvaluateApp(ref, w.observe(ref.Name, ref.Namespace)))
	}
	return railyard.CombineHealth(out), wake, nil
}

// WaitHealth returns the Applications' health as soon as it differs from
// last, or after maxWait. It reads the shared watches and makes no request
// of its own; beat is called while it waits (the activity's heartbeat).
func (cs *Clusters) WaitHealth(ctx context.Context, apps []railyard.AppRef, last railyard.StageHealth,
	maxWait time.Duration, beat func()) (railyard.StageHealth, error) {
	deadline := time.Now().Add(maxWait)
	for {
		h, wake, err := cs.Health(ctx, apps)
		if err != nil || !h.Equal(last) || !time.Now().Before(deadline) {
			return h, err
		}
		if err := waitAny(ctx, wake, time.Until(deadline), beat); err != nil {
			return h, err
		}
	}
}

// waitAny waits for one of the wake channels, for d or for the context;
// every 20 seconds it beats.
func waitAny(ctx context.Context, wake []<-chan struct{}, d time.Duration, beat func()) error {
	woken := make(chan struct{}, 1)
	stop := make(chan struct{})
	defer close(stop)
	for _, ch := range wake {
		go func() {
			select {
			case <-ch:
				select {
				case woken <- struct{}{}:
				default:
				}
			case <-stop:
			}
		}()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	tick := time.NewTicker(20 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
			return nil
		case <-timer.C:
			return nil
		case <-tick.C:
			beat()
		}
	}
}
