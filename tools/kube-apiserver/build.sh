#!/usr/bin/env bash
# build.sh builds the kube-apiserver used by the Argo CD tests once, into a
# cache directory keyed by its version, and prints the binary's path. A
# present binary is reused. Usage: tools/kube-apiserver/build.sh [--print-only]
# (--print-only prints the path without building).
#
# The version is stamped into the binary: clients refuse to parse an
# unstamped server version.
#
# Everything is inside main so that bash has read the whole script before
# the build, which takes minutes, starts.
set -euo pipefail

main() {
	cd "$(dirname "$0")"
	local version major minor dir bin tmp pkg
	version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' go.mod)
	major=${version#v}
	major=${major%%.*}
	minor=${version#v*.}
	minor=${minor%%.*}
	dir="${XDG_CACHE_HOME:-$HOME/.cache}/railyard/tools/kube-apiserver-$version"
	bin="$dir/kube-apiserver"
	if [[ -x $bin || ${1:-} == --print-only ]]; then
		echo "$bin"
		return
	fi
	mkdir -p "$dir"
	tmp="$dir/kube-apiserver.tmp.$$"
	trap 'rm -f "'"$tmp"'"' EXIT
	export GOTOOLCHAIN=local CGO_ENABLED=0
	pkg=k8s.io/component-base/version
	go build -trimpath -ldflags "-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor" \
		-o "$tmp" k8s.io/kubernetes/cmd/kube-apiserver
	mv "$tmp" "$bin"
	echo "$bin"
}

main "$@"
