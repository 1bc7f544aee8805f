package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/railyard/railyard/internal/testenv"
)

// TestDeployKubernetesServerDryRun sends every object of
// deploy/kubernetes/worker.yaml to a real kube-apiserver as
// `kubectl apply --dry-run=server --validate=strict` does: a dry-run create
// with strict field validation, so the server's own schema and admission
// checks run and nothing is stored.
func TestDeployKubernetesServerDryRun(t *testing.T) {
	const path = "../deploy/kubernetes/worker.yaml"
	objs := decodeStrict(t, path)
	k := testenv.StartKube(t)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(
		discovery.NewDiscoveryClientForConfigOrDie(k.RESTConfig())))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, obj := range objs {
		raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{Object: raw}
		gvk := obj.GetObjectKind().GroupVersionKind()
		u.SetGroupVersionKind(gvk)
		// The check can fail: a copy of the first object with a field the
		// schema lacks is refused.
		var typo *unstructured.Unstructured
		if i == 0 {
			typo = u.DeepCopy()
			typo.Object["metadata"].(map[string]any)["labelz"] = map[string]any{"a": "b"}
		}
		t.Run(gvk.Kind+"/"+u.GetName(), func(t *testing.T) {
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				t.Fatalf("%s: %s: %v", path, gvk, err)
			}
			ns := u.GetNamespace()
			if ns == "" {
				ns = "default"
			}
			k.CreateNamespace(ns)
			_, err = k.Dynamic().Resource(m.Resource).Namespace(ns).Create(ctx, u, metav1.CreateOptions{
				DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
			if err != nil {
				t.Fatalf("%s: %s %s: the API server refuses it: %v", path, gvk.Kind, u.GetName(), err)
			}
			if typo == nil {
				return
			}
			_, err = k.Dynamic().Resource(m.Resource).Namespace(ns).Create(ctx, typo, metav1.CreateOptions{
				DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
			if err == nil || !strings.Contains(err.Error(), "labelz") {
				t.Fatalf("an unknown field was not refused: %v", err)
			}
		})
	}
}
