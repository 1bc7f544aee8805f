#!/usr/bin/env bash
# run.sh — Railyard's quickstart, offline: two pipelines through the same
# stages. It starts the dev worker (embedded Temporal server and Web UI) and
# the feeder (a local OCI registry that gets a new app:1.0.N tag every ~30 s,
# and a feature-flag commit to the local config repository every ~90 s),
# creates the local git repositories on first run, and applies the
# quickstart project. Ctrl-C stops it all; state survives in QUICKSTART_DIR.
#
# Environment: QUICKSTART_DIR (state, default ./.railyard-quickstart),
# RAILYARD_PORT (7233), RAILYARD_UI_PORT (8233), RAILYARD_DASHBOARD_PORT
# (8234), QUICKSTART_REGISTRY_PORT
# (5001), QUICKSTART_IMAGE_EVERY (30s), QUICKSTART_CONFIG_EVERY (90s).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${QUICKSTART_DIR:-$root/.railyard-quickstart}
port=${RAILYARD_PORT:-7233}
ui=${RAILYARD_UI_PORT:-8233}
dash=${RAILYARD_DASHBOARD_PORT:-8234}
registry=127.0.0.1:${QUICKSTART_REGISTRY_PORT:-5001}
image_every=${QUICKSTART_IMAGE_EVERY:-30s}
config_every=${QUICKSTART_CONFIG_EVERY:-90s}
bin=$root/bin
mkdir -p "$dir/repos" "$bin"
dir=$(cd "$dir" && pwd)
[ -f "$dir/.gitignore" ] || echo '*' > "$dir/.gitignore" # state, never committed
repos=$dir/repos
export GIT_AUTHOR_NAME=quickstart GIT_AUTHOR_EMAIL=quickstart@railyard.invalid
export GIT_COMMITTER_NAME=quickstart GIT_COMMITTER_EMAIL=quickstart@railyard.invalid

for b in railyard railyard-worker; do
  [ -x "$bin/$b" ] || { echo "$bin/$b is missing: run 'make build' (or 'make run')" >&2; exit 1; }
done
echo "building the feeder"
(cd "$root" && GOTOOLCHAIN=${GOTOOLCHAIN:-local} go build -o "$bin/quickstart-feeder" ./examples/quickstart/feeder)

if [ ! -d "$repos/config.git" ]; then
  echo "creating local repositories in $repos"
  git init -q --bare --initial-branch=main "$repos/config.git"
fi
if [ ! -d "$repos/gitops.git" ]; then
  git init -q --bare --initial-branch=main "$repos/gitops.git"
  seed=$(mktemp -d)
  git init -q --initial-branch=main "$seed"
  echo "# GitOps repository: one branch per stage (stage/dev, stage/uat, stage/prod)" > "$seed/README.md"
  git -C "$seed" add -A && git -C "$seed" commit -q -m "init"
  git -C "$seed" push -q "$repos/gitops.git" main
  rm -rf "$seed"
fi

sed -e "s#@REPOS@#$repos#g" -e "s#@REGISTRY@#$registry#g" \
  "$root/examples/quickstart/project.yaml.tmpl" > "$dir/project.yaml"

pids=()
cleanup() {
  [ ${#pids[@]} -eq 0 ] && return
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin/quickstart-feeder" --listen "$registry" --config-repo "$repos/config.git" \
  --work-dir "$dir/config-work" --state "$dir/feeder.state" \
  --image-every "$image_every" --config-every "$config_every" &
pids+=($!)
"$bin/railyard-worker" --dev --data-dir "$dir/temporal" --cache-dir "$dir/cache" \
  --port "$port" --ui-port "$ui" --dashboard-port "$dash" &
pids+=($!)

for _ in $(seq 1 120); do
  "$bin/railyard" --address "127.0.0.1:$port" validate -f "$dir/project.yaml" >/dev/null 2>&1 || break
  if "$bin/railyard" --address "127.0.0.1:$port" apply -f "$dir/project.yaml" 2>/dev/null; then
    applied=1
    break
  fi
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { echo "the feeder or the worker exited; see the log above" >&2; exit 1; }
  done
  sleep 0.5
done
[ "${applied:-}" = 1 ] || { "$bin/railyard" validate -f "$dir/project.yaml"; exit 1; }

ry="$bin/railyard --address 127.0.0.1:$port"
cat <<MSG

Railyard is running: two pipelines, images (fast) and config (slow), through dev -> uat -> prod.
  Dashboard: http://127.0.0.1:$dash/projects/quickstart
  Web UI:    http://127.0.0.1:$ui/namespaces/default/workflows
  Stages:    $ry get stages --project quickstart
  Freight:   $ry get freight --project quickstart
  Branches:  git --git-dir $repos/gitops.git log --oneline stage/uat
A new image tag arrives every $image_every (dev and uat take it automatically),
a feature-flag commit every $config_every (dev takes it automatically).
  Config to uat:  $ry promote --project quickstart --stage uat --freight <config alias>
  uat to prod:    $ry promote --project quickstart --stage prod --from-stage uat
Ctrl-C stops everything; state stays in $dir.

MSG

wait -n "${pids[@]}" || true
echo "the feeder or the worker exited" >&2
exit 1
