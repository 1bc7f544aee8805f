package testenv

// A real Kubernetes API server on loopback for the Argo CD tests: etcd from
// Debian's etcd-server package and kube-apiserver built by
// tools/kube-apiserver/build.sh, with a minimal Application CRD and a
// namespace for Argo CD. No Argo CD controller runs: tests write the
// Applications' status the way it does.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// KubeVersion is the kube-apiserver the tests run (tools/kube-apiserver/go.mod).
const KubeVersion = "v1.37.2"

//go:embed application-crd.yaml
var applicationCRD []byte

// Kube is a running API server, stopped when the test ends.
type Kube struct {
	URL        string // https://127.0.0.1:<port>
	Token      string // a bearer token in system:masters
	Kubeconfig string // a kubeconfig file for URL and Token (TLS not verified)
	APIServer  *os.Process
	Etcd       *os.Process
	// StartedIn is how long etcd and the API server took to be ready.
	StartedIn time.Duration

	t   testing.TB
	dir string
	dyn dynamic.Interface
}

// KubeAPIServerBinary returns the cached kube-apiserver; without it the
// test is skipped and told how to build it, or fails when $CI is set.
func KubeAPIServerBinary(t testing.TB) string {
	t.Helper()
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	bin := filepath.Join(cache, "railyard", "tools", "kube-apiserver-"+KubeVersion, "kube-apiserver")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	msg := fmt.Sprintf("kube-apiserver %s is not built: run tools/kube-apiserver/build.sh once (about 9 minutes cold; cached in %s)",
		KubeVersion, filepath.Dir(bin))
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// EtcdBinary returns Debian's etcd, skipping (failing with $CI) without it.
func EtcdBinary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		msg := "etcd not installed (apt-get install -y etcd-server): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// StartKube starts etcd and kube-apiserver on loopback, applies the
// Application CRD and creates the argocd namespace.
func StartKube(t testing.TB) *Kube {
	t.Helper()
	apiserver, etcd := KubeAPIServerBinary(t), EtcdBinary(t)
	start := time.Now()
	k := &Kube{t: t, dir: t.TempDir(), Token: "railyard-test-token"}
	etcdURL := k.startEtcd(etcd)
	k.startAPIServer(apiserver, etcdURL)
	k.StartedIn = time.Since(start)
	k.writeKubeconfig()
	k.Dynamic()
	k.applyCRD()
	k.CreateNamespace("argocd")
	return k
}

func (k *Kube) startEtcd(bin string) string {
	client, peer := "http://127.0.0.1:"+loopbackPort(k.t), "http://127.0.0.1:"+loopbackPort(k.t)
	k.Etcd = k.spawn("etcd", bin, "--name", "test", "--data-dir", filepath.Join(k.dir, "etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test="+peer, "--log-level", "warn")
	k.waitHTTP(client+"/health", "", 30*time.Second, "etcd")
	return client
}

func (k *Kube) startAPIServer(bin, etcdURL string) {
	k.writeServiceAccountKeys()
	tokens := filepath.Join(k.dir, "tokens.csv")
	k.write(tokens, []byte(k.Token+`,railyard-test,railyard-test-uid,"system:masters"`+"\n"))
	port := loopbackPort(k.t)
	k.URL = "https://127.0.0.1:" + port
	k.APIServer = k.spawn("kube-apiserver", bin,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--secure-port="+port, "--cert-dir="+filepath.Join(k.dir, "certs"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+filepath.Join(k.dir, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(k.dir, "sa.key"),
		"--token-auth-file="+tokens, "--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24", "--profiling=false", "-v=0")
	k.waitHTTP(k.URL+"/readyz", k.Token, 90*time.Second, "kube-apiserver")
}

func (k *Kube) writeServiceAccountKeys() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		k.t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		k.t.Fatal(err)
	}
	k.write(filepath.Join(k.dir, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	k.write(filepath.Join(k.dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

func (k *Kube) write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		k.t.Fatal(err)
	}
}

// spawn starts a server process logging to a file in the test's directory
// and stops it when the test ends.
func (k *Kube) spawn(name, bin string, args ...string) *os.Process {
	logPath := filepath.Join(k.dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		k.t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = logf, logf, k.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		k.t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	k.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		_ = logf.Close()
	})
	return cmd.Process
}

func (k *Kube) waitHTTP(url, token string, limit time.Duration, name string) {
	k.t.Helper()
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // a test server's own certificate
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if res, err := c.Do(req); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(k.dir, name+".log"))
	k.t.Fatalf("%s not ready at %s after %s:\n%s", name, url, limit, tail(string(log), 3000))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (k *Kube) writeKubeconfig() {
	k.Kubeconfig = filepath.Join(k.dir, "kubeconfig")
	k.write(k.Kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: test
  user: {token: %q}
contexts:
- name: test
  context: {cluster: test, user: test}
current-context: test
`, k.URL, k.Token)))
}

// RESTConfig is a client configuration for the server.
func (k *Kube) RESTConfig() *rest.Config {
	return &rest.Config{Host: k.URL, BearerToken: k.Token, QPS: 100, Burst: 200,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
}

// Dynamic is a dynamic client for the server (one, shared).
func (k *Kube) Dynamic() dynamic.Interface {
	if k.dyn == nil {
		c, err := dynamic.NewForConfig(k.RESTConfig())
		if err != nil {
			k.t.Fatal(err)
		}
		k.dyn = c
	}
	return k.dyn
}

var (
	crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	nsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	// AppGVR is Argo CD's Application resource.
	AppGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
)

// applyCRD creates the Application CRD and waits until Applications can be
// listed (the API server serves a new CRD a moment after creating it).
func (k *Kube) applyCRD() {
	var crd map[string]any
	if err := yaml.Unmarshal(applicationCRD, &crd); err != nil {
		k.t.Fatal(err)
	}
	ctx := context.Background()
	dc := k.Dynamic()
	if _, err := dc.Resource(crdGVR).Create(ctx, &unstructured.Unstructured{Object: crd}, metav1.CreateOptions{}); err != nil {
		k.t.Fatalf("creating the Application CRD: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := dc.Resource(AppGVR).Namespace("default").List(ctx, metav1.ListOptions{})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("Applications not served 30s after creating their CRD: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// CreateNamespace creates a namespace.
func (k *Kube) CreateNamespace(name string) {
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": name}}}
	if _, err := k.Dynamic().Resource(nsGVR).Create(context.Background(), ns, metav1.CreateOptions{}); err != nil &&
		!strings.Contains(err.Error(), "already exists") {
		k.t.Fatalf("creating namespace %s: %v", name, err)
	}
}
