#!/usr/bin/env bash
# build.sh builds the Gitea server used by the forge tests once, into a cache
# directory keyed by its version, and prints the binary's path. A present
# binary is reused. Usage: tools/gitea/build.sh [--print-only]
# (--print-only prints the path without building).
#
# Everything is inside main so that bash has read the whole script before
# the build, which takes minutes, starts.
set -euo pipefail

main() {
	cd "$(dirname "$0")"
	local version dir bin tmp
	version=$(awk '$1 == "require" && $2 == "code.gitea.io/gitea" {print $3}' go.mod)
	dir="${XDG_CACHE_HOME:-$HOME/.cache}/railyard/tools/gitea-$version"
	bin="$dir/gitea"
	if [[ -x $bin || ${1:-} == --print-only ]]; then
		echo "$bin"
		return
	fi
	mkdir -p "$dir"
	tmp="$dir/gitea.tmp.$$"
	trap 'rm -f "'"$tmp"'"' EXIT
	export GOTOOLCHAIN=local CGO_ENABLED=1
	go build -trimpath -tags 'sqlite sqlite_unlock_notify' \
		-ldflags "-s -w -X main.Version=${version#v}" -o "$tmp" code.gitea.io/gitea
	mv "$tmp" "$bin"
	echo "$bin"
}

main "$@"
