#!/usr/bin/env bash
# Run Molecule scenarios, one after another (two cores: never in parallel).
#
# usage: scripts/molecule.sh SCENARIO:DISTRO [SCENARIO:DISTRO ...]
#        e.g. scripts/molecule.sh mpm_facts:debian12 mpm_facts:debian13
# DISTRO is debian11, debian12 or debian13 and picks localhost/modwsgi-test/debian:NN, and
# debian:NN-apache for hosts that start with Apache installed; MOLECULE_IMAGE (for example a
# registry's image) replaces both, and MOLECULE_APACHE_IMAGE the second one alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/tests/images/containers.conf}"
# The same environment as `make molecule`, so the script also works on its own.
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}"
[ -x .venv/bin/molecule ] || { echo "$0: run 'make bootstrap' first" >&2; exit 2; }
[ "$#" -gt 0 ] || { echo "usage: $0 SCENARIO:DISTRO ..." >&2; exit 2; }
user_image="${MOLECULE_IMAGE:-}"
user_apache_image="${MOLECULE_APACHE_IMAGE:-}"
failed=()
for run in "$@"; do
    scenario="${run%%:*}"
    distro="${run#*:}"
    [ "$distro" != "$run" ] || distro="${MOLECULE_DISTRO:-debian12}"
    export MOLECULE_DISTRO="$distro"
    export MOLECULE_IMAGE="${user_image:-localhost/modwsgi-test/debian:${distro#debian}}"
    export MOLECULE_APACHE_IMAGE="${user_apache_image:-${user_image:-$MOLECULE_IMAGE-apache}}"
    echo "==> molecule test -s $scenario on $distro ($MOLECULE_IMAGE)"
    start=$SECONDS
    if molecule test -s "$scenario"; then
        echo "==> molecule $scenario on $distro: passed in $((SECONDS - start)) s"
    else
        echo "==> molecule $scenario on $distro: FAILED after $((SECONDS - start)) s"
        failed+=("$run")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "==> molecule failures: ${failed[*]}" >&2
    exit 1
fi
