package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/argocd"
)

// loadClusters reads --kubeconfig (or KUBECONFIG, or the pod's service
// account) for the argocd-* steps and the Stages' health. A worker without
// any runs everything else; those steps then fail with one line.
func loadClusters(o options, logger *slog.Logger) (*argocd.Clusters, error) {
	cs, err := argocd.Load(argocd.Config{Kubeconfig: o.Kubeconfig, Namespace: o.ArgoCDNamespace, Projects: o.ArgoCDClusters})
	if err != nil {
		return nil, fmt.Errorf("Argo CD cluster: %w", err)
	}
	if cs.Configured() {
		logger.Info("Argo CD clusters", "contexts", cs.Describe(), "namespace", cs.Namespace)
	} else {
		logger.Info("no Argo CD cluster configured: argocd-update and argocd-wait steps will fail (--kubeconfig)")
	}
	return cs, nil
}

// workerIdentity is the identity the worker polls with: the SDK's usual
// pid@host, followed by the capabilities that `railyard validate` reads
// from the task queue's pollers.
func workerIdentity(cs *argocd.Clusters) string {
	host, _ := os.Hostname()
	caps := railyard.WorkerCapabilities{ArgoCD: cs.Describe()}
	return caps.Identity(fmt.Sprintf("%d@%s", os.Getpid(), host))
}
