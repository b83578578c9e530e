#!/usr/bin/env bash
# Makes Podman usable where no Docker engine answers (called by .ci/run; safe to run by hand).
# - installs Podman, Buildah, runc and debootstrap (for the stand-in base image) from Debian
#   when missing;
# - writes /etc/containers/storage.conf and containers.conf, but only when they do not exist:
#   a machine that already configured containers keeps its own settings.
# Why these settings (checked on this kind of machine, see docker/README.md): overlay storage
# and crun fail here, so vfs storage and runc; the default ulimits cannot be set in this
# sandbox, so none; systemd is absent, so cgroupfs.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "podman-setup.sh: run as root (it installs Debian packages and writes /etc/containers)" >&2
  exit 1
fi

debs=(podman buildah runc debootstrap uidmap containernetworking-plugins)
missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' || missing+=("$deb")
done
if ((${#missing[@]})); then
  echo "--- apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p /etc/containers
if [ ! -e /etc/containers/storage.conf ]; then
  echo "--- writing /etc/containers/storage.conf (vfs)"
  cat >/etc/containers/storage.conf <<'CONF'
# Written by nextbuy docker/podman-setup.sh: overlay does not work on this machine.
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
fi
if [ ! -e /etc/containers/containers.conf ]; then
  echo "--- writing /etc/containers/containers.conf (cgroupfs, runc, no default ulimits)"
  cat >/etc/containers/containers.conf <<'CONF'
# Written by nextbuy docker/podman-setup.sh: crun fails on this cgroup layout, systemd is
# absent and the default ulimits cannot be set here.
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
fi
podman info --format 'podman {{.Version.Version}}: storage {{.Store.GraphDriverName}}, runtime {{.Host.OCIRuntime.Name}}'
