#!/usr/bin/env bash
# run.sh — Railyard's quickstart, offline: starts the dev worker (embedded
# Temporal server and Web UI), creates local git repositories on first run,
# applies the quickstart project, and commits a new application revision
# every 45 seconds so Freight keeps flowing dev -> uat. Ctrl-C stops it all.
#
# Environment: QUICKSTART_DIR (state, default ./.railyard-quickstart),
# RAILYARD_PORT (7233), RAILYARD_UI_PORT (8233), QUICKSTART_EVERY (45 s).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${QUICKSTART_DIR:-$root/.railyard-quickstart}
port=${RAILYARD_PORT:-7233}
ui=${RAILYARD_UI_PORT:-8233}
every=${QUICKSTART_EVERY:-45}
bin=$root/bin
mkdir -p "$dir/repos"
dir=$(cd "$dir" && pwd)
repos=$dir/repos
export GIT_AUTHOR_NAME=quickstart GIT_AUTHOR_EMAIL=quickstart@railyard.invalid
export GIT_COMMITTER_NAME=quickstart GIT_COMMITTER_EMAIL=quickstart@railyard.invalid

# commit_app REVISION writes the application manifests at REVISION.
commit_app() {
  local work=$dir/app-work rev=$1
  mkdir -p "$work/manifests"
  cat > "$work/manifests/deployment.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
spec:
  replicas: 1
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: demo
        image: nginx:1.27.$rev
YAML
  cat > "$work/manifests/configmap.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
data:
  REVISION: "$rev"
  STAGE: unset
YAML
  git -C "$work" add -A
  git -C "$work" commit -q -m "app revision $rev"
  git -C "$work" push -q origin main
}

if [ ! -d "$repos/app.git" ]; then
  echo "creating local repositories in $repos"
  git init -q --bare --initial-branch=main "$repos/app.git"
  git init -q --bare --initial-branch=main "$repos/gitops.git"
  seed=$dir/gitops-work
  git init -q --initial-branch=main "$seed"
  echo "# GitOps repository: one branch per stage" > "$seed/README.md"
  git -C "$seed" add -A && git -C "$seed" commit -q -m "init"
  git -C "$seed" push -q "$repos/gitops.git" main
  rm -rf "$seed"
  git clone -q "$repos/app.git" "$dir/app-work" 2>/dev/null
  commit_app 1
fi

sed "s#@REPOS@#$repos#g" "$root/examples/quickstart/project.yaml.tmpl" > "$dir/project.yaml"

"$bin/railyard-worker" --dev --data-dir "$dir/temporal" --cache-dir "$dir/cache" \
  --port "$port" --ui-port "$ui" &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 120); do
  "$bin/railyard" --address "127.0.0.1:$port" validate -f "$dir/project.yaml" >/dev/null 2>&1 || break
  if "$bin/railyard" --address "127.0.0.1:$port" apply -f "$dir/project.yaml" 2>/dev/null; then
    applied=1
    break
  fi
  kill -0 $worker 2>/dev/null || { echo "the worker exited; see its log above" >&2; exit 1; }
  sleep 0.5
done
[ "${applied:-}" = 1 ] || { "$bin/railyard" validate -f "$dir/project.yaml"; exit 1; }

cat <<MSG

Railyard is running.
  Web UI:    http://127.0.0.1:$ui/namespaces/default/workflows
  Stages:    $bin/railyard get stages --project quickstart
  Freight:   $bin/railyard get freight --project quickstart
  Promote:   $bin/railyard promote --project quickstart --stage prod --freight <alias>
A new application revision is committed every ${every}s. Ctrl-C stops everything.

MSG

rev=$(git -C "$dir/app-work" log -1 --format=%s | awk '{print $3}')
while kill -0 $worker 2>/dev/null; do
  sleep "$every"
  rev=$((rev + 1))
  commit_app "$rev"
  echo "quickstart: committed app revision $rev"
done
