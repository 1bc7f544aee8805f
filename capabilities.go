package railyard

import "strings"

// WorkerCapabilities is what a worker can do beyond the basics, published
// in the identity it polls Temporal with, so that `railyard validate` can
// ask the task queue's pollers without any store of its own.
type WorkerCapabilities struct {
	// ArgoCD names the clusters (kubeconfig contexts, "default") the worker
	// reaches Argo CD in; empty when it has none.
	ArgoCD []string
}

const capabilitiesMark = " railyard-worker"

// Identity appends the capabilities to a worker identity:
// "1234@host railyard-worker argocd=default,prod".
func (c WorkerCapabilities) Identity(base string) string {
	id := base + capabilitiesMark
	if len(c.ArgoCD) > 0 {
		id += " argocd=" + strings.Join(c.ArgoCD, ",")
	}
	return id
}

// ParseIdentity reads the capabilities from a poller's identity; ok is
// false for an identity that is not a Railyard worker's.
func ParseIdentity(identity string) (c WorkerCapabilities, ok bool) {
	i := strings.Index(identity, capabilitiesMark)
	if i < 0 {
		return c, false
	}
	for _, f := range strings.Fields(identity[i+len(capabilitiesMark):]) {
		if v, found := strings.CutPrefix(f, "argocd="); found && v != "" {
			c.ArgoCD = strings.Split(v, ",")
		}
	}
	return c, true
}

// UsesArgoCD reports whether any stage or task of r runs an argocd-* step.
func (r Resources) UsesArgoCD() bool {
	uses := func(steps []PromotionStep) bool {
		for _, s := range steps {
			if strings.HasPrefix(s.Uses, "argocd-") {
				return true
			}
		}
		return false
	}
	for _, s := range r.Stages {
		if s.Spec.PromotionTemplate != nil && uses(s.Spec.PromotionTemplate.Spec.Steps) {
			return true
		}
	}
	for _, t := range r.Tasks {
		if uses(t.Spec.Steps) {
			return true
		}
	}
	return false
}

// ArgoCDWarning is what `validate` says about a project using argocd-*
// steps, given the capabilities of the workers polling its task queue
// ("" when one of them reaches a cluster).
func ArgoCDWarning(project string, workers []WorkerCapabilities) string {
	for _, w := range workers {
		if len(w.ArgoCD) > 0 {
			return ""
		}
	}
	if len(workers) == 0 {
		return "project " + project + " uses argocd-* steps, and no Railyard worker polls the task queue to say it reaches a cluster"
	}
	return "project " + project + " uses argocd-* steps, but no worker has a Kubernetes cluster for Argo CD " +
		"(railyard-worker --kubeconfig PATH): those steps will fail"
}
