#!/usr/bin/env bash
# Build the benchmark image localhost/modwsgi-test/bench:12 once, from the local
# localhost/modwsgi-test/debian:12-apache (Apache 2.4 + Debian's mod_wsgi 4.9.4). It adds:
#   - apache2-utils (ab, the load generator, run inside the container);
#   - apache2-dev, build-essential, python3-dev and python3-venv, to build mod_wsgi from PyPI;
#   - /opt/express: a venv with mod_wsgi==$MOD_WSGI_VERSION from PyPI (mod_wsgi-express);
#   - /srv/bench/venv: the empty venv the benchmark app runs in (python-home of the role).
# The app itself is copied in at run time, so changing it needs no rebuild.
# An image that already exists is kept (delete it with `podman rmi` to rebuild).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/tests/images/containers.conf}"
# shellcheck source=tests/images/derive.sh
. "$root/tests/images/derive.sh"
base="localhost/modwsgi-test/debian:12-apache"
image="localhost/modwsgi-test/bench:12"
builder="modwsgi-bench-image-build"
MOD_WSGI_VERSION="5.0.2"

if podman image exists "$image"; then
    echo "bench image: $image exists, kept"
    exit 0
fi
if ! podman image exists "$base"; then
    echo "bench image: building the base image $base first"
    "$root/tests/images/build.sh" 12
fi
echo "bench image: building $image from $base (apt + pip mod_wsgi==$MOD_WSGI_VERSION, a few minutes)"
start=$(date +%s)
derive_image "$base" "$image" "$builder" "
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils apache2-dev \\
    build-essential python3-dev python3-venv >/dev/null
python3 -m venv /opt/express
/opt/express/bin/pip install -q --cert /etc/ssl/certs/ca-certificates.crt 'mod_wsgi==$MOD_WSGI_VERSION'
python3 -m venv /srv/bench/venv
rm -f /var/cache/apt/archives/*.deb
rm -rf /var/lib/apt/lists/* /root/.cache/pip" || {
    echo "bench image: building $image failed" >&2
    exit 1
}
echo "bench image: $image built in $(( $(date +%s) - start )) s"
