#!/usr/bin/env bash
# build.sh builds the Temporal server (cmd/server) and its SQL schema tool
# (cmd/tools/sql) from go.temporal.io/server at the version the project's
# go.mod requires, once, into a cache directory keyed by that version, and
# prints the directory. Present binaries are reused. The cluster tests
# (e2e/cluster) read the directory from RAILYARD_TEMPORAL_SERVER_DIR or
# from this script's --print-only output.
# Usage: tools/temporal-server/build.sh [--print-only]
#
# Everything is inside main so that bash has read the whole script before
# the build, which takes minutes, starts.
set -euo pipefail

main() {
	cd "$(dirname "$0")/../.."
	local version dir tmp
	version=$(awk '$1 == "go.temporal.io/server" {print $2}' go.mod)
	[[ -n $version ]] || { echo "build.sh: go.temporal.io/server is not required in go.mod" >&2; exit 1; }
	dir="${XDG_CACHE_HOME:-$HOME/.cache}/railyard/tools/temporal-server-$version"
	if [[ ${1:-} == --print-only ]] || [[ -x $dir/temporal-server && -x $dir/temporal-sql-tool ]]; then
		echo "$dir"
		return
	fi
	mkdir -p "$dir"
	# The build settings are go build ./...'s (no -trimpath, cgo as the
	# environment has it), so the server's packages, compiled already for
	# the embedded server, come from the build cache.
	export GOTOOLCHAIN=local
	build "$dir" temporal-server go.temporal.io/server/cmd/server
	build "$dir" temporal-sql-tool go.temporal.io/server/cmd/tools/sql
	echo "$dir"
}

# build DIR NAME PKG builds PKG to DIR/NAME through a temporary file, so an
# interrupted build never leaves a binary that looks complete.
build() {
	local dir=$1 name=$2 pkg=$3 tmp
	[[ -x $dir/$name ]] && return
	tmp="$dir/$name.tmp.$$"
	trap 'rm -f "'"$tmp"'"' EXIT
	go build -ldflags "-s -w" -o "$tmp" "$pkg"
	mv "$tmp" "$dir/$name"
}

main "$@"
