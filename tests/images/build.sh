#!/usr/bin/env bash
# Build the local Debian test images: localhost/modwsgi-test/debian:{11,12,13}.
#
# No container registry is needed: each image is a debootstrap'ed minbase with python3,
# systemd as init and ca-certificates, imported with `podman import`. The host's CA bundle is
# copied in when present, so pip inside a container trusts the same proxy as the host.
#
# Each also gets an `-apache` flavour (debian:12-apache) with Debian's apache2 and
# libapache2-mod-wsgi-py3 already installed (not started, not configured further): scenarios
# whose subject is an existing Apache start from it instead of installing it in every run.
# Scenarios about installing Apache (the role) use the plain image.
# An image that already exists is kept (delete it with `podman rmi` to rebuild).
#
# usage: tests/images/build.sh [11|12|13 ...]     (default: all three)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/images/derive.sh
. "$here/derive.sh"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ca_bundle="/etc/ssl/certs/ca-certificates.crt"

suite_for() {
    case "$1" in
        11) echo bullseye ;;
        12) echo bookworm ;;
        13) echo trixie ;;
        *) echo "build.sh: unknown Debian version '$1' (want 11, 12 or 13)" >&2; return 1 ;;
    esac
}

build_one() {
    local version="$1" suite image rootfs
    suite="$(suite_for "$version")"
    image="localhost/modwsgi-test/debian:${version}"
    if podman image exists "$image"; then
        echo "images: $image exists, kept"
        return 0
    fi
    rootfs="$(mktemp -d "/var/tmp/modwsgi-rootfs-${suite}.XXXXXX")"
    trap 'rm -rf "$rootfs"' RETURN
    echo "images: debootstrap $suite into $rootfs (about a minute)"
    debootstrap --variant=minbase \
        --include=python3,systemd,systemd-sysv,ca-certificates,iproute2,procps \
        "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
        echo "images: debootstrap $suite failed; last lines of its log:" >&2
        tail -n 20 "$rootfs.log" >&2
        return 1
    }
    rm -f "$rootfs.log"
    if [ -r "$ca_bundle" ]; then
        echo "images: adding the host CA bundle as modwsgi-host-ca.crt"
        install -m 0644 "$ca_bundle" "$rootfs/usr/local/share/ca-certificates/modwsgi-host-ca.crt"
        chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || true
    fi
    # A container has no real consoles or udev: keep systemd from waiting on them.
    chroot "$rootfs" systemctl mask getty.target systemd-udevd.service \
        systemd-udev-trigger.service systemd-logind.service >/dev/null 2>&1 || true
    # apt inside the container: no recommends, so test hosts stay lean and repeatable.
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
        >"$rootfs/etc/apt/apt.conf.d/90modwsgi-test"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    echo "images: podman import -> $image"
    tar -C "$rootfs" -c . | podman import --quiet \
        --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' - "$image" >/dev/null
    echo "images: $image built"
}

build_apache() {
    local version="$1" base image builder
    base="localhost/modwsgi-test/debian:${version}"
    image="${base}-apache"
    builder="modwsgi-image-build-${version}"
    if podman image exists "$image"; then
        echo "images: $image exists, kept"
        return 0
    fi
    echo "images: installing apache2 and mod_wsgi into $image"
    derive_image "$base" "$image" "$builder" '
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2 libapache2-mod-wsgi-py3 >/dev/null
rm -f /var/cache/apt/archives/*.deb' || {
        echo "images: installing Apache into $image failed" >&2
        return 1
    }
    echo "images: $image built"
}

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(11 12 13)
for v in "${versions[@]}"; do
    build_one "$v"
    build_apache "$v"
done
