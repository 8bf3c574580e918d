#!/usr/bin/env bash
# Gives the container tests what they need on a machine that reaches no container registry: a Docker
# engine that answers, and the Keycloak image they run, quay.io/keycloak/keycloak:VERSION, built here
# from Debian packages and the Keycloak distribution (the same zip the dist runtime uses).
#
#   bash .ci/docker-engine.sh             # as root; .ci/run calls it, a developer can too
#   FORCE=1 bash .ci/docker-engine.sh     # rebuilds the image (the Debian root filesystem stays cached)
#
# 1. installs docker.io, debootstrap and unzip when they are missing (apt-get);
# 2. starts `dockerd --storage-driver=vfs` in the background when no engine answers, and waits for it
#    (an engine that already answers, e.g. Docker Desktop or a systemd dockerd, is used as it is);
# 3. builds the image unless the engine already holds it: a Debian bookworm minbase root filesystem
#    (debootstrap, Debian packages only) with openjdk-17-jre-headless, the distribution zip unpacked
#    at /opt/keycloak owned by 1000:0, imported with the official image's settings (USER 1000,
#    KC_RUN_IN_CONTAINER=true, entrypoint kc.sh, ports 8080/8443/9000). Nothing is pulled;
# 4. runs `kc.sh --version` in a container from it, with a published port, as proof the engine works.
# Exits non-zero when any step fails; .ci/run then runs the suite with the container tests skipped.
#
# Environment: KCBOX_KEYCLOAK_VERSION (default: kcbox's default version), DOCKERD_STORAGE_DRIVER (vfs),
# KC_IMAGE_WORKDIR (~/.cache/kcbox-image), DEBIAN_MIRROR (default: the machine's own apt source),
# MAVEN_REPO_LOCAL (~/.m2/repository), KCBOX_CACHE (kcbox's cache, where `kcbox fetch` may have put the zip).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '[docker-engine %s] %s\n' "$(date +%T)" "$*" >&2; }
timed() {
  local start=$SECONDS
  "$@"
  step "  done in $((SECONDS - start)) s"
}
fail() {
  step "FAILED: $*"
  exit 1
}

DEFAULT_VERSION="$(sed -n "s/^export const DEFAULT_KEYCLOAK_VERSION = '\(.*\)';$/\1/p" harness/runtime/distribution/versions.ts)"
VERSION="${KCBOX_KEYCLOAK_VERSION:-$DEFAULT_VERSION}"
[ -n "$VERSION" ] || fail "no Keycloak version (harness/runtime/distribution/versions.ts changed?)"
IMAGE=quay.io/keycloak/keycloak
TAG="$IMAGE:$VERSION"
SUITE=bookworm
JRE_PACKAGE=openjdk-17-jre-headless
DRIVER="${DOCKERD_STORAGE_DRIVER:-vfs}"
WORK="${KC_IMAGE_WORKDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kcbox-image}"
BASE="$WORK/rootfs-$SUITE-$JRE_PACKAGE" # Debian + JRE, shared by every Keycloak version
STAGE="$WORK/stage-$VERSION"            # BASE + /opt/keycloak, what is imported

# --- 1. tools -------------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "needs ${missing[*]}: run as root, or install them (apt-get install -y ${missing[*]})"
  step "apt-get install ${missing[*]}"
  install_tools() {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  }
  timed install_tools
fi

# --- 2. engine ------------------------------------------------------------------------------------
engine_answers() { docker info >/dev/null 2>&1; }
start_engine() {
  local log="$WORK/dockerd.log"
  mkdir -p "$WORK"
  step "no Docker engine answers: starting dockerd --storage-driver=$DRIVER in the background (log: $log)"
  # Its own session, so it outlives this script (and a Ctrl-C in the terminal that ran it).
  setsid dockerd --storage-driver="$DRIVER" >"$log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    engine_answers && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  tail -n 20 "$log" >&2 || true
  fail "dockerd did not answer within 60 s (log above: $log)"
}
if engine_answers; then
  step "a Docker engine answers ($(docker info --format '{{.ServerVersion}}, storage {{.Driver}}'))"
else
  command -v docker >/dev/null 2>&1 || fail "no docker CLI (apt-get install -y docker.io)"
  timed start_engine
fi

# --- 3. image -------------------------------------------------------------------------------------
# Proof that the engine runs containers from it, with a published port, as the tests will.
smoke_test() {
  step "smoke test: docker run --rm -p 127.0.0.1::8080 $TAG --version"
  docker run --rm -p 127.0.0.1::8080 "$TAG" --version >&2 || fail "the engine could not run a container from $TAG"
}
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  step "$TAG is in the engine already; FORCE=1 rebuilds it"
  timed smoke_test
  exit 0
fi
[ "$(id -u)" = 0 ] || fail "building $TAG needs root (debootstrap, chroot); or docker load / docker pull it yourself"
mkdir -p "$WORK"

# The Debian mirror this machine's apt already uses.
apt_mirror() {
  {
    grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}'
  } 2>/dev/null | grep -v security | head -n 1 || true
}
DEBIAN_MIRROR="${DEBIAN_MIRROR:-$(apt_mirror)}"
[ -n "$DEBIAN_MIRROR" ] || fail "no Debian mirror found in the apt sources; set DEBIAN_MIRROR"

# A failed build leaves no mount and no half-made copy of the root filesystem behind.
cleanup() {
  if mountpoint -q "$BASE.tmp/proc" 2>/dev/null; then umount "$BASE.tmp/proc" || true; fi
  rm -rf "$STAGE" "$WORK/unzip-$VERSION"
}
trap cleanup EXIT

build_base() {
  rm -rf "$BASE.tmp"
  debootstrap --variant=minbase "$SUITE" "$BASE.tmp" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    {
      tail -n 20 "$WORK/debootstrap.log" >&2
      fail "debootstrap $SUITE from $DEBIAN_MIRROR (log: $WORK/debootstrap.log)"
    }
  mount -t proc proc "$BASE.tmp/proc"
  chroot "$BASE.tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$JRE_PACKAGE" >/dev/null
  chroot "$BASE.tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get clean
  chroot "$BASE.tmp" java -version
  umount "$BASE.tmp/proc"
  rm -rf "$BASE.tmp"/var/lib/apt/lists/* "$BASE.tmp"/var/cache/apt/*.bin
  mv "$BASE.tmp" "$BASE"
}
if [ -x "$BASE/usr/bin/java" ]; then
  step "Debian $SUITE + $JRE_PACKAGE root filesystem cached at $BASE"
else
  step "debootstrap $SUITE (minbase) + $JRE_PACKAGE"
  timed build_base
fi

# The distribution zip: the local Maven repository (where `kcbox fetch` resolves it through Maven),
# kcbox's own cache, else Maven fetches it now.
find_dist() {
  local name="keycloak-quarkus-dist-$VERSION.zip"
  local m2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}/org/keycloak/keycloak-quarkus-dist/$VERSION/$name"
  local cache="${KCBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kcbox}/downloads/$name"
  for zip in "$m2" "$cache" "$WORK/$name"; do
    if [ -s "$zip" ]; then
      printf '%s\n' "$zip"
      return
    fi
  done
  command -v mvn >/dev/null 2>&1 || fail "the Keycloak $VERSION distribution is not in $m2 or $cache, and mvn is not installed"
  step "fetching org.keycloak:keycloak-quarkus-dist:$VERSION:zip with mvn"
  mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$WORK" >&2 ||
    fail "Maven could not fetch org.keycloak:keycloak-quarkus-dist:$VERSION:zip"
  [ -s "$WORK/$name" ] || fail "Maven left no $WORK/$name"
  printf '%s\n' "$WORK/$name"
}
DIST_ZIP="$(find_dist)" || exit 1
step "Keycloak $VERSION distribution: $DIST_ZIP"

stage() {
  rm -rf "$STAGE" "$WORK/unzip-$VERSION"
  cp -a "$BASE" "$STAGE"
  unzip -q "$DIST_ZIP" -d "$WORK/unzip-$VERSION"
  mv "$WORK/unzip-$VERSION/keycloak-$VERSION" "$STAGE/opt/keycloak"
  rm -rf "$WORK/unzip-$VERSION"
  mkdir -p "$STAGE/opt/keycloak/data"
  chown -R 1000:0 "$STAGE/opt/keycloak"
  chmod -R g+rwX "$STAGE/opt/keycloak"
  grep -q '^keycloak:' "$STAGE/etc/passwd" || echo 'keycloak:x:1000:0:keycloak user:/opt/keycloak:/sbin/nologin' >>"$STAGE/etc/passwd"
}
step "staging the root filesystem with /opt/keycloak"
timed stage

import_image() {
  tar --numeric-owner -C "$STAGE" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV KC_RUN_IN_CONTAINER=true' \
    --change 'USER 1000' \
    --change 'WORKDIR /opt/keycloak' \
    --change 'EXPOSE 8080 8443 9000' \
    --change "LABEL org.kcbox.local-build=$VERSION" \
    --change 'ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]' \
    - "$TAG" >/dev/null
  rm -rf "$STAGE"
}
step "docker import as $TAG"
timed import_image
docker image inspect "$TAG" >/dev/null || fail "$TAG is not in the engine after the import"
timed smoke_test
step "$TAG is ready ($(docker image inspect -f '{{.Size}}' "$TAG") bytes)"
