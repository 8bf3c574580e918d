#!/usr/bin/env bash
# Builds the example backend image the container-backend tests run: examples/express-inventory with
# its node_modules and this machine's node binary, on the stand-in Keycloak image's Debian base
# (.ci/docker-engine.sh builds that; nothing is pulled). Tagged kcbox-example/express-inventory:local.
#
#   bash .ci/backend-image.sh            # after .ci/docker-engine.sh; .ci/run calls it
#   FORCE=1 bash .ci/backend-image.sh    # rebuilds it
#
# The image listens on $HOST:$PORT (kcbox sets HOST=0.0.0.0 and PORT=3000 from backend.image.port)
# and reads KEYCLOAK_* from the environment kcbox gives it, like the example run as a command.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '[backend-image %s] %s\n' "$(date +%T)" "$*" >&2; }
fail() {
  step "FAILED: $*"
  exit 1
}

TAG=kcbox-example/express-inventory:local
DEFAULT_VERSION="$(sed -n "s/^export const DEFAULT_KEYCLOAK_VERSION = '\(.*\)';$/\1/p" harness/runtime/distribution/versions.ts)"
BASE_IMAGE="quay.io/keycloak/keycloak:${KCBOX_KEYCLOAK_VERSION:-$DEFAULT_VERSION}"

docker info >/dev/null 2>&1 || fail "no Docker engine answers (bash .ci/docker-engine.sh starts one)"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  step "$TAG is in the engine already; FORCE=1 rebuilds it"
  exit 0
fi
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || fail "the base image $BASE_IMAGE is missing (bash .ci/docker-engine.sh builds it)"
NODE="$(command -v node)" || fail "no node on PATH"

CONTEXT="$(mktemp -d)"
trap 'rm -rf "$CONTEXT"' EXIT
mkdir -p "$CONTEXT/app/examples/express-inventory" "$CONTEXT/app/realm"
cp examples/express-inventory/server.mjs "$CONTEXT/app/examples/express-inventory/"
cp realm/inventory-authz-config.json "$CONTEXT/app/realm/"
cp "$NODE" "$CONTEXT/node"
# The versions kcbox's own tests run the example with (package.json), from npm's cache when it has them.
deps=()
for name in express jose; do
  deps+=("$name@$(node -p "const p = require('./package.json'); (p.dependencies ?? {})['$name'] ?? p.devDependencies['$name']")")
done
step "npm install ${deps[*]} into the image's app folder"
(cd "$CONTEXT/app" && echo '{"private":true,"type":"module"}' >package.json &&
  npm install --prefer-offline --no-audit --no-fund --no-package-lock --omit=dev "${deps[@]}" >&2) ||
  fail "npm install ${deps[*]}"

cat >"$CONTEXT/Dockerfile" <<DOCKERFILE
FROM $BASE_IMAGE
USER root
COPY node /usr/local/bin/node
COPY app /opt/inventory
USER 1000
WORKDIR /opt/inventory/examples/express-inventory
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
LABEL org.kcbox.example=express-inventory
ENTRYPOINT ["/usr/local/bin/node", "server.mjs"]
CMD []
DOCKERFILE
step "docker build -t $TAG (from $BASE_IMAGE)"
# The classic builder uses the local base image as it is; BuildKit would ask a registry about it.
DOCKER_BUILDKIT=0 docker build -q -t "$TAG" "$CONTEXT" >&2 || fail "docker build $TAG"
docker run --rm --entrypoint /usr/local/bin/node "$TAG" --version >&2 || fail "node does not run in $TAG"
step "$TAG is ready"
