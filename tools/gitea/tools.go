//go:build tools

// Package tools pins the Gitea command this module builds; see build.sh.
package tools

import _ "code.gitea.io/gitea"
