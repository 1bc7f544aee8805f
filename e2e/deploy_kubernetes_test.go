package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/railyard/railyard/activities/creds"
)

// deploy/kubernetes/worker.yaml is checked twice: a real kube-apiserver
// takes every object in a strict server-side dry run
// (TestDeployKubernetesServerDryRun), and here every document is decoded
// strictly into the Kubernetes API types (unknown or duplicate fields fail)
// and its references are followed: the ConfigMap and Secret the
// Deployment reads, its volumes and mounts, its selector, the worker flags
// it passes (against `railyard-worker -h`) and the credentials file it
// mounts (parsed as the worker parses it).
func TestDeployKubernetesManifests(t *testing.T) {
	path := "../deploy/kubernetes/worker.yaml"
	objs := decodeStrict(t, path)
	var cm *corev1.ConfigMap
	secrets := map[string]*corev1.Secret{}
	var dep *appsv1.Deployment
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.ConfigMap:
			cm = o
		case *corev1.Secret:
			secrets[o.Name] = o
		case *appsv1.Deployment:
			dep = o
		default:
			t.Errorf("%s: unexpected kind %T", path, o)
		}
	}
	if cm == nil || dep == nil || len(secrets) == 0 {
		t.Fatalf("%s: want a ConfigMap, a Secret and a Deployment", path)
	}
	checks := []struct {
		name  string
		check func() error
	}{
		{"ConfigMap holds only Temporal connection settings", func() error { return temporalOnly(cm) }},
		{"selector matches the pod labels", func() error { return selects(dep) }},
		{"references resolve", func() error { return references(dep, cm, secrets) }},
		{"worker flags exist", func() error { return workerFlags(dep) }},
		{"credentials file parses", func() error { return credentialsParse(secrets["railyard-credentials"]) }},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.check(); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		})
	}
}

// decodeStrict decodes every YAML document of path into its typed object.
func decodeStrict(t *testing.T, path string) []runtime.Object {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	codecs := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict)
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	var out []runtime.Object
	for i := 1; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, i, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj, gvk, err := codecs.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, i, err)
		}
		t.Logf("%s: document %d decodes as %s", path, i, gvk)
		out = append(out, obj)
	}
}

func temporalOnly(cm *corev1.ConfigMap) error {
	for k := range cm.Data {
		if !strings.HasPrefix(k, "TEMPORAL_") {
			return fmt.Errorf("ConfigMap %s: key %s is not a Temporal client setting", cm.Name, k)
		}
	}
	for _, k := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE"} {
		if cm.Data[k] == "" {
			return fmt.Errorf("ConfigMap %s: no %s", cm.Name, k)
		}
	}
	return nil
}

func selects(dep *appsv1.Deployment) error {
	sel := labels.SelectorFromSet(dep.Spec.Selector.MatchLabels)
	if !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
		return fmt.Errorf("Deployment %s: selector %s does not match its pod labels %v", dep.Name, sel, dep.Spec.Template.Labels)
	}
	return nil
}

// references checks envFrom, secretKeyRef, volumes and mounts.
func references(dep *appsv1.Deployment, cm *corev1.ConfigMap, secrets map[string]*corev1.Secret) error {
	pod := dep.Spec.Template.Spec
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
		if s := v.Secret; s != nil {
			for _, item := range s.Items {
				if err := secretKey(secrets, s.SecretName, item.Key, false); err != nil {
					return fmt.Errorf("volume %s: %w", v.Name, err)
				}
			}
		}
	}
	for _, c := range pod.Containers {
		for _, from := range c.EnvFrom {
			if ref := from.ConfigMapRef; ref != nil && ref.Name != cm.Name {
				return fmt.Errorf("container %s: envFrom ConfigMap %s is not in the file", c.Name, ref.Name)
			}
		}
		for _, env := range c.Env {
			if ref := env.ValueFrom; ref != nil && ref.SecretKeyRef != nil {
				k := ref.SecretKeyRef
				if err := secretKey(secrets, k.Name, k.Key, k.Optional != nil && *k.Optional); err != nil {
					return fmt.Errorf("container %s env %s: %w", c.Name, env.Name, err)
				}
			}
		}
		for _, m := range c.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				return fmt.Errorf("container %s mounts volume %s, which is not declared", c.Name, m.Name)
			}
		}
	}
	return nil
}

func secretKey(secrets map[string]*corev1.Secret, name, key string, optional bool) error {
	s, ok := secrets[name]
	if !ok {
		if optional {
			return nil
		}
		return fmt.Errorf("Secret %s is not in the file", name)
	}
	if _, ok := s.StringData[key]; !ok {
		if _, ok := s.Data[key]; !ok {
			return fmt.Errorf("Secret %s has no key %s", name, key)
		}
	}
	return nil
}

// workerFlags checks that every --flag the container passes is one that
// `railyard-worker -h` lists.
func workerFlags(dep *appsv1.Deployment) error {
	out, _ := exec.Command(filepath.Join(bin, "railyard-worker"), "-h").CombinedOutput()
	for _, c := range dep.Spec.Template.Spec.Containers {
		for _, arg := range c.Args {
			flag, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			if !bytes.Contains(out, []byte("-"+flag+" ")) && !bytes.Contains(out, []byte("-"+flag+"\n")) {
				return fmt.Errorf("container %s: railyard-worker has no flag --%s:\n%s", c.Name, flag, out)
			}
		}
	}
	return nil
}

func credentialsParse(s *corev1.Secret) error {
	if s == nil {
		return errors.New("no Secret railyard-credentials")
	}
	_, err := creds.Parse("credentials.yaml", []byte(s.StringData["credentials.yaml"]))
	return err
}
