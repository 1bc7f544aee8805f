package e2e

import (
	"fmt"
	"strings"
)

// seedProject is the seed's project ("Multiple pipelines", Kargo #1680):
// an images Warehouse and a config Warehouse, and dev -> uat -> prod, each
// requesting both. dev auto-promotes both origins, uat images only, prod
// nothing. @IMAGES@, @CONFIG@, @GITOPS@ and @INTERVAL@ are replaced.
//
// The template is the plain one a user writes, with no `if:` guards: a
// promotion into a stage whose other slot is still empty waits for it.
const seedProject = `
apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata:
  name: seed
---
apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata:
  name: seed
  namespace: seed
spec:
  promotionPolicies:
  - stageSelector:
      name: dev
    autoPromotionEnabled: true
  - stageSelector:
      name: uat
    warehouses: [images]
    autoPromotionEnabled: true
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: images
  namespace: seed
spec:
  interval: @INTERVAL@
  subscriptions:
  - image:
      repoURL: @IMAGES@
      imageSelectionStrategy: SemVer
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: config
  namespace: seed
spec:
  interval: @INTERVAL@
  subscriptions:
  - git:
      repoURL: @CONFIG@
      branch: main
      includePaths:
      - feature-flags/
---
apiVersion: kargo.akuity.io/v1alpha1
kind: PromotionTask
metadata:
  name: render
  namespace: seed
spec:
  vars:
  - name: imageRepo
  - name: configRepo
  - name: gitopsRepo
  steps:
  - uses: git-clone
    config:
      repoURL: ${{ vars.configRepo }}
      checkout:
      - commit: ${{ commitFrom(vars.configRepo).ID }}
        path: ./config
  - uses: git-clone
    config:
      repoURL: ${{ vars.gitopsRepo }}
      checkout:
      - branch: stage/${{ ctx.stage }}
        create: true
        path: ./out
  - uses: git-clear
    config:
      path: ./out
  - uses: copy
    config:
      inPath: ./config/feature-flags
      outPath: ./out/feature-flags
  - uses: file-write
    config:
      path: ./out/image.txt
      contents: ${{ imageFrom(vars.imageRepo).Tag }}
  - uses: git-commit
    config:
      path: ./out
      message: promote ${{ ctx.promotion }} to ${{ ctx.stage }}
  - uses: git-push
    config:
      path: ./out
      targetBranch: stage/${{ ctx.stage }}
`

// seedStage renders one stage requesting both origins from sources
// ("direct: true" or "stages: [dev]").
func seedStage(name, sources string) string {
	var origins strings.Builder
	for _, wh := range []string{"images", "config"} {
		fmt.Fprintf(&origins, "  - origin:\n      kind: Warehouse\n      name: %s\n    sources:\n      %s\n", wh, sources)
	}
	return fmt.Sprintf(`---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: %s
  namespace: seed
spec:
  vars:
  - name: imageRepo
    value: @IMAGES@
  - name: configRepo
    value: @CONFIG@
  - name: gitopsRepo
    value: @GITOPS@
  requestedFreight:
%s  promotionTemplate:
    spec:
      steps:
      - task:
          name: render
`, name, origins.String())
}

// seedManifests is the whole seed project with its URLs filled in.
func seedManifests(images, config, gitops, interval string) string {
	text := seedProject + seedStage("dev", "direct: true") +
		seedStage("uat", "stages: [dev]") + seedStage("prod", "stages: [uat]")
	return strings.NewReplacer("@IMAGES@", images, "@CONFIG@", config, "@GITOPS@", gitops,
		"@INTERVAL@", interval).Replace(text)
}

// seedPollProject is a one-stage project whose images Warehouse polls
// every 10 s, to time discovery by polling alone.
const seedPollProject = `
apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata:
  name: seedpoll
---
apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata:
  name: seedpoll
  namespace: seedpoll
spec:
  promotionPolicies:
  - stageSelector:
      name: dev
    autoPromotionEnabled: true
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: images
  namespace: seedpoll
spec:
  interval: 10s
  subscriptions:
  - image:
      repoURL: @IMAGES@
      imageSelectionStrategy: SemVer
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: dev
  namespace: seedpoll
spec:
  requestedFreight:
  - origin:
      kind: Warehouse
      name: images
    sources:
      direct: true
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config:
          repoURL: @GITOPS@
          checkout:
          - branch: poll/${{ ctx.stage }}
            create: true
            path: ./out
      - uses: file-write
        config:
          path: ./out/image.txt
          contents: ${{ imageFrom("@IMAGES@").Tag }}
      - uses: git-commit
        config:
          path: ./out
          message: poll ${{ ctx.promotion }}
      - uses: git-push
        config:
          path: ./out
          targetBranch: poll/${{ ctx.stage }}
`
