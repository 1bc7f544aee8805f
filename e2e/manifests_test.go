package e2e

import "fmt"

// projectYAML is a Project and a ProjectConfig auto-promoting the stages
// that selector (a name, "glob:…" or "regex:…") selects.
func projectYAML(project, selector string) string {
	return fmt.Sprintf(`apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata: {name: %[1]s}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: %[1]s, namespace: %[1]s}
spec:
  promotionPolicies:
  - stageSelector: {name: %[2]q}
    autoPromotionEnabled: true
`, project, selector)
}

// gitWarehouseYAML is a Warehouse with one git subscription to the remote's
// default branch, discovering hourly and on refresh.
func gitWarehouseYAML(project, name, repoURL string) string {
	return fmt.Sprintf(`---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: %s, namespace: %s}
spec:
  interval: 1h
  subscriptions:
  - git: {repoURL: %s}
`, name, project, repoURL)
}
