#!/usr/bin/env bash
# Build the local test images: localhost/modwsgi-test/debian:{11,12,13}, and el9:9 (below).
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
# `el9` builds the EL 9 layout test host instead (tests/images/el9/README.md): no RPM repository
# is reachable, so it is the Debian 12 rootfs with an EL 9 os-release and an `rpm -q` stand-in
# (localhost/modwsgi-test/el9:9), and httpd built from source with the EL package's layout and
# configuration files, plus mod_wsgi (el9:9-apache); and el9:9-pip, the same host with what pip
# mode builds mod_wsgi with and no python3-mod_wsgi. It needs debian:12, built first when missing.
#
# usage: tests/images/build.sh [11|12|13|el9 ...]     (default: 11 12 13)
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

# The sources of the EL 9 host's httpd and mod_wsgi: sdists from PyPI, pinned by hash.
# mod_wsgi-httpd's sdist carries httpd's own release tarball (upstream/httpd-*.tar.gz).
el9_httpd_sdist="https://files.pythonhosted.org/packages/c0/4e/8fa4e22332946ffd21916c6c363a3f6c1555cc17a7e25ef3d29ca9792d07/mod_wsgi_httpd-2.4.69.1.tar.gz"
el9_httpd_sha256="66ab81994142ee6492445e47854f96670181b416286066511a56637c9ade61e2"
el9_wsgi_sdist="https://files.pythonhosted.org/packages/c6/77/a9e8ccb74cb748f3a71a01f84f524b85a8f91d9e09cb0405f01311db78e2/mod_wsgi-6.1.1.tar.gz"
el9_wsgi_sha256="a42d11ba45d2050ab456a474d034e938605ca76386233ef404daa8b0388ca60e"

# fetch_sdist URL SHA256 DEST: download once into the cache, check the hash every time.
fetch_sdist() {
    local url="$1" sha="$2" dest="$3"
    if [ ! -s "$dest" ]; then
        curl -sSfL ${ca_bundle:+--cacert "$ca_bundle"} -o "$dest.part" "$url"
        mv "$dest.part" "$dest"
    fi
    echo "$sha  $dest" | sha256sum --check --quiet - || {
        echo "images: $dest does not match its pinned sha256; delete it to download again" >&2
        return 1
    }
}

build_el9() {
    local base="localhost/modwsgi-test/el9:9" image="localhost/modwsgi-test/el9:9-apache"
    local pip_image="localhost/modwsgi-test/el9:9-pip"
    local cache="$here/../../.cache/el9-src" stage start=$SECONDS
    local -a DERIVE_RUN_ARGS
    if podman image exists "$base"; then
        echo "images: $base exists, kept"
    else
        echo "images: $base: debian:12 with an EL 9 os-release and the rpm stand-in"
        DERIVE_RUN_ARGS=(-v "$here/el9:/el9:ro")
        derive_image localhost/modwsgi-test/debian:12 "$base" modwsgi-image-build-el9 \
            'sh /el9/setup-base.sh' || {
            echo "images: building $base failed" >&2
            return 1
        }
        echo "images: $base built"
    fi
    if podman image exists "$image" && podman image exists "$pip_image"; then
        echo "images: $image and $pip_image exist, kept"
        return 0
    fi
    mkdir -p "$cache"
    cache="$(cd "$cache" && pwd)"
    fetch_sdist "$el9_httpd_sdist" "$el9_httpd_sha256" "$cache/mod_wsgi_httpd.tar.gz"
    fetch_sdist "$el9_wsgi_sdist" "$el9_wsgi_sha256" "$cache/mod_wsgi.tar.gz"
    tar -xzf "$cache/mod_wsgi_httpd.tar.gz" -O --wildcards '*/upstream/httpd-*.tar.gz' \
        >"$cache/httpd.tar.gz"
    # The compiled tree: kept when a later step fails, so that a second try does not compile
    # httpd again (build-httpd.sh skips it), removed once the image is built.
    stage="$(cd "$cache/.." && pwd)/el9-stage"
    mkdir -p "$stage"
    echo "images: compiling httpd and mod_wsgi in a throwaway container (several minutes)"
    podman rm -f modwsgi-image-build-el9-httpd >/dev/null 2>&1 || true
    if ! podman run --rm --name modwsgi-image-build-el9-httpd \
        -v "$cache:/src:ro" -v "$here/el9:/el9:ro" -v "$stage:/out" \
        -e JOBS="${EL9_BUILD_JOBS:-2}" localhost/modwsgi-test/debian:12 \
        nice sh /el9/build-httpd.sh; then
        echo "images: compiling httpd for $image failed" >&2
        return 1
    fi
    echo "images: compiled in $((SECONDS - start)) s"
    DERIVE_RUN_ARGS=(-v "$here/el9:/el9:ro" -v "$stage:/stage:ro")
    if podman image exists "$image"; then
        echo "images: $image exists, kept"
    else
        echo "images: installing httpd and mod_wsgi into $image"
        derive_image "$base" "$image" modwsgi-image-build-el9 'sh /el9/install-httpd.sh' || {
            echo "images: installing httpd into $image failed" >&2
            return 1
        }
        echo "images: $image built in $((SECONDS - start)) s"
    fi
    # The host of pip mode: httpd-devel (kept in the stage's .devel), gcc and python3-devel,
    # and no python3-mod_wsgi (install-pip.sh).
    echo "images: adding what pip mode builds with into $pip_image"
    derive_image "$image" "$pip_image" modwsgi-image-build-el9 'sh /el9/install-pip.sh' || {
        echo "images: making $pip_image failed" >&2
        return 1
    }
    rm -rf "$stage"
    echo "images: $pip_image built in $((SECONDS - start)) s"
}

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(11 12 13)
for v in "${versions[@]}"; do
    if [ "$v" = el9 ]; then
        build_one 12
        build_el9
        continue
    fi
    build_one "$v"
    build_apache "$v"
done
