// Package argocd reaches Argo CD the way Kargo does: through the Kubernetes
// API of the cluster holding its Application resources, with client-go's
// dynamic client. Credentials (a kubeconfig, or the pod's service account)
// stay on the worker; workflows only ever see Application names.
package argocd

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/railyard/railyard"
)

// DefaultNamespace is where Argo CD's Applications live unless configured.
const DefaultNamespace = "argocd"

// ApplicationsGVR is Argo CD's Application resource.
var ApplicationsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

// ErrNoCluster is returned for every Argo CD request on a worker without a
// cluster configuration.
var ErrNoCluster = railyard.NewKind("no Kubernetes cluster with Argo CD is configured on this worker "+
	"(railyard-worker --kubeconfig PATH, KUBECONFIG, or running in a pod)", railyard.ErrNotSupported)

// Config is the worker's Argo CD configuration.
type Config struct {
	// Kubeconfig is the kubeconfig file (--kubeconfig, else $KUBECONFIG,
	// which may list several files). Empty: in-cluster config when running
	// in a pod, else no cluster.
	Kubeconfig string
	// Namespace is where Applications are when a step names none.
	Namespace string
	// Projects maps a project to the kubeconfig context of its cluster;
	// other projects use the kubeconfig's current context.
	Projects map[string]string
	// Wrap, when set, wraps every cluster's HTTP transport (tests count
	// API calls with it).
	Wrap func(http.RoundTripper) http.RoundTripper
}

// Clusters are the clusters this worker reaches, by kubeconfig context
// ("" is the default one).
type Clusters struct {
	Namespace string
	projects  map[string]string
	byContext map[string]*Cluster
}

// Cluster is one cluster's dynamic client and its shared Application
// watches.
type Cluster struct {
	Context string // "" for the default context or in-cluster
	Client  dynamic.Interface

	mu       sync.Mutex
	watchers map[string]*watcher // by namespace
}

// Load builds the clusters of c. A worker without any cluster
// configuration gets Clusters that fail every request with ErrNoCluster
// (and a nil error); a configuration that is present but broken is an
// error.
func Load(c Config) (*Clusters, error) {
	cs := &Clusters{Namespace: c.Namespace, projects: c.Projects, byContext: map[string]*Cluster{}}
	if cs.Namespace == "" {
		cs.Namespace = DefaultNamespace
	}
	path := c.Kubeconfig
	if path == "" {
		path = os.Getenv("KUBECONFIG")
	}
	if path == "" {
		rc, err := rest.InClusterConfig()
		if errors.Is(err, rest.ErrNotInCluster) {
			if len(c.Projects) > 0 {
				return nil, errors.New("Argo CD clusters are named by kubeconfig context, but no kubeconfig is given (--kubeconfig or KUBECONFIG)")
			}
			return cs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("in-cluster Kubernetes configuration: %w", err)
		}
		return cs, cs.add("", rc, c.Wrap)
	}
	contexts := []string{""}
	for _, ctx := range c.Projects {
		if !slices.Contains(contexts, ctx) {
			contexts = append(contexts, ctx)
		}
	}
	for _, name := range contexts {
		rules := &clientcmd.ClientConfigLoadingRules{Precedence: kubeconfigFiles(path)}
		cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: name})
		rc, err := cc.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s, context %q: %w", path, name, err)
		}
		if err := cs.add(name, rc, c.Wrap); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// kubeconfigFiles splits a KUBECONFIG-style list of files.
func kubeconfigFiles(list string) []string {
	return strings.Split(list, string(os.PathListSeparator))
}

func (cs *Clusters) add(context string, rc *rest.Config, wrap func(http.RoundTripper) http.RoundTripper) error {
	rc = rest.CopyConfig(rc)
	rc.QPS, rc.Burst = 50, 100
	if wrap != nil {
		rc.Wrap(wrap)
	}
	dc, err := dynamic.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("Kubernetes client for context %q: %w", context, err)
	}
	cs.byContext[context] = &Cluster{Context: context, Client: dc}
	return nil
}

// Configured reports whether any cluster is configured.
func (cs *Clusters) Configured() bool { return cs != nil && len(cs.byContext) > 0 }

// Describe lists the configured clusters for the worker's capabilities
// ("default", then named contexts), empty without any.
func (cs *Clusters) Describe() []string {
	if !cs.Configured() {
		return nil
	}
	var out []string
	for ctx := range cs.byContext {
		if ctx == "" {
			ctx = "default"
		}
		out = append(out, ctx)
	}
	sort.Strings(out)
	return out
}

// For returns the cluster of project's Applications. The error is
// terminal: configuration cannot change while a promotion waits.
func (cs *Clusters) For(project string) (*Cluster, error) {
	if !cs.Configured() {
		return nil, fmt.Errorf("project %s: %w", project, ErrNoCluster)
	}
	c, ok := cs.byContext[cs.projects[project]]
	if !ok {
		return nil, fmt.Errorf("project %s: %w", project, ErrNoCluster)
	}
	return c, nil
}

// ClusterName is the name a project's cluster has in AppRef.Cluster.
func (cs *Clusters) ClusterName(project string) string {
	if cs == nil {
		return ""
	}
	return cs.projects[project]
}

// Ref completes an Application reference with the default namespace and
// the project's cluster.
func (cs *Clusters) Ref(project, namespace, name string) railyard.AppRef {
	if namespace == "" {
		namespace = cs.Namespace
	}
	return railyard.AppRef{Cluster: cs.ClusterName(project), Namespace: namespace, Name: name}
}

// Cluster returns the cluster an AppRef names.
func (cs *Clusters) Cluster(ref railyard.AppRef) (*Cluster, error) {
	if !cs.Configured() {
		return nil, ErrNoCluster
	}
	c, ok := cs.byContext[ref.Cluster]
	if !ok {
		return nil, fmt.Errorf("Application %s: kubeconfig context %q is not configured on this worker", ref, ref.Cluster)
	}
	return c, nil
}
