#!/usr/bin/env bash
# Makes Podman usable for the container test (tests/container/) on this kind of machine: root,
# no systemd, no Docker engine, no registry to pull base images from. Idempotent; called by
# scripts/setup.sh after the Debian packages (podman runc debootstrap) are installed.
#
# - /etc/containers/containers.conf: runc (crun fails on the host's mixed cgroups), cgroupfs
#   (no systemd), a file events log (no journald) and ulimits the sandbox allows (Podman's
#   defaults exceed them).
# - debian:bookworm-slim made locally with debootstrap, since it cannot be pulled; reused once
#   imported.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v podman >/dev/null 2>&1; then
  echo "setup-podman: podman is not installed; the container test will skip" >&2
  exit 0
fi

CONF=/etc/containers/containers.conf
MARKER="# Written by channel-verifier scripts/setup-podman.sh"
if [ ! -e "$CONF" ] || grep -qF "$MARKER" "$CONF"; then
  desired="$MARKER
[containers]
default_ulimits = [\"nofile=20000:20000\", \"nproc=4096:4096\"]

[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\"
"
  if [ "$(cat "$CONF" 2>/dev/null)" != "$(printf '%s' "$desired")" ]; then
    echo "setup-podman: writing $CONF" >&2
    printf '%s' "$desired" | as_root tee "$CONF" >/dev/null
  fi
else
  # Someone else's file: say what it needs rather than overwrite it.
  for key in 'runtime = "runc"' 'cgroup_manager = "cgroupfs"' 'events_logger = "file"'; do
    grep -qF "$key" "$CONF" || echo "setup-podman: $CONF should set $key" >&2
  done
fi

BASE=debian:bookworm-slim
if ! as_root podman image exists "$BASE"; then
  # The same mirror apt uses here (deb822 or one-line sources), else Debian's default.
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources \
             2>/dev/null | head -n1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' \
                                 /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  echo "setup-podman: building $BASE with debootstrap from $mirror (about a minute)" >&2
  root=$(mktemp -d /var/tmp/cv-bookworm.XXXXXX)
  trap 'as_root rm -rf "$root"' EXIT
  as_root debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  # Like the published slim image: no package caches or lists in the base layer.
  as_root rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  as_root tar -C "$root" -c . | as_root podman import \
    --change 'CMD ["bash"]' - "$BASE" >/dev/null
  echo "setup-podman: imported $BASE" >&2
fi
