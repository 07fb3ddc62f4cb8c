#!/usr/bin/env bash
# Prepares rootful podman for the compose system test and builds the base image it uses:
#   podman-base.sh [image]        (default localhost/batchline/base:trixie)
# - writes /etc/containers/containers.conf when there is none: runc as the runtime and no default
#   ulimits (crun and the default ulimits fail on machines like the CI's);
# - builds the image once from Debian's packages (debootstrap, Debian trixie: a JRE 21 and curl),
#   for machines that cannot pull eclipse-temurin, postgres or apache/kafka. It is kept: a second
#   run finds it and does nothing; a run while another builds it waits for that one (the build
#   starts it in the background before the system tests, and the compose test runs it again).
set -euo pipefail

image=${1:-localhost/batchline/base:trixie}
suite=trixie
packages=openjdk-21-jre-headless,curl,ca-certificates,unzip

if ! command -v podman >/dev/null 2>&1; then
	echo "podman-base: podman is not installed" >&2
	exit 1
fi
if [[ ! -e /etc/containers/containers.conf ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "podman-base: /etc/containers/containers.conf is missing and writing it needs root" >&2
		exit 1
	fi
	mkdir -p /etc/containers
	cat >/etc/containers/containers.conf <<'CONF'
# written by Batchline's scripts/podman-base.sh
[containers]
default_ulimits = []

[engine]
runtime = "runc"
CONF
	echo "podman-base: wrote /etc/containers/containers.conf (runtime runc, no default ulimits)"
fi

exec 9>"${TMPDIR:-/tmp}/batchline-podman-base.lock"
flock 9
if podman image exists "$image"; then
	exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "podman-base: debootstrap is not installed" >&2
	exit 1
fi
# the Debian mirror this machine uses, else Debian's own
mirror=$(grep -hsoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* \
	| head -1 | awk '{print $2}' || true)
mirror=${mirror:-http://deb.debian.org/debian}

start=$(date +%s)
rootfs=$(mktemp -d /var/tmp/batchline-rootfs.XXXXXX)
log=$(mktemp /var/tmp/batchline-debootstrap.XXXXXX.log)
trap 'rm -rf "$rootfs" "$log"' EXIT
echo "podman-base: building $image from Debian $suite ($mirror): $packages"
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$log" 2>&1 || {
	tail -20 "$log" >&2
	exit 1
}
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "podman-base: $image built in $(($(date +%s) - start)) s"
